/**
 * The Koa middleware on a real Koa 3 server (with @koa/router and @koa/bodyparser) on 127.0.0.1.
 */
import { once } from 'node:events';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKoaMiddleware, Webhooks } from '../../src/adapters/koa';
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
  trapBody,
  type Call,
} from './helpers';

// Loaded without its type declarations: they give every Node IncomingMessage of the whole program a
// `rawBody: string`, which would mistype the other adapters' code and tests.
const { bodyParser } = createRequire(import.meta.url)('@koa/bodyparser') as { bodyParser: () => Koa.Middleware };

describe('Koa 3', () => {
  const calls: Call[] = [];
  const dropInPayloads: { type: string; id: string }[] = [];
  const logged: { level: 'warn' | 'error'; message: string }[] = [];
  const koaErrors: unknown[] = [];
  let base = '';
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const middleware = createKoaMiddleware(recordingWebhooks(calls));
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        koaErrors.push(error);
        ctx.status = 502;
        ctx.body = `koa error handler: ${(error as Error).message}`;
      }
    });
    const router = new Router();
    // Every method, so that the policy's own 405 is what answers a GET.
    router.all('/hook', middleware);
    router.post('/after-bodyparser', bodyParser(), middleware);
    router.post(
      '/bodyparser-disabled',
      async (ctx, next) => {
        ctx.disableBodyParser = true;
        await next();
      },
      bodyParser(),
      middleware,
    );
    // A parser that keeps nothing raw: it consumes the stream and leaves only the parsed value.
    router.post(
      '/after-parser-without-raw',
      async (ctx, next) => {
        let text = '';
        for await (const chunk of ctx.req) text += String(chunk);
        (ctx.request as { body?: unknown }).body = JSON.parse(text);
        await next();
      },
      middleware,
    );
    router.post(
      '/with-header-set-before',
      async (ctx, next) => {
        ctx.set('x-request-id', 'abc123');
        await next();
      },
      middleware,
    );
    router.post(
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
    router.post('/aborts', createKoaMiddleware(abortRouter));
    router.post(
      '/stream-fails',
      async (ctx, next) => {
        ctx.req.once('data', () => ctx.req.emit('error', new Error('stream broke')));
        await next();
      },
      middleware,
    );
    app.use(router.routes());
    ({ url: base, close } = await listen(http.createServer(app.callback())));
  });
  afterAll(() => close());

  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }));

  it('uses ctx.request.rawBody kept by @koa/bodyparser', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/after-bodyparser`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('reads the stream itself when the body parser was disabled for the route', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/bodyparser-disabled`, delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('answers 500 body_already_parsed, saying how to fix the set-up, after a parser that kept nothing raw', async () => {
    calls.length = 0;
    const answer = await post(`${base}/after-parser-without-raw`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('Mount the webhook middleware before the body parser');
    expect(answer.json.message).toContain('ctx.request.rawBody');
    expect(calls).toEqual([]);
  });

  it('writes the answer through Koa: content-length set, headers set earlier kept', async () => {
    const delivery = sign(JSON.stringify(orderPaid()));
    const response = await fetch(`${base}/with-header-set-before`, {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-length')).toBe('11');
    expect(response.headers.get('x-request-id')).toBe('abc123');
    expect(await response.text()).toBe('{"ok":true}');
  });

  it('runs a Webhooks({ webhookSecret, onPayload }) with the official adapters’ option names', async () => {
    dropInPayloads.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/polar/webhooks`, delivery)).status).toBe(202);
    expect(dropInPayloads).toEqual([{ type: 'order.paid', id: delivery.id }]);
    expect((await post(`${base}/polar/webhooks`, { ...delivery, body: `${delivery.body} ` })).status).toBe(403);
    expect(dropInPayloads).toHaveLength(1);
  });

  it('logs a client that hangs up mid-body once, as a warning, and hands Koa no error', async () => {
    logged.length = 0;
    koaErrors.length = 0;
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
    expect(koaErrors).toEqual([]);
  });

  it('rejects with an error of the request stream, for Koa’s error handling, and runs no handler', async () => {
    calls.length = 0;
    koaErrors.length = 0;
    const { status, text } = await postHalfSentBody(`${base}/stream-fails`);
    expect(status).toBe(502);
    expect(text).toBe('koa error handler: stream broke');
    expect(koaErrors).toHaveLength(1);
    expect(calls).toEqual([]);
  });
});
