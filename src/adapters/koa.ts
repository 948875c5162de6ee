/**
 * `polar-webhooks/koa`: the router as Koa middleware (Koa 3).
 *
 * @module
 */

import type { Context } from 'koa';
import { PolarWebhookError, WebhookConfigurationError } from '../errors';
import { answerError } from '../router/answer';
import type { WebhookResponse, WebhookRouter } from '../router/types';
import type { WebhookBody } from '../verify/verify';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { CLIENT_ABORTED, readNodeBody } from './node';

/**
 * Koa middleware for the webhook route. It answers every request it sees and never calls `next`:
 * mount it on the route (`router.post('/webhooks/polar', middleware)` with `@koa/router`) or behind a
 * path check.
 */
export type KoaWebhookMiddleware = (ctx: Context, next?: () => Promise<unknown>) => Promise<void>;

const KOA_FIX =
  'Mount the webhook middleware before the body parser (app.use(bodyParser()) after the webhook route), skip ' +
  'the parser for it (ctx.disableBodyParser = true with @koa/bodyparser), or use a parser that keeps the raw ' +
  'text: @koa/bodyparser and koa-bodyparser set ctx.request.rawBody, koa-body does with includeUnparsed: true.';

/** Where koa-body keeps the raw text when told to (`includeUnparsed: true`). */
const UNPARSED = Symbol.for('unparsedBody');

/**
 * The raw body a body parser already read, when it kept one: `ctx.request.rawBody` (@koa/bodyparser,
 * koa-bodyparser), the text koa-body keeps under `Symbol.for('unparsedBody')`, or `ctx.request.body`
 * as bytes or text. `undefined` when the stream is still unread.
 *
 * @throws {@link WebhookConfigurationError} `body_already_parsed` when a parser consumed the stream and kept nothing raw.
 */
function keptBody(ctx: Context): WebhookBody | undefined {
  const { body, rawBody } = ctx.request as { body?: unknown; rawBody?: unknown };
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) return rawBody;
  if (body instanceof Uint8Array || typeof body === 'string') return body;
  const unparsed = (body as { [UNPARSED]?: unknown } | null | undefined)?.[UNPARSED];
  if (typeof unparsed === 'string') return unparsed;
  if (body === undefined && !ctx.req.readableDidRead && !ctx.req.readableEnded) return undefined;
  throw new WebhookConfigurationError(
    'body_already_parsed',
    'The request body was already read and parsed by another middleware, so the raw bytes the signature covers are ' +
      `gone (re-serializing the JSON would change them). ${KOA_FIX}`,
  );
}

/**
 * Koa middleware that answers Polar deliveries with the router's HTTP policy, through `ctx.status`,
 * `ctx.set` and `ctx.body`.
 *
 * It reads the raw body from the request stream itself, up to `maxBodyBytes`. When a body parser ran
 * first it uses the raw text that parser kept (`ctx.request.rawBody`); if the body was parsed and
 * nothing raw was kept, it answers 500 `body_already_parsed` with how to fix the set-up. It never
 * re-serializes `ctx.request.body`.
 *
 * A stream error rejects (Koa's error handling answers it); a client that hangs up mid-body is a
 * warning on the router's logger.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { createWebhooks } from 'polar-webhooks';
 * import { createKoaMiddleware } from 'polar-webhooks/koa';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', (event) => console.log(event.data.id));
 *
 * const router = new Router();
 * router.post('/webhooks/polar', createKoaMiddleware(webhooks));
 * new Koa().use(router.routes()).listen(3000);
 * ```
 */
export function createKoaMiddleware(webhooks: WebhookRouter): KoaWebhookMiddleware {
  const { logger, maxBodyBytes } = webhooks;
  return (ctx) =>
    new Promise((resolve, reject) => {
      const send = (answer: WebhookResponse): void => {
        ctx.status = answer.status;
        ctx.set({ ...answer.headers });
        ctx.body = answer.body;
        resolve();
      };
      const answerWith = (body: WebhookBody | null): void => {
        const answer = webhooks.answer({ method: ctx.method, body, headers: ctx.req.headers });
        if (answer instanceof Promise) answer.then(send, reject);
        else send(answer);
      };
      if (ctx.method !== 'POST') {
        answerWith(null);
        return;
      }
      let body: WebhookBody | undefined;
      try {
        body = keptBody(ctx);
      } catch (error) {
        send(answerError(error, logger));
        return;
      }
      if (body !== undefined) {
        answerWith(body);
        return;
      }
      readNodeBody(ctx.req, maxBodyBytes, (error, bytes) => {
        if (bytes !== undefined) answerWith(bytes);
        else if (error === CLIENT_ABORTED) {
          logger.warn(
            `polar-webhooks: the client closed the connection before sending the whole body (webhook-id ${String(
              ctx.get('webhook-id') || 'absent',
            )}); nothing was processed. Polar retries deliveries it could not complete.`,
          );
          // Nobody is left to read an answer: Koa must not write one.
          ctx.respond = false;
          resolve();
        } else if (error instanceof PolarWebhookError) send(answerError(error, logger));
        else reject(error);
      });
    });
}

/**
 * A `Webhooks({ webhookSecret, on… })` with the option names of Polar's other adapters (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …, a handler for every one of the 42 event types). Returns Koa middleware.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'polar-webhooks/koa';
 *
 * router.post('/polar/webhooks', Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * }));
 * ```
 */
export function Webhooks(options: WebhooksOptions): KoaWebhookMiddleware {
  return createKoaMiddleware(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
