/**
 * `polar-webhooks/schemas`: the zod schemas (zod v4, imported from `zod/v4`) and TypeScript types of
 * every Polar webhook payload and data model, per API version, for validating or typing Polar data
 * yourself.
 *
 * - `PolarWebhookEventSchema` validates any payload (picks the version by `api_version`, the schema
 *   by `type`); `EVENT_SCHEMAS['2026-10']['order.paid']` validates one event type of one version.
 * - One schema per data model: `OrderSchema`, `SubscriptionSchema`, `CheckoutSchema`, `CustomerSchema`,
 *   `CustomerStateSchema`, `BenefitSchema`, ... each typed with the interface of the same name.
 *   Where API versions differ, `OrderSchema` accepts what any version sends, and each version's
 *   own is there too (`Order_2026_10Schema`, typed `Order_2026_10`; its doc says which versions).
 *
 * What the schemas accept: Polar's wire shape (snake_case keys, date-times as ISO strings). Unknown
 * keys are kept, enum values Polar adds later are accepted, and a benefit, price or customer of a new
 * kind is checked against the fields all kinds share instead of being rejected. Fields Polar added
 * after some events were made are optional (older events are redelivered without them); required
 * fields, nullability and primitive types are enforced.
 *
 * @example
 * ```ts
 * import { OrderSchema, type Order } from 'polar-webhooks/schemas';
 *
 * const order: Order = OrderSchema.parse(await polar.orders.get({ id }));
 * ```
 *
 * @module
 */
import { BenefitGrantWebhookSchema } from './events/generated/schemas';
import type { BenefitGrantWebhook } from './events/generated/types';

export * from './events/generated/schemas';
export type * from './events/generated/types';
export { EVENT_SCHEMA_BY_VERSION, PolarWebhookEventSchema } from './events/event-schema';
export { API_VERSIONS, DEFAULT_API_VERSION, type PolarApiVersion } from './events/api-version';
export { EVENT_DATA_MODELS, EVENT_TYPES, type PolarWebhookEvent, type PolarWebhookEventType } from './events/catalogue';

/** A benefit grant as webhooks carry it; the same as {@link BenefitGrantWebhook}. */
export type BenefitGrant = BenefitGrantWebhook;

/** Schema of {@link BenefitGrant}; the same as `BenefitGrantWebhookSchema`. */
export const BenefitGrantSchema = BenefitGrantWebhookSchema;
