/**
 * The link between a router and the adapters that read bodies themselves (Express, Next.js Pages
 * Router): they answer through the router's own delivery path, which finishes synchronously when it
 * can, instead of the promise-returning `respond`. Kept out of the public `Webhooks` interface.
 *
 * @module
 */

import type { WebhookHttpDelivery, WebhookResponse, Webhooks } from './types';

/**
 * Applies the HTTP policy to a delivery whose body is in hand. Returns the answer itself when
 * every step finished synchronously, or a promise of it; never throws, and the promise never
 * rejects. The answer may be shared between deliveries: read it, never change it.
 */
export type Deliverer = (delivery: WebhookHttpDelivery) => WebhookResponse | Promise<WebhookResponse>;

const deliverers = new WeakMap<Webhooks, Deliverer>();

/** Records the delivery path of a router made by `createWebhooks`. */
export function registerDeliverer(webhooks: Webhooks, deliverer: Deliverer): void {
  deliverers.set(webhooks, deliverer);
}

/**
 * The delivery path of `webhooks`: its own when `createWebhooks` made it (in this copy of the
 * package), otherwise its public `respond`, which any object shaped like a router has (its answer
 * taken as a native promise, whatever kind of thenable it returns).
 */
export function delivererOf(webhooks: Webhooks): Deliverer {
  return deliverers.get(webhooks) ?? ((delivery) => Promise.resolve(webhooks.respond(delivery)));
}
