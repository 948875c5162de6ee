/**
 * The Express middleware on real Express 5 and Express 4 servers on 127.0.0.1.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createExpressMiddleware } from '../../src/adapters/express';
import { createWebhooks } from '../../src/router/create-webhooks';
import {
  SECRET,
  deliveryScenarios,
  listen,
  orderPaid,
  post,
  postHalfSentBody,
  recordingWebhooks,
  sign,
  TEST_LIMIT,
  trapBody,
  type Call,
} from './helpers';

type RawBodyRequest = http.IncomingMessage & { rawBody?: Buffer };

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  const calls: Call[] = [];
  const expressErrors: unknown[] = [];
  const logged: { level: 'warn' | 'error'; message: string; details: unknown[] }[] = [];
  const abortLogger = {
    warn: (message: string, ...details: unknown[]) => logged.push({ level: 'warn', message, details }),
    error: (message: string, ...details: unknown[]) => logged.push({ level: 'error', message, details }),
  };
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
    app.post(
      '/with-headers-set-before',
      (_req, res, next) => {
        res.setHeader('x-request-id', 'abc123');
        next();
      },
      middleware,
    );
    // A client that hangs up mid-body: a warning on the router's logger, nothing for Express's error handling.
    const abortRouter = createWebhooks({ secret: SECRET, logger: abortLogger });
    app.post('/aborts', createExpressMiddleware(abortRouter), (_req, _res, next) => next());
    // A router object made by hand around the real one: the middleware uses its answer().
    const wrapped = recordingWebhooks(calls);
    app.post('/hand-made-router', createExpressMiddleware({ ...wrapped }));
    // The request stream fails while the body is being read: Express's error handling gets it.
    app.post(
      '/stream-fails',
      (req, _res, next) => {
        next();
        req.once('data', () => req.emit('error', new Error('stream broke')));
      },
      middleware,
    );
    app.use((error: Error, _req: http.IncomingMessage, res: http.ServerResponse, _next: (e?: unknown) => void) => {
      expressErrors.push(error);
      res.statusCode = 502;
      res.end(`express error handler: ${error.message}`);
    });
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

  it('writes one complete answer: content-length set (not chunked), headers set earlier kept', async () => {
    calls.length = 0;
    const delivery = sign(JSON.stringify(orderPaid()));
    const response = await fetch(`${base}/with-headers-set-before`, {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-length')).toBe('11');
    expect(response.headers.get('transfer-encoding')).toBeNull();
    expect(response.headers.get('x-request-id')).toBe('abc123');
    expect(await response.text()).toBe('{"ok":true}');
    const refused = await fetch(`${base}/hook`, {
      method: 'POST',
      body: delivery.body,
      headers: { 'content-type': 'application/json' },
    });
    const text = await refused.text();
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toMatchObject({ error: 'missing_header' });
    expect(calls).toHaveLength(1);
  });

  it('logs a client that hangs up mid-body once, as a warning, and hands Express no error', async () => {
    logged.length = 0;
    expressErrors.length = 0;
    const target = new URL(`${base}/aborts`);
    const socket = net.connect(Number(target.port), target.hostname);
    await once(socket, 'connect');
    const headers = Object.entries(sign('{}').headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`POST /aborts HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n${headers}\r\n{"type":`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged).toEqual([
      {
        level: 'warn',
        message: expect.stringContaining('closed the connection before sending the whole body'),
        details: [],
      },
    ]);
    expect(expressErrors).toEqual([]);
  });

  it('works with any object shaped like a router, through its answer()', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/hand-made-router`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
    expect((await post(`${base}/hand-made-router`, { ...delivery, body: `${delivery.body} ` })).status).toBe(403);
  });

  it('hands an error of the request stream to next(error), and runs no handler', async () => {
    calls.length = 0;
    const { status, text } = await postHalfSentBody(`${base}/stream-fails`);
    expect(status).toBe(502);
    expect(text).toBe('express error handler: stream broke');
    expect(calls).toEqual([]);
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
