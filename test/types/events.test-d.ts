import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod/v4';

import {
  EVENT_HANDLER_NAMES,
  EVENT_SCHEMAS,
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
  OrderStatus,
  Subscription,
} from '../../src/schemas';
import { OrderSchema, PolarWebhookEventSchema, SubscriptionSchema } from '../../src/schemas';
import { createEvent } from '../../src/testing/fixtures';

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
    expectTypeOf<PolarWebhookEvent<'order.paid'>['timestamp']>().toEqualTypeOf<string>();
    expectTypeOf<PolarWebhookEvent<'subscription.updated'>['data']>().toEqualTypeOf<Subscription>();
    expectTypeOf<PolarWebhookEvent<'checkout.expired'>['data']>().toEqualTypeOf<Checkout>();
    expectTypeOf<PolarWebhookEvent<'customer.created'>['data']>().toEqualTypeOf<Customer>();
    expectTypeOf<PolarWebhookEvent<'customer.state_changed'>['data']>().toEqualTypeOf<CustomerState>();
    expectTypeOf<PolarWebhookEvent<'benefit_grant.cycled'>['data']>().toEqualTypeOf<BenefitGrantWebhook>();
    expectTypeOf<BenefitGrant>().toEqualTypeOf<BenefitGrantWebhook>();
  });

  it('PolarWebhookEvent alone is the union, and narrowing on type gives the right data', () => {
    expectTypeOf<PolarWebhookEvent['type']>().toEqualTypeOf<PolarWebhookEventType>();
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
            expectTypeOf(event.data).toEqualTypeOf<BenefitLicenseKeys>();
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

  it('keeps wire types: snake_case keys, ISO strings, nullable and optional fields as the spec says', () => {
    expectTypeOf<Order['created_at']>().toEqualTypeOf<string>();
    expectTypeOf<Order['modified_at']>().toEqualTypeOf<string | null>();
    expectTypeOf<Order['billing_address']>().toEqualTypeOf<Address | null>();
    expectTypeOf<Order['seats']>().toEqualTypeOf<number | null | undefined>();
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
    expectTypeOf<z.output<typeof SubscriptionSchema>>().toEqualTypeOf<Subscription>();
    expectTypeOf<z.output<typeof PolarWebhookEventSchema>>().toEqualTypeOf<PolarWebhookEvent>();
    expectTypeOf<z.output<(typeof EVENT_SCHEMAS)['order.paid']>>().toEqualTypeOf<PolarWebhookEvent<'order.paid'>>();
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

  it('createEvent is typed by its event type and checks its overrides', () => {
    expectTypeOf(createEvent('order.paid')).toEqualTypeOf<PolarWebhookEvent<'order.paid'>>();
    expectTypeOf(
      createEvent('order.paid', { data: { total_amount: 100, customer: { email: 'a@b.co' } } }).data.total_amount,
    ).toBeNumber();
    // @ts-expect-error: amounts are numbers
    createEvent('order.paid', { data: { total_amount: '100' } });
    // @ts-expect-error: not an event type
    createEvent('order.teleported');
    // @ts-expect-error: the type comes from the first argument
    createEvent('order.paid', { type: 'order.created' });
  });
});
