/**
 * The event catalogue: every webhook event type Polar sends, and everything derived from that one
 * list — the type union, the payload types, the handler names (`onOrderPaid`) and the union schema.
 * The list itself is generated from the spec (`x-event-types`) into `./generated/catalogue.ts`.
 *
 * @module
 */
import type { z } from 'zod/v4';

import { EVENT_SCHEMAS, EVENT_TYPES } from './generated/catalogue';
import type { PolarWebhookEventMap } from './generated/types';
import { openUnion } from './zod-helpers';

export { EVENT_DATA_MODELS, EVENT_DESCRIPTIONS, EVENT_SCHEMAS, EVENT_TYPES } from './generated/catalogue';
export type { PolarWebhookEventMap } from './generated/types';

/** One of the 42 event types, e.g. `'order.paid'` or `'customer.state_changed'`. */
export type PolarWebhookEventType = (typeof EVENT_TYPES)[number];

/**
 * A webhook event: `{ type, timestamp, api_version, data }` in Polar's wire shape (snake_case keys,
 * date-times as ISO 8601 strings).
 *
 * `PolarWebhookEvent<'order.paid'>` is that one event; `PolarWebhookEvent` alone is the union of all
 * of them, which narrows on `type`:
 *
 * @example
 * ```ts
 * function handle(event: PolarWebhookEvent) {
 *   if (event.type === 'order.paid') {
 *     console.log(event.data.total_amount); // event.data is an Order
 *   }
 * }
 * ```
 */
export type PolarWebhookEvent<T extends PolarWebhookEventType = PolarWebhookEventType> = PolarWebhookEventMap[T];

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

/**
 * Schema of any webhook payload: picks the payload schema by `type` (one lookup, one parse; it never
 * tries the 42 schemas in turn). An unknown `type` is an issue at `type`. `parseEvent` is usually
 * what you want: it turns failures into typed errors.
 */
export const PolarWebhookEventSchema: z.ZodType<PolarWebhookEvent> = openUnion<PolarWebhookEvent>({
  discriminator: 'type',
  options: EVENT_SCHEMAS,
});
