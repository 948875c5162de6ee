import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod/v4';

import { API_VERSIONS, DEFAULT_API_VERSION, type PolarApiVersion } from '../../src/events/api-version';
import {
  EVENT_HANDLER_NAMES,
  type PolarWebhookEvent,
  type PolarWebhookEventType,
  type PolarWebhookHandlerName,
} from '../../src/events/catalogue';
import { parseEvent, safeParseEvent } from '../../src/events/parse';
import type {
  Address,
  Benefit,
  BenefitGrant,
  BenefitGrantWebhook,
  BenefitLicenseKeys,
  Checkout,
  Customer,
  CustomerState,
  Order,
  Order_2026_04,
  Order_2026_10,
  Order_2027_01,
  OrderStatus,
  ProductPriceMeteredTiers,
  ProductPriceSeatBased_2026_04,
  ProductPriceSeatBased_2027_01,
  Subscription,
} from '../../src/schemas';
import {
  EVENT_SCHEMAS,
  OrderSchema,
  Order_2026_10Schema,
  PolarWebhookEventSchema,
  SubscriptionSchema,
} from '../../src/schemas';
import { createEvent } from '../../src/testing/fixtures';

/** Whether a property may be missing: `undefined` is part of its type. */
type MayLack<T, K extends keyof T> = undefined extends T[K] ? true : false;

describe('API versions', () => {
  it('API_VERSIONS is a readonly tuple of the versions; PolarApiVersion their union; the default the oldest', () => {
    expectTypeOf(API_VERSIONS).toEqualTypeOf<readonly ['2026-04', '2026-10', '2027-01']>();
    expectTypeOf<PolarApiVersion>().toEqualTypeOf<'2026-04' | '2026-10' | '2027-01'>();
    expectTypeOf(DEFAULT_API_VERSION).toEqualTypeOf<'2026-04'>();
  });

  it('PolarWebhookEvent<T, V> is one event in one version; without V, that event in any version', () => {
    expectTypeOf<PolarWebhookEvent<'order.paid', '2026-10'>['data']>().toEqualTypeOf<Order_2026_10>();
    expectTypeOf<PolarWebhookEvent<'order.paid', '2026-04'>['data']>().toEqualTypeOf<Order_2026_04>();
    expectTypeOf<PolarWebhookEvent<'order.paid'>['data']>().toEqualTypeOf<Order>();
    expectTypeOf<Order>().toEqualTypeOf<Order_2026_04 | Order_2026_10 | Order_2027_01>();
    // distributes over V
    expectTypeOf<PolarWebhookEvent<'order.paid', '2026-04' | '2026-10'>['data']>().toEqualTypeOf<
      Order_2026_04 | Order_2026_10
    >();
    // @ts-expect-error: not an API version
    expectTypeOf<PolarWebhookEvent<'order.paid', '2026-07'>>();
  });

  it('optional by history: a field Polar added later may be missing in the oldest version, and is there in newer ones', () => {
    expectTypeOf<MayLack<Order_2026_04, 'receipt_number'>>().toEqualTypeOf<true>();
    expectTypeOf<MayLack<Order_2026_10, 'receipt_number'>>().toEqualTypeOf<false>();
    expectTypeOf<MayLack<Order_2026_04, 'refundable_amount'>>().toEqualTypeOf<true>();
    expectTypeOf<MayLack<Order_2026_10, 'refundable_amount'>>().toEqualTypeOf<false>();
    // so an endpoint of any version may get an order without it
    expectTypeOf<Order['receipt_number']>().toEqualTypeOf<string | null | undefined>();
    // the envelope's api_version is optional everywhere (events from before versioning lack it)
    expectTypeOf<PolarWebhookEvent['api_version']>().toEqualTypeOf<string | undefined>();
  });

  it('the newest shapes are typed: tiered prices, and seat prices with tiers instead of seat_tiers in 2027-01', () => {
    expectTypeOf<ProductPriceMeteredTiers['amount_type']>().toEqualTypeOf<'metered_tiers'>();
    expectTypeOf<ProductPriceSeatBased_2027_01>().toHaveProperty('tiers');
    expectTypeOf<ProductPriceSeatBased_2027_01>().toHaveProperty('minimum_units');
    expectTypeOf<ProductPriceSeatBased_2027_01>().not.toHaveProperty('seat_tiers');
    expectTypeOf<ProductPriceSeatBased_2026_04>().toHaveProperty('seat_tiers');
  });

  it('parse results say which version read the payload, and narrow the event by it', () => {
    const result = safeParseEvent('{}', { apiVersion: '2026-10', deliveredVersion: null });
    if (result.success) {
      expectTypeOf(result.apiVersion).toEqualTypeOf<PolarApiVersion>();
      if (result.apiVersion === '2027-01') {
        expectTypeOf(result.event).toEqualTypeOf<PolarWebhookEvent<PolarWebhookEventType, '2027-01'>>();
      }
      expectTypeOf(result.versionMismatch).toEqualTypeOf<
        { readonly expected: PolarApiVersion; readonly received: string } | undefined
      >();
    }
    // @ts-expect-error: not an API version
    safeParseEvent('{}', { apiVersion: '2026-07' });
  });
});

