/**
 * The Express middleware on real Express 5 and Express 4 servers on 127.0.0.1.
 */
import http from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressMiddleware } from '../../src/adapters/express';
import { deliveryScenarios, listen, orderPaid, post, recordingWebhooks, sign, trapBody, type Call } from './helpers';

type RawBodyRequest = http.IncomingMessage & { rawBody?: Buffer };

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  const calls: Call[] = [];
  let base = '';
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const middleware = createExpressMiddleware(recordingWebhooks(calls));
    const app = express();
    // Mounted for every method, so that the middleware's own 405 is what answers a GET.
    app.all('/hook', middleware);
    app.post('/after-raw', express.raw({ type: 'application/json' }), middleware);
    app.post(
      '/after-json-with-raw-body',
      express.json({
        verify: (req, _res, buf) => {
          (req as RawBodyRequest).rawBody = buf;
        },
      }),
      middleware,
    );
    app.post('/after-json', express.json(), middleware);
    app.post('/after-text', express.text({ type: 'application/json' }), middleware);
    app.post('/after-text-parser-of-other-type', express.urlencoded({ extended: false }), middleware);
    ({ url: base, close } = await listen(http.createServer(app)));
  });
  afterAll(() => close());

  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }));

  it('uses the Buffer left by express.raw()', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-raw`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('uses req.rawBody kept by express.json({ verify })', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-json-with-raw-body`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('uses the text left by express.text()', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-text`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('reads the stream itself when a parser for another content type ran first', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-text-parser-of-other-type`, delivery)).status).toBe(202);
    expect(calls).toHaveLength(1);
  });

  it('answers 500 body_already_parsed, saying how to fix the mounting, after express.json()', async () => {
    calls.length = 0;
    const answer = await post(`${base}/after-json`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('before app.use(express.json())');
    expect(answer.json.message).toContain('express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })');
    expect(calls).toEqual([]);
  });
});
