/**
 * `polar-webhooks/react-router`: the router as a React Router 7 `action` (framework mode), for a resource
 * route; Remix 2 actions have the same shape.
 *
 * @module
 */

import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { answerFetchRequest } from './fetch-request';

/**
 * A React Router (or Remix) `action`. Declared structurally (what it reads of the action's arguments),
 * so it fits `export const action` in React Router 7 and Remix 2 alike, without depending on either.
 */
export type ReactRouterWebhookAction = (args: { readonly request: Request }) => Promise<Response>;

const REACT_ROUTER_FIX =
  'In React Router that is a middleware (a route module exporting middleware, or a parent route) reading ' +
  'request: read a copy there with request.clone().json(), or let the webhook route through untouched.';

/**
 * A React Router `action` that answers Polar deliveries with the router's HTTP policy, from the
 * action's `request`. Put it in a resource route (a route module with no default component). Export it
 * as `loader` too to answer GET with 405 and `Allow: POST` (React Router otherwise answers a GET to a
 * route without a loader with an error of its own). If a middleware already read the body, the answer
 * is 500 `body_already_parsed` with how to fix it.
 *
 * @example
 * ```ts
 * // app/routes/webhooks.polar.ts
 * import { createReactRouterAction } from 'polar-webhooks/react-router';
 * import { webhooks } from '~/webhooks.server';
 *
 * export const action = createReactRouterAction(webhooks);
 * ```
 */
export function createReactRouterAction(webhooks: WebhookRouter): ReactRouterWebhookAction {
  return ({ request }) => answerFetchRequest(webhooks, request, REACT_ROUTER_FIX);
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/remix`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types. Returns an
 * `action` for React Router 7 or Remix 2.
 *
 * @example
 * ```ts
 * // app/routes/webhooks.polar.ts
 * import { Webhooks } from 'polar-webhooks/react-router';
 *
 * export const action = Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): ReactRouterWebhookAction {
  return createReactRouterAction(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