describe('the fields handlers rely on stay required in every version', () => {
  it('orders: ids, status, the amounts, the customer, product and subscription ids, billing reason, metadata', () => {
    expectTypeOf<Order['id']>().toEqualTypeOf<string>();
    expectTypeOf<Order['status']>().toEqualTypeOf<OrderStatus>();
    expectTypeOf<Order['total_amount']>().toEqualTypeOf<number>();
    expectTypeOf<Order['subtotal_amount']>().toEqualTypeOf<number>();
    expectTypeOf<Order['net_amount']>().toEqualTypeOf<number>();
    expectTypeOf<Order['tax_amount']>().toEqualTypeOf<number>();
    expectTypeOf<Order['discount_amount']>().toEqualTypeOf<number>();
    expectTypeOf<Order['customer_id']>().toEqualTypeOf<string>();
    expectTypeOf<Order['product_id']>().toEqualTypeOf<string | null>();
    expectTypeOf<Order['subscription_id']>().toEqualTypeOf<string | null>();
    expectTypeOf<MayLack<Order, 'billing_reason'>>().toEqualTypeOf<false>();
    expectTypeOf<MayLack<Order, 'metadata'>>().toEqualTypeOf<false>();
    expectTypeOf<Order['customer']['id']>().toEqualTypeOf<string>();
    // the customer's email and external id are optional in Polar's own spec, not by history
    expectTypeOf<Order['customer']['email']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Order['customer']['external_id']>().toEqualTypeOf<string | null | undefined>();
  });

  it('subscriptions: ids, status, amount, the current period, metadata', () => {
    expectTypeOf<Subscription['id']>().toEqualTypeOf<string>();
    expectTypeOf<Subscription['amount']>().toEqualTypeOf<number>();
    expectTypeOf<MayLack<Subscription, 'status'>>().toEqualTypeOf<false>();
    expectTypeOf<Subscription['current_period_start']>().toEqualTypeOf<string>();
    // required, and null in events Polar made before 2026-03-03 (the history says so)
    expectTypeOf<Subscription['current_period_end']>().toEqualTypeOf<string | null>();
    expectTypeOf<Subscription['customer_id']>().toEqualTypeOf<string>();
    expectTypeOf<Subscription['product_id']>().toEqualTypeOf<string>();
    expectTypeOf<MayLack<Subscription, 'metadata'>>().toEqualTypeOf<false>();
  });

  it('customers, checkouts and grants', () => {
    expectTypeOf<Customer['id']>().toEqualTypeOf<string>();
    expectTypeOf<MayLack<Customer, 'metadata'>>().toEqualTypeOf<false>();
    expectTypeOf<Checkout['id']>().toEqualTypeOf<string>();
    expectTypeOf<Checkout['total_amount']>().toEqualTypeOf<number>();
    expectTypeOf<BenefitGrant['customer_id']>().toEqualTypeOf<string>();
    expectTypeOf<BenefitGrant['benefit_id']>().toEqualTypeOf<string>();
    expectTypeOf<PolarWebhookEvent['type']>().toEqualTypeOf<PolarWebhookEventType>();
  });
});

