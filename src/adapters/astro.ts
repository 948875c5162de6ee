/**
 * `polar-webhooks/astro`: the router as an Astro `APIRoute`, for `export const POST` in an endpoint
 * under `src/pages/` rendered on demand (any adapter: Node, Vercel, Netlify, Cloudflare).
 *
 * @module
 */

import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { answerFetchRequest } from './fetch-request';

/**
 * An Astro API route. Declared structurally (what it reads of the `APIContext`), so it fits
 * `export const POST` without depending on Astro's types.
 */
export type AstroWebhookRoute = (context: { readonly request: Request }) => Promise<Response>;

const ASTRO_FIX =
  'In Astro that is middleware (src/middleware.ts) reading context.request: read a copy there with ' +
  'context.request.clone().json(), or return next() before reading for the webhook path.';

/**
 * An Astro `APIRoute` that answers Polar deliveries with the router's HTTP policy, from
 * `context.request`. The endpoint must be rendered on demand (`export const prerender = false`, or
 * `output: 'server'`), as any route that receives POSTs. If middleware already read the body, the
 * answer is 500 `body_already_parsed` with how to fix it. Export it as `ALL` too to answer other methods
 * with 405 and `Allow: POST`.
 *
 * @example
 * ```ts
 * // src/pages/webhooks/polar.ts
 * import { createAstroHandler } from 'polar-webhooks/astro';
 * import { webhooks } from '../../lib/webhooks';
 *
 * export const prerender = false;
 * export const POST = createAstroHandler(webhooks);
 * ```
 */
export function createAstroHandler(webhooks: WebhookRouter): AstroWebhookRoute {
  return ({ request }) => answerFetchRequest(webhooks, request, ASTRO_FIX);
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/astro`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types. Returns an Astro
 * `APIRoute`.
 *
 * @example
 * ```ts
 * // src/pages/webhooks/polar.ts
 * import { Webhooks } from 'polar-webhooks/astro';
 * import { POLAR_WEBHOOK_SECRET } from 'astro:env/server';
 *
 * export const prerender = false;
 * export const POST = Webhooks({
 *   webhookSecret: POLAR_WEBHOOK_SECRET,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): AstroWebhookRoute {
  return createAstroHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
