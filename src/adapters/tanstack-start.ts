/**
 * `polar-webhooks/tanstack-start`: the router as a TanStack Start server route handler, for the `POST`
 * of a server route.
 *
 * @module
 */

import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { answerFetchRequest } from './fetch-request';

/**
 * A TanStack Start server route handler. Declared structurally (what it reads of the handler's
 * context), so it fits both ways of declaring server routes: `createFileRoute(path)({ server: { handlers:
 * { POST } } })` and `createServerFileRoute(path).methods({ POST })`.
 */
export type TanStackStartWebhookHandler = (context: { readonly request: Request }) => Promise<Response>;

const TANSTACK_START_FIX =
  'In TanStack Start that is a request or server route middleware reading request: read a copy there with ' +
  'request.clone().json(), or let the webhook route through untouched.';

/**
 * A TanStack Start server route handler that answers Polar deliveries with the router's HTTP policy,
 * from the handler's `request`. Register it for `ANY` too to answer other methods with 405 and
 * `Allow: POST`. If a middleware already read the body, the answer is 500 `body_already_parsed` with
 * how to fix it.
 *
 * @example
 * ```ts
 * // src/routes/api/webhooks/polar.ts
 * import { createFileRoute } from '@tanstack/react-router';
 * import { createTanStackStartHandler } from 'polar-webhooks/tanstack-start';
 * import { webhooks } from '../../../webhooks';
 *
 * export const Route = createFileRoute('/api/webhooks/polar')({
 *   server: { handlers: { POST: createTanStackStartHandler(webhooks) } },
 * });
 * ```
 */
export function createTanStackStartHandler(webhooks: WebhookRouter): TanStackStartWebhookHandler {
  return ({ request }) => answerFetchRequest(webhooks, request, TANSTACK_START_FIX);
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/tanstack-start`: the same option names
 * (`webhookSecret`, `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types.
 * Returns a server route handler.
 *
 * @example
 * ```ts
 * // src/routes/api/webhooks/polar.ts
 * import { createFileRoute } from '@tanstack/react-router';
 * import { Webhooks } from 'polar-webhooks/tanstack-start';
 *
 * export const Route = createFileRoute('/api/webhooks/polar')({
 *   server: {
 *     handlers: {
 *       POST: Webhooks({
 *         webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *         onOrderPaid: async (payload) => fulfil(payload.data.id),
 *       }),
 *     },
 *   },
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): TanStackStartWebhookHandler {
  return createTanStackStartHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
