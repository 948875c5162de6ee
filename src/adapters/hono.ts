/**
 * `polar-webhooks/hono`: the router as a Hono handler, on every runtime Hono runs on.
 *
 * @module
 */

import type { Context } from 'hono';
import { WebhookConfigurationError } from '../errors';
import { answerError, toResponse } from '../router/answer';
import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';

/** A Hono handler for `app.post(path, handler)`. */
export type HonoWebhookHandler = (c: Context) => Promise<Response>;

const HONO_FIX =
  'The request body was already consumed before the webhook handler (read straight from c.req.raw, or kept by Hono ' +
  'only as parsed data), so the raw bytes the signature covers are gone (re-serializing would change them). Mount the ' +
  'webhook route before that middleware, or have it read through c.req.text() / c.req.json(), whose raw text Hono keeps.';

/**
 * A Hono handler that answers Polar deliveries with the router's HTTP policy, from `c.req.raw`.
 * If a middleware already read the body through Hono (`c.req.text()`, `c.req.json()`,
 * `c.req.arrayBuffer()`), the raw copy Hono keeps is used; if the body is gone, the answer is 500
 * `body_already_parsed` with how to fix it.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { createHonoHandler } from 'polar-webhooks/hono';
 *
 * const app = new Hono();
 * app.post('/polar/webhooks', createHonoHandler(webhooks));
 * export default app;
 * ```
 */
export function createHonoHandler(webhooks: WebhookRouter): HonoWebhookHandler {
  return async (c) => {
    const request = c.req.raw;
    if (!request.bodyUsed) return webhooks.handle(request);
    const cache = c.req.bodyCache;
    const cached = cache.arrayBuffer ?? cache.text;
    if (cached === undefined) {
      return toResponse(answerError(new WebhookConfigurationError('body_already_parsed', HONO_FIX), webhooks.logger));
    }
    return toResponse(await webhooks.answer({ method: request.method, body: await cached, headers: request.headers }));
  };
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/hono`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types. Returns a Hono handler.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'polar-webhooks/hono';
 *
 * app.post('/polar/webhooks', Webhooks({
 *   webhookSecret: env.POLAR_WEBHOOK_SECRET,
 *   onCustomerStateChanged: async (payload) => syncAccess(payload.data),
 * }));
 * ```
 */
export function Webhooks(options: WebhooksOptions): HonoWebhookHandler {
  return createHonoHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
