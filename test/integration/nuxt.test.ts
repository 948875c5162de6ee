/**
 * The h3 handler (`polar-webhooks/nuxt`) in a real h3 1.x app: on Node through h3's own Node listener
 * on 127.0.0.1, and as h3 runs on web runtimes (Nitro's Workers and Deno presets), through h3's
 * `toWebHandler`, served over HTTP by @hono/node-server. Nuxt itself is h3 under Nitro: the route's
 * handler is the same function.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import express from 'express';
import {
  createApp,
  createRouter,
  defineEventHandler,
  fromNodeMiddleware,
  readBody,
  readRawBody,
  toNodeListener,
  toWebHandler,
  type H3Event,
} from 'h3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createH3Handler, Webhooks } from '../../src/adapters/nuxt';
import {
  SECRET,
  deliveryScenarios,
  listen,
  orderPaid,
  post,
  recordingWebhooks,
  sign,
  trapBody,
  type Call,
} from './helpers';

const calls: Call[] = [];

/** The h3 app under test: the webhook route, and routes where something reads the body first. */
function buildApp(): ReturnType<typeof createApp> {
  const handler = createH3Handler(recordingWebhooks(calls));
  const app = createApp();
  const router = createRouter();
  router.use('/hook', handler);
  router.post(
    '/after-read-body',
    defineEventHandler(async (event) => {
      await readBody(event); // h3 parses the JSON and keeps the raw bytes
      return handler(event);
    }),
  );
  router.post(
    '/after-read-raw-body',
    defineEventHandler(async (event) => {
      await readRawBody(event);
      return handler(event);
    }),
  );
  // The official @polar-sh/nuxt documentation builds Webhooks() inside the route's handler.
  router.post(
    '/compat',
    defineEventHandler((event: H3Event) => {
      const webhooksHandler = Webhooks({
        webhookSecret: SECRET,
        onPayload: async (payload) => {
          calls.push({ route: 'compat', kind: 'event', type: payload.type });
        },
        onOrderPaid: async (payload, { id }) => {
          calls.push({ route: 'compat-order-paid', kind: 'event', type: payload.type, id });
        },
      });
      return webhooksHandler(event);
    }),
  );
  app.use('/after-node-json', fromNodeMiddleware(express.json()));
  app.use('/after-node-raw', fromNodeMiddleware(express.raw({ type: '*/*' })));
  app.use(router);
  app.use('/after-node-json', handler);
  app.use('/after-node-raw', handler);
  return app;
}

describe('h3 on Node (toNodeListener)', () => {
  let base = '';
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ({ url: base, close } = await listen(http.createServer(toNodeListener(buildApp()))));
  });
  afterAll(() => close());

  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }));

  it.each(['/after-read-body', '/after-read-raw-body'])(
    'uses the raw bytes h3 kept when %s read the body first',
    async (route) => {
      calls.length = 0;
      const delivery = sign(trapBody());
      expect((await post(`${base}${route}`, delivery)).status).toBe(202);
      expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
      expect(calls[0]?.data?.metadata).toEqual({ 1: 'a', 2: 'b', amount: 10 });
    },
  );

  it('uses the Buffer a Node raw-body parser left on the request', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-node-raw`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('answers 500 body_already_parsed, saying how to fix it, when a Node JSON parser consumed the body', async () => {
    calls.length = 0;
    const answer = await post(`${base}/after-node-json`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('readBody(event)');
    expect(calls).toEqual([]);
  });

  it("runs @polar-sh/nuxt's documented usage with only the import changed", async () => {
    calls.length = 0;
    const delivery = sign(JSON.stringify(orderPaid({ via: 'compat' })));
    expect((await post(`${base}/compat`, delivery)).status).toBe(202);
    expect(calls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: 'compat', type: 'order.paid' }),
        expect.objectContaining({ route: 'compat-order-paid', type: 'order.paid', id: delivery.id }),
      ]),
    );
    expect(calls).toHaveLength(2);
  });
});

describe('h3 as on web runtimes (toWebHandler), served by @hono/node-server', () => {
  let base = '';
  let server: ServerType | undefined;

  beforeAll(async () => {
    const fetchHandler = toWebHandler(buildApp());
    await new Promise<void>((resolve) => {
      server = serve({ fetch: (request) => fetchHandler(request), port: 0, hostname: '127.0.0.1' }, (info) => {
        base = `http://127.0.0.1:${(info as AddressInfo).port}`;
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

  // @hono/node-server decides how a refused body's connection is closed.
  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }), {
    serverOwnsConnection: true,
  });

  it('answers 500 body_already_parsed when a handler read the streamed body first (h3 keeps no copy there)', async () => {
    calls.length = 0;
    for (const route of ['/after-read-body', '/after-read-raw-body']) {
      const answer = await post(`${base}${route}`, sign(JSON.stringify(orderPaid())));
      expect(answer.status).toBe(500);
      expect(answer.json.error).toBe('body_already_parsed');
      expect(answer.json.message).toContain('on web runtimes h3 keeps no copy');
    }
    expect(calls).toEqual([]);
  });

  it("runs @polar-sh/nuxt's documented usage with only the import changed", async () => {
    calls.length = 0;
    expect((await post(`${base}/compat`, sign(JSON.stringify(orderPaid())))).status).toBe(202);
    expect(calls.map((call) => call.route).sort()).toEqual(['compat', 'compat-order-paid']);
  });
});
