/**
 * Type-level tests of the router and the adapters: narrowing, array subscriptions, the compat
 * option names, and that each adapter's result fits its framework.
 */
import express from 'express';
import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { createExpressMiddleware } from '../../src/adapters/express';
import type { WebhooksOptions } from '../../src/adapters/compat';
import { createHonoHandler, Webhooks as honoWebhooks } from '../../src/adapters/hono';
import { createNextPagesHandler, createNextRouteHandler, Webhooks as nextWebhooks } from '../../src/adapters/next';
import type { PolarApiVersion } from '../../src/events/api-version';
import type { PolarWebhookEvent, PolarWebhookEventType, PolarWebhookHandlerName } from '../../src/events/catalogue';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { DeliveryOutcome, UnknownWebhookEvent, WebhookContext } from '../../src/router/types';

const webhooks = createWebhooks({ secret: 'whsec_x' });

describe('on()', () => {
  it('narrows the event to the subscribed type, without a cast', () => {
    webhooks.on('order.paid', (event, context) => {
      expectTypeOf(event.type).toEqualTypeOf<'order.paid'>();
      expectTypeOf(event.data.total_amount).toEqualTypeOf<number>();
      expectTypeOf(event).toEqualTypeOf<PolarWebhookEvent<'order.paid'>>();
      expectTypeOf(context).toEqualTypeOf<WebhookContext>();
      expectTypeOf(context.id).toEqualTypeOf<string>();
      expectTypeOf(context.timestamp).toEqualTypeOf<Date>();
    });
    webhooks.on('customer.state_changed', (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'customer.state_changed'>();
    });
  });

  it('gives an array subscription the union of its types', () => {
    webhooks.on(['subscription.revoked', 'subscription.past_due'], (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'subscription.revoked' | 'subscription.past_due'>();
      expectTypeOf(event).toEqualTypeOf<PolarWebhookEvent<'subscription.revoked' | 'subscription.past_due'>>();
    });
    const types = ['order.paid', 'order.refunded'] as const;
    webhooks.on(types, (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'order.paid' | 'order.refunded'>();
    });
  });

  it('refuses names outside the catalogue and handlers for another type', () => {
    // @ts-expect-error misspelt event type
    webhooks.on('order.payed', () => undefined);
    // @ts-expect-error one misspelt type in the list
    webhooks.on(['order.paid', 'order.payd'], () => undefined);
    // @ts-expect-error the handler expects a subscription event
    webhooks.on('order.paid', (event: PolarWebhookEvent<'subscription.updated'>) => void event);
  });

  it('returns an unsubscribe function from every registration', () => {
    expectTypeOf(webhooks.on('order.paid', () => undefined)).toEqualTypeOf<() => void>();
    expectTypeOf(webhooks.onAny(() => undefined)).toEqualTypeOf<() => void>();
    expectTypeOf(webhooks.onUnknown(() => undefined)).toEqualTypeOf<() => void>();
    expectTypeOf(webhooks.onError(() => undefined)).toEqualTypeOf<() => void>();
  });
});

describe('onAny, onUnknown, onError, verifyAndReceive', () => {
  it('types each callback', () => {
    webhooks.onAny((event) => {
      expectTypeOf(event).toEqualTypeOf<PolarWebhookEvent>();
      expectTypeOf(event.type).toEqualTypeOf<PolarWebhookEventType>();
    });
    webhooks.onUnknown((event) => {
      expectTypeOf(event).toEqualTypeOf<UnknownWebhookEvent>();
      expectTypeOf(event.type).toEqualTypeOf<string>();
    });
    webhooks.onError((error, context) => {
      expectTypeOf(error).toEqualTypeOf<unknown>();
      expectTypeOf(context.event).toEqualTypeOf<PolarWebhookEvent | undefined>();
      expectTypeOf(context.eventType).toEqualTypeOf<string | undefined>();
    });
    expectTypeOf(webhooks.verifyAndReceive).returns.resolves.toEqualTypeOf<DeliveryOutcome>();
    // Usable as a fetch handler as is: Workers pass (request, env, ctx), Bun and Deno (request, server).
    expectTypeOf(webhooks.handle).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf(webhooks.handle).returns.toEqualTypeOf<Promise<Response>>();
    const fetchHandler: (request: Request) => Promise<Response> = webhooks.handle;
    expectTypeOf(fetchHandler).toBeFunction();
  });

  it('types handlers for the API version the endpoint is pinned to', () => {
    const pinned = createWebhooks({ secret: 'whsec_x', apiVersion: '2026-10' });
    pinned.on('order.paid', (event, context) => {
      expectTypeOf(event).toEqualTypeOf<PolarWebhookEvent<'order.paid', '2026-10'>>();
      expectTypeOf(context.apiVersion).toEqualTypeOf<PolarApiVersion | undefined>();
    });
    const unpinned = createWebhooks({ secret: 'whsec_x' });
    unpinned.on('order.paid', (event) => {
      expectTypeOf(event).toEqualTypeOf<PolarWebhookEvent<'order.paid'>>();
    });
    // @ts-expect-error not a version this package knows
    createWebhooks({ secret: 'whsec_x', apiVersion: '2025-01' });
  });
});

describe('compat options', () => {
  it('derives one handler option per event type, narrowed', () => {
    expectTypeOf<PolarWebhookHandlerName<'benefit_grant.cycled'>>().toEqualTypeOf<'onBenefitGrantCycled'>();
    expectTypeOf<PolarWebhookHandlerName<'customer.state_changed'>>().toEqualTypeOf<'onCustomerStateChanged'>();
    expectTypeOf<PolarWebhookHandlerName<'customer_seat.assigned'>>().toEqualTypeOf<'onCustomerSeatAssigned'>();
    const options: WebhooksOptions = {
      webhookSecret: 'whsec_x',
      onSubscriptionPastDue: (payload) => {
        expectTypeOf(payload.type).toEqualTypeOf<'subscription.past_due'>();
      },
      onBenefitGrantCycled: async (payload) => {
        expectTypeOf(payload.type).toEqualTypeOf<'benefit_grant.cycled'>();
      },
      onPayload: (payload) => {
        expectTypeOf(payload).toEqualTypeOf<PolarWebhookEvent>();
      },
    };
    void options;
    // @ts-expect-error misspelt handler name
    const wrong: WebhooksOptions = { webhookSecret: 'whsec_x', onOrderPayed: () => undefined };
    void wrong;
    // @ts-expect-error webhookSecret is required
    const missing: WebhooksOptions = { onOrderPaid: () => undefined };
    void missing;
  });
});

describe('adapters fit their frameworks', () => {
  it('Express: app.post() accepts the middleware', () => {
    const app = express();
    app.post('/hook', createExpressMiddleware(webhooks));
  });

  it('Hono: app.post() accepts the handler and the drop-in', () => {
    const app = new Hono();
    app.post('/hook', createHonoHandler(webhooks));
    app.post('/compat', honoWebhooks({ webhookSecret: 'whsec_x' }));
  });

  it('Next.js: route handlers take a Request (or NextRequest) and resolve to a Response', () => {
    expectTypeOf(createNextRouteHandler(webhooks)).toEqualTypeOf<(request: Request) => Promise<Response>>();
    expectTypeOf(nextWebhooks({ webhookSecret: 'whsec_x' }))
      .parameter(0)
      .toEqualTypeOf<Request>();
    expectTypeOf(createNextPagesHandler(webhooks)).returns.toEqualTypeOf<Promise<void>>();
  });
});
