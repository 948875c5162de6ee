/**
 * `polar-webhooks/schemas`: the zod schemas (zod v4, imported from `zod/v4`) and TypeScript types of
 * every Polar webhook payload and data model, for validating or typing Polar data yourself.
 *
 * - `PolarWebhookEventSchema` validates any payload (picks the schema by `type`);
 *   `EVENT_SCHEMAS['order.paid']` or `WebhookOrderPaidPayloadSchema` validate one event type.
 * - One schema per data model: `OrderSchema`, `SubscriptionSchema`, `CheckoutSchema`, `CustomerSchema`,
 *   `CustomerStateSchema`, `BenefitSchema`, ... each typed with the interface of the same name.
 *
 * What the schemas accept: Polar's wire shape (snake_case keys, date-times as ISO strings). Unknown
 * keys are kept, enum values Polar adds later are accepted, and a benefit, price or customer of a new
 * kind is checked against the fields all kinds share instead of being rejected. Required fields,
 * nullability and primitive types are enforced.
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
export {
  EVENT_DATA_MODELS,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  PolarWebhookEventSchema,
  type PolarWebhookEvent,
  type PolarWebhookEventType,
} from './events/catalogue';

/** A benefit grant as webhooks carry it; the same as {@link BenefitGrantWebhook}. */
export type BenefitGrant = BenefitGrantWebhook;

/** Schema of {@link BenefitGrant}; the same as `BenefitGrantWebhookSchema`. */
export const BenefitGrantSchema = BenefitGrantWebhookSchema;
