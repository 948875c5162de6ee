/**
 * Realistic payloads of every event type in every API version, for tests: {@link createEvent} returns a
 * fresh, typed copy of one, with your overrides merged in. The payloads are bundled with the code (no
 * file-system access), so this works on every runtime.
 *
 * @module
 */
import { UnknownEventTypeError } from '../errors';
import { checkApiVersionOption, DEFAULT_API_VERSION, type PolarApiVersion } from '../events/api-version';
import { isPolarWebhookEventType, type PolarWebhookEvent, type PolarWebhookEventType } from '../events/catalogue';
import { parseEvent } from '../events/parse';

import benefitCreated from '../../fixtures/2026-04/benefit.created.json' with { type: 'json' };
import benefitUpdated from '../../fixtures/2026-04/benefit.updated.json' with { type: 'json' };
import benefitGrantCreated from '../../fixtures/2026-04/benefit_grant.created.json' with { type: 'json' };
import benefitGrantCycled from '../../fixtures/2026-04/benefit_grant.cycled.json' with { type: 'json' };
import benefitGrantRevoked from '../../fixtures/2026-04/benefit_grant.revoked.json' with { type: 'json' };
import benefitGrantUpdated from '../../fixtures/2026-04/benefit_grant.updated.json' with { type: 'json' };
import checkoutCreated from '../../fixtures/2026-04/checkout.created.json' with { type: 'json' };
import checkoutExpired from '../../fixtures/2026-04/checkout.expired.json' with { type: 'json' };
import checkoutUpdated from '../../fixtures/2026-04/checkout.updated.json' with { type: 'json' };
import customerCreated from '../../fixtures/2026-04/customer.created.json' with { type: 'json' };
import customerDeleted from '../../fixtures/2026-04/customer.deleted.json' with { type: 'json' };
import customerStateChanged from '../../fixtures/2026-04/customer.state_changed.json' with { type: 'json' };
import customerUpdated from '../../fixtures/2026-04/customer.updated.json' with { type: 'json' };
import customerSeatAssigned from '../../fixtures/2026-04/customer_seat.assigned.json' with { type: 'json' };
import customerSeatClaimed from '../../fixtures/2026-04/customer_seat.claimed.json' with { type: 'json' };
import customerSeatRevoked from '../../fixtures/2026-04/customer_seat.revoked.json' with { type: 'json' };
import discountCreated from '../../fixtures/2026-04/discount.created.json' with { type: 'json' };
import discountDeleted from '../../fixtures/2026-04/discount.deleted.json' with { type: 'json' };
import discountUpdated from '../../fixtures/2026-04/discount.updated.json' with { type: 'json' };
import memberCreated from '../../fixtures/2026-04/member.created.json' with { type: 'json' };
import memberDeleted from '../../fixtures/2026-04/member.deleted.json' with { type: 'json' };
import memberUpdated from '../../fixtures/2026-04/member.updated.json' with { type: 'json' };
import orderCreated from '../../fixtures/2026-04/order.created.json' with { type: 'json' };
import orderPaid from '../../fixtures/2026-04/order.paid.json' with { type: 'json' };
import orderRefunded from '../../fixtures/2026-04/order.refunded.json' with { type: 'json' };
import orderUpdated from '../../fixtures/2026-04/order.updated.json' with { type: 'json' };
import organizationUpdated from '../../fixtures/2026-04/organization.updated.json' with { type: 'json' };
import productCreated from '../../fixtures/2026-04/product.created.json' with { type: 'json' };
import productUpdated from '../../fixtures/2026-04/product.updated.json' with { type: 'json' };
import refundCreated from '../../fixtures/2026-04/refund.created.json' with { type: 'json' };
import refundUpdated from '../../fixtures/2026-04/refund.updated.json' with { type: 'json' };
import subscriptionActive from '../../fixtures/2026-04/subscription.active.json' with { type: 'json' };
import subscriptionCanceled from '../../fixtures/2026-04/subscription.canceled.json' with { type: 'json' };
import subscriptionCreated from '../../fixtures/2026-04/subscription.created.json' with { type: 'json' };
import subscriptionCycled from '../../fixtures/2026-04/subscription.cycled.json' with { type: 'json' };
import subscriptionMigrated from '../../fixtures/2026-04/subscription.migrated.json' with { type: 'json' };
import subscriptionPastDue from '../../fixtures/2026-04/subscription.past_due.json' with { type: 'json' };
import subscriptionPaused from '../../fixtures/2026-04/subscription.paused.json' with { type: 'json' };
import subscriptionResumed from '../../fixtures/2026-04/subscription.resumed.json' with { type: 'json' };
import subscriptionRevoked from '../../fixtures/2026-04/subscription.revoked.json' with { type: 'json' };
import subscriptionUncanceled from '../../fixtures/2026-04/subscription.uncanceled.json' with { type: 'json' };
import subscriptionUpdated from '../../fixtures/2026-04/subscription.updated.json' with { type: 'json' };
import productUpdated202701 from '../../fixtures/2027-01/product.updated.json' with { type: 'json' };

/** Event type → its fixture in the default (oldest) API version, as Polar would deliver it. */
const BASE: { readonly [K in PolarWebhookEventType]: unknown } = {
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
 * The fixtures of other versions that differ from the default version's by more than `api_version`
 * (fixtures/<version>/<type>.json; the fixtures test checks that every other one is the default
 * version's with its `api_version` changed). Kept this short, the bundle carries one set of payloads.
 */
const OTHER: { readonly [V in PolarApiVersion]?: { readonly [K in PolarWebhookEventType]?: unknown } } = {
  '2027-01': { 'product.updated': productUpdated202701 },
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

/** Options of {@link createEvent}. */
export interface CreateEventOptions<V extends PolarApiVersion = PolarApiVersion> {
  /**
   * The API version the event is in (its `api_version`, and its shape): the one your endpoint is set
   * to. Defaults to the oldest, the version of endpoints created without a choice.
   */
  readonly apiVersion?: V;
}

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
 * @throws `WebhookConfigurationError` (`invalid_option`) for an API version this package does not know.
 *
 * @example
 * ```ts
 * import { createEvent } from 'polar-webhooks/testing';
 *
 * const event = createEvent('order.paid', { data: { total_amount: 4900, customer: { email: 'a@b.co' } } });
 * const newer = createEvent('product.updated', undefined, { apiVersion: '2027-01' });
 * ```
 */
export function createEvent<T extends PolarWebhookEventType, V extends PolarApiVersion = typeof DEFAULT_API_VERSION>(
  type: T,
  overrides?: EventOverrides<Omit<PolarWebhookEvent<T, V>, 'type'>>,
  options?: CreateEventOptions<V>,
): PolarWebhookEvent<T, V> {
  const version = checkApiVersionOption(options?.apiVersion, 'createEvent') ?? DEFAULT_API_VERSION;
  if (!isPolarWebhookEventType(type)) throw new UnknownEventTypeError(String(type), overrides);
  const source = OTHER[version]?.[type] ?? BASE[type];
  const event = structuredClone(source) as Record<string, unknown>;
  event['api_version'] = version;
  if (overrides !== undefined) merge(event, overrides as Record<string, unknown>);
  event['type'] = type;
  return parseEvent(event) as PolarWebhookEvent<T, V>;
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
