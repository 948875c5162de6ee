/**
 * The event catalogue: every webhook event type Polar sends, and everything derived from that one
 * list — the type union, the payload types of every API version, the handler names (`onOrderPaid`).
 * The list itself is generated from the specs (`x-event-types`) into `./generated/catalogue.ts`.
 * No zod here: the router reads this on every delivery (the zod schemas are in `../schemas`).
 *
 * @module
 */
import type { PolarApiVersion } from './api-version';
import { EVENT_TYPES } from './generated/catalogue';
import type { PolarWebhookEventMapByVersion } from './generated/types';

export { EVENT_DATA_MODELS, EVENT_DESCRIPTIONS, EVENT_TYPES } from './generated/catalogue';
export type { PolarWebhookEventMap, PolarWebhookEventMapByVersion } from './generated/types';

/** One of the 42 event types, e.g. `'order.paid'` or `'customer.state_changed'`. */
export type PolarWebhookEventType = (typeof EVENT_TYPES)[number];

/**
 * A webhook event: `{ type, timestamp, api_version, data }` in Polar's wire shape (snake_case keys,
 * date-times as ISO 8601 strings), as API version `V` sends it.
 *
 * `PolarWebhookEvent<'order.paid'>` is that one event in any version; `PolarWebhookEvent` alone is
 * every event of every version, which narrows on `type` (and on `api_version` where versions
 * differ). Without `V` the type is what an endpoint can receive whatever its version: events
 * created before Polar versioned its webhooks, and events redelivered after the endpoint's version
 * changed, arrive in another version's shape than the endpoint's.
 *
 * @example
 * ```ts
 * function handle(event: PolarWebhookEvent) {
 *   if (event.type === 'order.paid') {
 *     console.log(event.data.total_amount); // event.data is an Order
 *   }
 * }
 * type PaidIn202610 = PolarWebhookEvent<'order.paid', '2026-10'>;
 * ```
 */
export type PolarWebhookEvent<
  T extends PolarWebhookEventType = PolarWebhookEventType,
  V extends PolarApiVersion = PolarApiVersion,
> = V extends PolarApiVersion
  ? T extends keyof PolarWebhookEventMapByVersion[V]
    ? PolarWebhookEventMapByVersion[V][T]
    : never
  : never;

type PascalCase<S extends string> = S extends `${infer Head}_${infer Rest}`
  ? `${Capitalize<Head>}${PascalCase<Rest>}`
  : Capitalize<S>;

/**
 * The handler name of an event type: `'on'` + the type in PascalCase, dots and underscores removed
 * (`'benefit_grant.cycled'` → `'onBenefitGrantCycled'`).
 */
export type PolarWebhookHandlerName<T extends PolarWebhookEventType = PolarWebhookEventType> =
  T extends `${infer Resource}.${infer Action}` ? `on${PascalCase<Resource>}${PascalCase<Action>}` : never;

const handlerName = (type: string): string =>
  'on' +
  type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** Event type → handler name, e.g. `EVENT_HANDLER_NAMES['order.paid'] === 'onOrderPaid'`. */
export const EVENT_HANDLER_NAMES: { readonly [K in PolarWebhookEventType]: PolarWebhookHandlerName<K> } = Object.freeze(
  Object.fromEntries(EVENT_TYPES.map((type) => [type, handlerName(type)])),
) as { readonly [K in PolarWebhookEventType]: PolarWebhookHandlerName<K> };

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Whether `value` is one of the event types this version knows. */
export function isPolarWebhookEventType(value: unknown): value is PolarWebhookEventType {
  return typeof value === 'string' && KNOWN_TYPES.has(value);
}
