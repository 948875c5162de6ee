/**
 * The Hono handler on a real @hono/node-server on 127.0.0.1.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHonoHandler } from '../../src/adapters/hono';
import { deliveryScenarios, orderPaid, post, recordingWebhooks, sign, trapBody, type Call } from './helpers';

describe('Hono on @hono/node-server', () => {
  const calls: Call[] = [];
  let base = '';
  let server: ServerType | undefined;

  beforeAll(async () => {
    const handler = createHonoHandler(recordingWebhooks(calls));
    const app = new Hono();
    app.all('/hook', handler);
    // A middleware that reads the body through Hono (which caches it) before the webhook route.
    app.post(
      '/after-hono-json',
      async (c, next) => {
        await c.req.json();
        await next();
      },
      handler,
    );
    // A middleware that consumes the raw stream behind Hono's back: nothing raw survives.
    app.post(
      '/after-raw-stream-read',
      async (c, next) => {
        await c.req.raw.json();
        await next();
      },
      handler,
    );
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        base = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server?.close(() => resolve());
      }),
  );

  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }), {
    serverOwnsConnection: true,
  });

  it('uses the body Hono cached when a middleware read it with c.req.json()', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-hono-json`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('answers 500 body_already_parsed when the raw stream was consumed and nothing was kept', async () => {
    calls.length = 0;
    const answer = await post(`${base}/after-raw-stream-read`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('Mount the webhook route before');
    expect(calls).toEqual([]);
  });
});
