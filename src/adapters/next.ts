/**
 * `polar-webhooks/next`: the router as a Next.js App Router route handler (Node and Edge runtimes)
 * and as a Pages Router API route.
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { createNodeHandler, type NodeWebhookRequest } from './node';

/** An App Router route handler: `export const POST = …` in `app/…/route.ts`. */
export type NextRouteHandler = (request: Request) => Promise<Response>;

/** A Pages Router API route: `export default …` in `pages/api/…`. */
export type NextPagesHandler = (req: NodeWebhookRequest, res: ServerResponse) => Promise<void>;

const PAGES_FIX =
  'In the Pages Router, turn the body parser off for this route: export const config = { api: { bodyParser: false } }.';

/**
 * An App Router `POST` handler. Uses only `Request` and `Response`, so the route can run on the
 * Node.js runtime or with `export const runtime = 'edge'`.
 *
 * @example
 * ```ts
 * // app/api/webhooks/polar/route.ts
 * import { createNextRouteHandler } from 'polar-webhooks/next';
 * import { webhooks } from '@/lib/webhooks';
 *
 * export const POST = createNextRouteHandler(webhooks);
 * ```
 */
export function createNextRouteHandler(webhooks: WebhookRouter): NextRouteHandler {
  return webhooks.handle;
}

/**
 * A Pages Router API route. Next.js parses request bodies by default, which destroys the raw bytes
 * the signature covers: export `config` with the body parser off, as below. If it is left on, every
 * delivery is answered 500 `body_already_parsed` with that instruction.
 *
 * @example
 * ```ts
 * // pages/api/webhooks/polar.ts
 * import { createNextPagesHandler } from 'polar-webhooks/next';
 * import { webhooks } from '@/lib/webhooks';
 *
 * export const config = { api: { bodyParser: false } };
 * export default createNextPagesHandler(webhooks);
 * ```
 */
export function createNextPagesHandler(webhooks: WebhookRouter): NextPagesHandler {
  const handle = createNodeHandler(webhooks, PAGES_FIX);
  // Next.js waits for the promise: it settles once the answer is written.
  return (req, res) =>
    new Promise((resolve, reject) => handle(req, res, (error) => (error === undefined ? resolve() : reject(error))));
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/nextjs`: the same option names
 * (`webhookSecret`, `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event
 * types. Returns an App Router `POST` handler (Node.js or Edge runtime).
 *
 * @example
 * ```ts
 * // app/api/webhooks/polar/route.ts
 * import { Webhooks } from 'polar-webhooks/next';
 *
 * export const POST = Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onSubscriptionRevoked: async (payload) => revokeAccess(payload.data.customer_id),
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): NextRouteHandler {
  return createNextRouteHandler(createCompatWebhooks(options));
}

export type { NodeWebhookRequest, ParsedBodyFields } from './node';
export type { WebhooksOptions, EventHandlerOptions } from './compat';
