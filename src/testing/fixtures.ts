/**
 * Realistic payloads of every event type, for tests: {@link createEvent} returns a fresh, typed copy of
 * one, with your overrides merged in. The payloads are bundled with the code (no file-system access),
 * so this works on every runtime.
 *
 * @module
 */
import { UnknownEventTypeError } from '../errors';
import { isPolarWebhookEventType, type PolarWebhookEvent, type PolarWebhookEventType } from '../events/catalogue';
import { parseEvent } from '../events/parse';

import benefitCreated from '../../fixtures/benefit.created.json' with { type: 'json' };
import benefitUpdated from '../../fixtures/benefit.updated.json' with { type: 'json' };
import benefitGrantCreated from '../../fixtures/benefit_grant.created.json' with { type: 'json' };
import benefitGrantCycled from '../../fixtures/benefit_grant.cycled.json' with { type: 'json' };
import benefitGrantRevoked from '../../fixtures/benefit_grant.revoked.json' with { type: 'json' };
import benefitGrantUpdated from '../../fixtures/benefit_grant.updated.json' with { type: 'json' };
import checkoutCreated from '../../fixtures/checkout.created.json' with { type: 'json' };
import checkoutExpired from '../../fixtures/checkout.expired.json' with { type: 'json' };
import checkoutUpdated from '../../fixtures/checkout.updated.json' with { type: 'json' };
import customerCreated from '../../fixtures/customer.created.json' with { type: 'json' };
import customerDeleted from '../../fixtures/customer.deleted.json' with { type: 'json' };
import customerStateChanged from '../../fixtures/customer.state_changed.json' with { type: 'json' };
import customerUpdated from '../../fixtures/customer.updated.json' with { type: 'json' };
import customerSeatAssigned from '../../fixtures/customer_seat.assigned.json' with { type: 'json' };
import customerSeatClaimed from '../../fixtures/customer_seat.claimed.json' with { type: 'json' };
import customerSeatRevoked from '../../fixtures/customer_seat.revoked.json' with { type: 'json' };
import discountCreated from '../../fixtures/discount.created.json' with { type: 'json' };
import discountDeleted from '../../fixtures/discount.deleted.json' with { type: 'json' };
import discountUpdated from '../../fixtures/discount.updated.json' with { type: 'json' };
import memberCreated from '../../fixtures/member.created.json' with { type: 'json' };
import memberDeleted from '../../fixtures/member.deleted.json' with { type: 'json' };
import memberUpdated from '../../fixtures/member.updated.json' with { type: 'json' };
import orderCreated from '../../fixtures/order.created.json' with { type: 'json' };
import orderPaid from '../../fixtures/order.paid.json' with { type: 'json' };
import orderRefunded from '../../fixtures/order.refunded.json' with { type: 'json' };
import orderUpdated from '../../fixtures/order.updated.json' with { type: 'json' };
import organizationUpdated from '../../fixtures/organization.updated.json' with { type: 'json' };
import productCreated from '../../fixtures/product.created.json' with { type: 'json' };
import productUpdated from '../../fixtures/product.updated.json' with { type: 'json' };
import refundCreated from '../../fixtures/refund.created.json' with { type: 'json' };
import refundUpdated from '../../fixtures/refund.updated.json' with { type: 'json' };
import subscriptionActive from '../../fixtures/subscription.active.json' with { type: 'json' };
import subscriptionCanceled from '../../fixtures/subscription.canceled.json' with { type: 'json' };
import subscriptionCreated from '../../fixtures/subscription.created.json' with { type: 'json' };
import subscriptionCycled from '../../fixtures/subscription.cycled.json' with { type: 'json' };
import subscriptionMigrated from '../../fixtures/subscription.migrated.json' with { type: 'json' };
import subscriptionPastDue from '../../fixtures/subscription.past_due.json' with { type: 'json' };
import subscriptionPaused from '../../fixtures/subscription.paused.json' with { type: 'json' };
import subscriptionResumed from '../../fixtures/subscription.resumed.json' with { type: 'json' };
import subscriptionRevoked from '../../fixtures/subscription.revoked.json' with { type: 'json' };
import subscriptionUncanceled from '../../fixtures/subscription.uncanceled.json' with { type: 'json' };
import subscriptionUpdated from '../../fixtures/subscription.updated.json' with { type: 'json' };

