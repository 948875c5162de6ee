/**
 * `polar-webhooks/elysia`: the router as an Elysia handler (Bun, or any runtime Elysia runs on).
 *
 * Elysia parses a request body only when the route needs it, which it infers from the handler's own
 * source (its parameters, the context properties it reads). The handler here names only `request`
 * and reads nothing else from the context, so Elysia leaves the body unread and the raw bytes reach
 * the router. Keep it that way: reading `body` in this file would make Elysia parse every delivery.
 *
 * @module
 */

import { WebhookConfigurationError } from '../errors';
import { answerError, toResponse } from '../router/answer';
import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';

/** An Elysia handler for `app.post(path, handler)`: it needs only the context's `request`. */
export type ElysiaWebhookHandler = (context: { readonly request: Request }) => Promise<Response>;

const ELYSIA_FIX =
  'Elysia parsed the request body before the webhook handler ran (a body schema, a parse option, or an onParse hook ' +
  "on this route), so the raw bytes the signature covers are gone. Give the route { parse: 'none' } as its only " +
  "parser, app.post('/webhooks/polar', handler, { parse: 'none' }), and no body schema.";

/**
 * An Elysia handler that answers Polar deliveries with the router's HTTP policy, from the raw
 * `request`. If Elysia already consumed the body (the route declares a body schema or a parser), the
 * answer is 500 `body_already_parsed` with how to fix the route.
 *
 * @example
 * ```ts
 * import { Elysia } from 'elysia';
 * import { createWebhooks } from 'polar-webhooks';
 * import { createElysiaHandler } from 'polar-webhooks/elysia';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', (event) => console.log(event.data.id));
 *
 * new Elysia().post('/webhooks/polar', createElysiaHandler(webhooks)).listen(3000);
 * ```
 */
export function createElysiaHandler(webhooks: WebhookRouter): ElysiaWebhookHandler {
  const { handle, logger } = webhooks;
  // The parameter list is what Elysia reads to decide what to parse: `request` alone, destructured.
  return async ({ request }) => {
    if (!request.bodyUsed) return handle(request);
    return toResponse(answerError(new WebhookConfigurationError('body_already_parsed', ELYSIA_FIX), logger));
  };
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/elysia`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …), with a handler for every one of the 42 event types. Returns an Elysia handler.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'polar-webhooks/elysia';
 *
 * app.post('/polar/webhooks', Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * }));
 * ```
 */
export function Webhooks(options: WebhooksOptions): ElysiaWebhookHandler {
  return createElysiaHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
