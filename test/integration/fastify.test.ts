/**
 * The Fastify adapter on a real Fastify 5 server on 127.0.0.1: the route options, the plugin, the
 * `@polar-sh/fastify` drop-in in its documented usage, and the raw-body traps.
 */
import { once } from 'node:events';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFastifyRoute, fastifyPolarWebhooks, Webhooks } from '../../src/adapters/fastify';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhookRouter } from '../../src/router/types';
import {
  SECRET,
  TEST_LIMIT,
  deliveryScenarios,
  orderPaid,
  post,
  postHalfSentBody,
  recordingWebhooks,
  sign,
  trapBody,
  type Call,
} from './helpers';

describe('Fastify 5', () => {
  const calls: Call[] = [];
  const dropInPayloads: { type: string; id: string }[] = [];
  const logged: { level: 'warn' | 'error'; message: string }[] = [];
  const fastifyErrors: unknown[] = [];
  let app: FastifyInstance;
  let base = '';
  let webhooks: WebhookRouter;

  beforeAll(async () => {
    webhooks = recordingWebhooks(calls);
    app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      fastifyErrors.push(error);
      void reply.code(502).send(`fastify error handler: ${(error as Error).message}`);
    });
    // Every method, so that the policy's own 405 is what answers a GET.
    app.all('/hook', createFastifyRoute(webhooks));
    // An ordinary JSON route of the same app: its body parsing is untouched by the webhook routes.
    app.post('/echo', async (request) => ({ parsed: request.body }));
    // The route's handler alone, without its preParsing hook: Fastify's JSON parser runs first.
    app.post('/handler-only', { handler: createFastifyRoute(webhooks).handler });
    // The handler behind a raw content-type parser of the app's own, scoped to a plugin.
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      scope.post('/raw-parser', { handler: createFastifyRoute(webhooks).handler });
    });
    // An app-wide preParsing hook that hands on another stream in place of the request.
    await app.register(async (scope) => {
      scope.addHook('preParsing', (_request, _reply, payload, done) => done(null, payload.pipe(new PassThrough())));
      scope.post('/replaced-stream', createFastifyRoute(webhooks));
    });
    // The plugin, under a prefix.
    await app.register(fastifyPolarWebhooks, { webhooks, path: '/plugin', prefix: '/polar' });
    // The documented usage of @polar-sh/fastify, with only the import changed.
    app.post(
      '/polar/webhooks',
      Webhooks({
        webhookSecret: SECRET,
        onPayload: async (payload, { id }) => {
          dropInPayloads.push({ type: payload.type, id });
        },
      }),
    );
    const abortRouter = createWebhooks({
      secret: SECRET,
      logger: {
        warn: (message: string) => logged.push({ level: 'warn', message }),
        error: (message: string) => logged.push({ level: 'error', message }),
      },
    });
    app.post('/aborts', createFastifyRoute(abortRouter));
    // The request stream fails while the body is read: Fastify's error handling gets it.
    await app.register(async (scope) => {
      scope.addHook('onRequest', (request, _reply, done) => {
        request.raw.once('data', () => request.raw.emit('error', new Error('stream broke')));
        done();
      });
      scope.post('/stream-fails', createFastifyRoute(webhooks));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as net.AddressInfo;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    app.server.closeAllConnections();
    await app.close();
  });

  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }));

  it('leaves the JSON parsing of the app’s other routes alone', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await response.json()).toEqual({ parsed: { a: 1 } });
  });

  it('runs the documented @polar-sh/fastify usage with only the import changed, on the raw body', async () => {
    dropInPayloads.length = 0;
    const delivery = sign(trapBody());
    const answer = await post(`${base}/polar/webhooks`, delivery);
    expect(answer.status).toBe(202);
    expect(dropInPayloads).toEqual([{ type: 'order.paid', id: delivery.id }]);
    const forged = await post(`${base}/polar/webhooks`, { ...delivery, body: `${delivery.body} ` });
    expect(forged.status).toBe(403);
    expect(dropInPayloads).toHaveLength(1);
  });

  it('serves the plugin’s route under its prefix, with 405 for other methods', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/polar/plugin`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
    const get = await fetch(`${base}/polar/plugin`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('uses the Buffer of a raw content-type parser when only the handler is mounted', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/raw-parser`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('reads the stream an app-wide preParsing hook put in place of the request, within the limit', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/replaced-stream`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
    const oversized = sign(JSON.stringify(orderPaid({ pad: 'x'.repeat(TEST_LIMIT) })));
    const refused = await post(`${base}/replaced-stream`, oversized);
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ error: 'body_too_large' });
    expect(calls).toHaveLength(1);
  });

  it('answers 500 body_already_parsed, saying how to fix the route, when Fastify parsed the body first', async () => {
    calls.length = 0;
    const answer = await post(`${base}/handler-only`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain("app.post('/webhooks/polar', createFastifyRoute(webhooks))");
    expect(answer.json.message).toContain("parseAs: 'buffer'");
    expect(calls).toEqual([]);
  });

  it('logs a client that hangs up mid-body once, as a warning, and hands Fastify no error', async () => {
    logged.length = 0;
    fastifyErrors.length = 0;
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
      { level: 'warn', message: expect.stringContaining('closed the connection before sending the whole body') },
    ]);
    expect(fastifyErrors).toEqual([]);
  });

  it('hands an error of the request stream to Fastify’s error handling, and runs no handler', async () => {
    calls.length = 0;
    fastifyErrors.length = 0;
    const { status, text } = await postHalfSentBody(`${base}/stream-fails`);
    expect(status).toBe(502);
    expect(text).toBe('fastify error handler: stream broke');
    expect(fastifyErrors).toHaveLength(1);
    expect(calls).toEqual([]);
  });
});