describe('event types', () => {
  it('PolarWebhookEventType is the 42 literals, not string', () => {
    expectTypeOf<'order.paid'>().toExtend<PolarWebhookEventType>();
    expectTypeOf<'customer_seat.claimed'>().toExtend<PolarWebhookEventType>();
    expectTypeOf<'order.teleported'>().not.toExtend<PolarWebhookEventType>();
    expectTypeOf<string>().not.toExtend<PolarWebhookEventType>();
  });

  it("PolarWebhookEvent<'order.paid'> names one event, whose data is an Order", () => {
    expectTypeOf<PolarWebhookEvent<'order.paid'>['type']>().toEqualTypeOf<'order.paid'>();
    expectTypeOf<PolarWebhookEvent<'order.paid'>['data']>().toEqualTypeOf<Order>();
    expectTypeOf<PolarWebhookEvent<'order.paid'>['data']['total_amount']>().toEqualTypeOf<number>();
    expectTypeOf<PolarWebhookEvent<'subscription.updated'>['data']>().toEqualTypeOf<Subscription>();
    expectTypeOf<PolarWebhookEvent<'checkout.expired'>['data']>().toEqualTypeOf<Checkout>();
    expectTypeOf<PolarWebhookEvent<'customer.created'>['data']>().toEqualTypeOf<Customer>();
    expectTypeOf<PolarWebhookEvent<'customer.state_changed'>['data']>().toEqualTypeOf<CustomerState>();
    expectTypeOf<PolarWebhookEvent<'benefit_grant.cycled'>['data']>().toEqualTypeOf<BenefitGrantWebhook>();
    expectTypeOf<BenefitGrant>().toEqualTypeOf<BenefitGrantWebhook>();
  });

  it('PolarWebhookEvent alone is the union, and narrowing on type gives the right data', () => {
    const handle = (event: PolarWebhookEvent) => {
      if (event.type === 'order.paid') {
        expectTypeOf(event.data).toEqualTypeOf<Order>();
        expectTypeOf(event.data.customer.email).toEqualTypeOf<string | null | undefined>();
      }
      switch (event.type) {
        case 'subscription.migrated':
          expectTypeOf(event.provider).toEqualTypeOf<string>();
          expectTypeOf(event.provider_subscription_id).toEqualTypeOf<string>();
          expectTypeOf(event.data).toEqualTypeOf<Subscription>();
          break;
        case 'benefit.created':
          expectTypeOf(event.data).toEqualTypeOf<Benefit>();
          if (event.data.type === 'license_keys') {
            expectTypeOf(event.data).toExtend<BenefitLicenseKeys>();
            expectTypeOf(event.data.properties.prefix).toEqualTypeOf<string | null>();
          }
          break;
        case 'subscription.updated':
          // @ts-expect-error: only subscription.migrated carries a provider
          event.provider;
          break;
        default:
          expectTypeOf(event.type).not.toEqualTypeOf<'order.paid'>();
      }
    };
    expectTypeOf(handle).toBeFunction();
  });

  it('keeps wire types: snake_case keys, ISO strings, nullable and optional fields', () => {
    expectTypeOf<Order['created_at']>().toEqualTypeOf<string>();
    expectTypeOf<Order['modified_at']>().toEqualTypeOf<string | null>();
    expectTypeOf<Order['billing_address']>().toEqualTypeOf<Address | null>();
    expectTypeOf<Order>().toHaveProperty('customer_id');
    expectTypeOf<Order>().not.toHaveProperty('customerId');
    expectTypeOf<Subscription['prices'][number]['amount_type']>().toExtend<string>();
  });

  it('enums are open: the known literals and any other string', () => {
    expectTypeOf<'paid'>().toExtend<OrderStatus>();
    expectTypeOf<'some_future_status'>().toExtend<OrderStatus>();
    expectTypeOf<OrderStatus>().toExtend<string>();
    expectTypeOf<string>().toExtend<OrderStatus>();
  });
});

describe('schemas and functions', () => {
  it('schemas are typed by their interfaces', () => {
    expectTypeOf<z.output<typeof OrderSchema>>().toEqualTypeOf<Order>();
    expectTypeOf<z.output<typeof Order_2026_10Schema>>().toEqualTypeOf<Order_2026_10>();
    expectTypeOf<z.output<typeof SubscriptionSchema>>().toEqualTypeOf<Subscription>();
    expectTypeOf<z.output<typeof PolarWebhookEventSchema>>().toEqualTypeOf<PolarWebhookEvent>();
    expectTypeOf<z.output<(typeof EVENT_SCHEMAS)['2026-10']['order.paid']>>().toEqualTypeOf<
      PolarWebhookEvent<'order.paid', '2026-10'>
    >();
    expectTypeOf(OrderSchema.parse).returns.toEqualTypeOf<Order>();
  });

  it('parseEvent returns the union; safeParseEvent a discriminated result', () => {
    expectTypeOf(parseEvent).returns.toEqualTypeOf<PolarWebhookEvent>();
    const result = safeParseEvent('{}');
    if (result.success) expectTypeOf(result.event).toEqualTypeOf<PolarWebhookEvent>();
    else expectTypeOf(result.error.code).toEqualTypeOf<'invalid_json' | 'invalid_payload' | 'unknown_event_type'>();
  });

  it('handler names are literal types computed from the event type', () => {
    expectTypeOf(EVENT_HANDLER_NAMES['order.paid']).toEqualTypeOf<'onOrderPaid'>();
    expectTypeOf(EVENT_HANDLER_NAMES['benefit_grant.cycled']).toEqualTypeOf<'onBenefitGrantCycled'>();
    expectTypeOf<PolarWebhookHandlerName<'customer.state_changed'>>().toEqualTypeOf<'onCustomerStateChanged'>();
    expectTypeOf<PolarWebhookHandlerName<'subscription.past_due'>>().toEqualTypeOf<'onSubscriptionPastDue'>();
    expectTypeOf<'onOrderPaid'>().toExtend<PolarWebhookHandlerName>();
  });

  it('createEvent is typed by its event type and version, and checks its overrides', () => {
    expectTypeOf(createEvent('order.paid')).toEqualTypeOf<PolarWebhookEvent<'order.paid', '2026-04'>>();
    expectTypeOf(createEvent('order.paid', undefined, { apiVersion: '2027-01' })).toEqualTypeOf<
      PolarWebhookEvent<'order.paid', '2027-01'>
    >();
    expectTypeOf(
      createEvent('order.paid', { data: { total_amount: 100, customer: { email: 'a@b.co' } } }).data.total_amount,
    ).toBeNumber();
    // @ts-expect-error: amounts are numbers
    createEvent('order.paid', { data: { total_amount: '100' } });
    // @ts-expect-error: not an event type
    createEvent('order.teleported');
    // @ts-expect-error: the type comes from the first argument
    createEvent('order.paid', { type: 'order.created' });
    // @ts-expect-error: not an API version
    createEvent('order.paid', undefined, { apiVersion: '2026-07' });
  });
});
