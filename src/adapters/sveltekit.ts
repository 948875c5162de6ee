/**
 * `polar-webhooks/sveltekit`: the router as a SvelteKit `RequestHandler`, for `export const POST` in a
 * `+server.ts` route (any adapter: Node, Vercel, Netlify, Cloudflare).
 *
 * @module
 */

import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { answerFetchRequest } from './fetch-request';

/**
 * A SvelteKit request handler. Declared structurally (what it reads of the `RequestEvent`), so it fits
 * `export const POST` without depending on the types SvelteKit generates for each route.
 */
export type SvelteKitWebhookHandler = (event: { readonly request: Request }) => Promise<Response>;

const SVELTEKIT_FIX =
  'In SvelteKit that is a handle hook in src/hooks.server.ts (or a handler before this one) reading event.request: ' +
  'read a copy there with event.request.clone().json(), or let the webhook path through untouched ' +
  "(if (event.url.pathname === '/webhooks/polar') return resolve(event)).";

/**
 * A SvelteKit `RequestHandler` that answers Polar deliveries with the router's HTTP policy, from
 * `event.request`. If a hook already read the body, the answer is 500 `body_already_parsed` with how to
 * fix it. Export it as `fallback` too to answer other methods with 405 and `Allow: POST` in the same JSON
 * shape (SvelteKit otherwise answers them 405 itself, in text).
 *
 * @example
 * ```ts
 * // src/routes/webhooks/polar/+server.ts
 * import { createSvelteKitHandler } from 'polar-webhooks/sveltekit';
 * import { webhooks } from '$lib/server/webhooks';
 *
 * export const POST = createSvelteKitHandler(webhooks);
 * ```
 */
export function createSvelteKitHandler(webhooks: WebhookRouter): SvelteKitWebhookHandler {
  return ({ request }) => answerFetchRequest(webhooks, request, SVELTEKIT_FIX);
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/sveltekit`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types. Returns a
 * SvelteKit `RequestHandler`.
 *
 * @example
 * ```ts
 * // src/routes/webhooks/polar/+server.ts
 * import { Webhooks } from 'polar-webhooks/sveltekit';
 * import { env } from '$env/dynamic/private';
 *
 * export const POST = Webhooks({
 *   webhookSecret: () => env.POLAR_WEBHOOK_SECRET,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): SvelteKitWebhookHandler {
  return createSvelteKitHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