/** Event type → its fixture, as Polar would deliver it. */
const FIXTURES: { readonly [K in PolarWebhookEventType]: unknown } = {
  'benefit.created': benefitCreated,
  'benefit.updated': benefitUpdated,
  'benefit_grant.created': benefitGrantCreated,
  'benefit_grant.cycled': benefitGrantCycled,
  'benefit_grant.revoked': benefitGrantRevoked,
  'benefit_grant.updated': benefitGrantUpdated,
  'checkout.created': checkoutCreated,
  'checkout.expired': checkoutExpired,
  'checkout.updated': checkoutUpdated,
  'customer.created': customerCreated,
  'customer.deleted': customerDeleted,
  'customer.state_changed': customerStateChanged,
  'customer.updated': customerUpdated,
  'customer_seat.assigned': customerSeatAssigned,
  'customer_seat.claimed': customerSeatClaimed,
  'customer_seat.revoked': customerSeatRevoked,
  'discount.created': discountCreated,
  'discount.deleted': discountDeleted,
  'discount.updated': discountUpdated,
  'member.created': memberCreated,
  'member.deleted': memberDeleted,
  'member.updated': memberUpdated,
  'order.created': orderCreated,
  'order.paid': orderPaid,
  'order.refunded': orderRefunded,
  'order.updated': orderUpdated,
  'organization.updated': organizationUpdated,
  'product.created': productCreated,
  'product.updated': productUpdated,
  'refund.created': refundCreated,
  'refund.updated': refundUpdated,
  'subscription.active': subscriptionActive,
  'subscription.canceled': subscriptionCanceled,
  'subscription.created': subscriptionCreated,
  'subscription.cycled': subscriptionCycled,
  'subscription.migrated': subscriptionMigrated,
  'subscription.past_due': subscriptionPastDue,
  'subscription.paused': subscriptionPaused,
  'subscription.resumed': subscriptionResumed,
  'subscription.revoked': subscriptionRevoked,
  'subscription.uncanceled': subscriptionUncanceled,
  'subscription.updated': subscriptionUpdated,
};

/**
 * What {@link createEvent} accepts as overrides: any part of the event, nested objects merged key by
 * key, arrays and `null` replacing what is there. Keys set to `undefined` are left as they are.
 */
export type EventOverrides<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: EventOverrides<T[K]> }
    : T;

/**
 * A valid, typed event of the given type, built from a realistic payload (UUIDs, ISO dates, amounts
 * in cents, nested customer, product, prices and benefits). Each call returns a new deep copy, so
 * tests can change it freely.
 *
 * `overrides` is merged into the copy: objects key by key, arrays replaced whole. The result is
 * validated like a real delivery, so an override that breaks the schema throws here, not later.
 *
 * @throws `UnknownEventTypeError` for a type that is not in the catalogue.
 * @throws `WebhookPayloadError` when the overrides make the event invalid.
 *
 * @example
 * ```ts
 * import { createEvent } from 'polar-webhooks/testing';
 *
 * const event = createEvent('order.paid', { data: { total_amount: 4900, customer: { email: 'a@b.co' } } });
 * ```
 */
export function createEvent<T extends PolarWebhookEventType>(
  type: T,
  overrides?: EventOverrides<Omit<PolarWebhookEvent<T>, 'type'>>,
): PolarWebhookEvent<T> {
  if (!isPolarWebhookEventType(type)) throw new UnknownEventTypeError(String(type), overrides);
  const event = structuredClone(FIXTURES[type]) as Record<string, unknown>;
  if (overrides !== undefined) merge(event, overrides as Record<string, unknown>);
  event['type'] = type;
  return parseEvent(event) as PolarWebhookEvent<T>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function merge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || key === '__proto__') continue;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) merge(current, value);
    else target[key] = isPlainObject(value) || Array.isArray(value) ? structuredClone(value) : value;
  }
}
