/**
 * The Next.js Pages Router handler's promise, behind plain node:http on 127.0.0.1: Next.js waits for
 * it, so it must settle only once the answer is written, and reject with errors that are not the
 * library's own.
 */
import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNextPagesHandler } from '../../src/adapters/next';
import { listen, orderPaid, post, postHalfSentBody, recordingWebhooks, sign, TEST_LIMIT, type Call } from './helpers';

describe('createNextPagesHandler(webhooks)(req, res)', () => {
  const calls: Call[] = [];
  const settled: { outcome: 'resolved' | 'rejected'; ended: boolean; error?: string }[] = [];
  let base = '';
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const handler = createNextPagesHandler(recordingWebhooks(calls));
    const server = http.createServer((req, res) => {
      if (req.url === '/stream-fails') req.once('data', () => req.emit('error', new Error('stream broke')));
      handler(req, res).then(
        () => settled.push({ outcome: 'resolved', ended: res.writableEnded }),
        (error: Error) => {
          settled.push({ outcome: 'rejected', ended: res.writableEnded, error: error.message });
          res.statusCode = 502;
          res.end();
        },
      );
    });
    ({ url: base, close } = await listen(server));
  });
  afterAll(() => close());

  it('resolves once the answer is written, whatever the answer', async () => {
    settled.length = 0;
    calls.length = 0;
    expect((await post(`${base}/hook`, sign(JSON.stringify(orderPaid())))).status).toBe(202);
    expect((await post(`${base}/hook`, { ...sign('{}'), body: '{} ' })).status).toBe(403);
    expect((await fetch(`${base}/hook`)).status).toBe(405);
    expect((await post(`${base}/hook`, sign('x'.repeat(TEST_LIMIT + 1)))).status).toBe(413);
    expect(settled).toEqual(Array.from({ length: 4 }, () => ({ outcome: 'resolved', ended: true })));
    expect(calls).toHaveLength(1);
  });

  it('rejects with an error of the request stream, without answering', async () => {
    settled.length = 0;
    calls.length = 0;
    const { status } = await postHalfSentBody(`${base}/stream-fails`);
    expect(status).toBe(502);
    expect(settled).toEqual([{ outcome: 'rejected', ended: false, error: 'stream broke' }]);
    expect(calls).toEqual([]);
  });
});
