/**
 * renewalOf on its own, on the fixtures of every API version, and onRenewal's handling of two
 * events of one renewal at the same moment: the second waits for the first, and is never
 * acknowledged as handled before the first succeeded.
 */
import { describe, expect, it } from 'vitest';
import { API_VERSIONS } from '../../src/events/api-version';
import type { PolarWebhookEvent } from '../../src/events/catalogue';
import { onRenewal, renewalOf, type Renewal } from '../../src/lifecycle/renewal';
import { createWebhooks } from '../../src/router/create-webhooks';
import { memoryStore } from '../../src/stores/memory';
import { createEvent } from '../../src/testing';
import { PERIOD_END, SECRET, deliver, renewal } from './sequences';

describe('renewalOf', () => {
  for (const apiVersion of API_VERSIONS) {
    it(`${apiVersion}: reads the renewal a cycle order or subscription.cycled carries`, () => {
      const updated = createEvent('order.updated', { data: { status: 'paid', paid: true } }, { apiVersion });
      const renewed = renewalOf(updated) as Renewal;
      expect(renewed).toMatchObject({
        subscriptionId: updated.data.subscription_id,
        customerId: updated.data.subscription?.customer_id,
        periodStart: updated.data.subscription?.current_period_start,
        periodEnd: updated.data.subscription?.current_period_end,
        paid: true,
        afterTrial: false,
        order: updated.data,
      });
      const cycled = createEvent('subscription.cycled', undefined, { apiVersion });
      expect(renewalOf(cycled)).toBeUndefined(); // not paid yet
      expect(renewalOf(cycled, 'started')).toMatchObject({ subscriptionId: cycled.data.id, paid: false, order: null });
      const pending = createEvent('order.created', undefined, { apiVersion });
      expect(renewalOf(pending)).toBeUndefined();
      expect(renewalOf(pending, 'started')).toMatchObject({ paid: false, order: pending.data });
    });
  }

  it('tells the first period after a trial from a renewal', () => {
    const [, cycled] = renewal('2026-10', { cycled: true, afterTrial: true }).steps;
    expect(renewalOf(cycled!.event, 'started')?.afterTrial).toBe(true);
    const [, plain] = renewal('2026-10', { cycled: true }).steps;
    expect(renewalOf(plain!.event, 'started')?.afterTrial).toBe(false);
  });

  it('stands an order without its subscription for its own period', () => {
    const paid = createEvent('order.paid', { data: { billing_reason: 'subscription_cycle', subscription: null } });
    expect(renewalOf(paid)).toMatchObject({
      subscriptionId: paid.data.subscription_id,
      periodStart: paid.data.created_at,
      subscription: null,
    });
  });

  it('is undefined for every other event', () => {
    for (const type of ['subscription.updated', 'subscription.active', 'order.refunded', 'checkout.updated'] as const) {
      expect(renewalOf(createEvent(type) as PolarWebhookEvent, 'started')).toBeUndefined();
    }
  });
});

describe('onRenewal with two events of one renewal at once', () => {
  function setup(waitMs: number) {
    const webhooks = createWebhooks({ secret: SECRET, logger: { warn: () => undefined, error: () => undefined } });
    const handled: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    onRenewal(
      webhooks,
      async (r) => {
        handled.push(r.event.type);
        await slow;
      },
      { store: memoryStore(), when: 'started', waitMs },
    );
    return { webhooks, handled, release };
  }

  it('makes the second wait for the first, then acknowledges it without running the handler again', async () => {
    const { webhooks, handled, release } = setup(5000);
    const [, cycled, created] = renewal('2026-10', { cycled: true }).steps;
    const first = deliver(webhooks, cycled!);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = deliver(webhooks, created!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await Promise.all([first, second])).toEqual([202, 202]);
    expect(handled).toEqual(['subscription.cycled']);
  });

  it('answers the second 500 when the first outlasts the wait, so that Polar retries it later', async () => {
    const { webhooks, handled, release } = setup(30);
    const [, cycled, created] = renewal('2026-10', { cycled: true }).steps;
    const first = deliver(webhooks, cycled!);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await deliver(webhooks, created!)).toBe(500);
    release();
    expect(await first).toBe(202);
    // Polar's retry of the second finds the renewal handled.
    expect(await deliver(webhooks, created!)).toBe(202);
    expect(handled).toEqual(['subscription.cycled']);
  });

  it('refuses a missing store, an unknown moment and misspelt options', () => {
    const webhooks = createWebhooks({ secret: SECRET });
    expect(() => onRenewal(webhooks, () => undefined, {} as never)).toThrow(/idempotency store/);
    expect(() => onRenewal(webhooks, () => undefined, { store: memoryStore(), when: 'soon' as never })).toThrow(
      /'paid' or 'started'/,
    );
    expect(() => onRenewal(webhooks, () => undefined, { store: memoryStore(), leaseMS: 5 } as never)).toThrow(
      /Did you mean "leaseMs"/,
    );
    expect(() => onRenewal(webhooks, () => undefined, { store: memoryStore(), ttlMs: -1 })).toThrow(/ttlMs/);
  });

  it('keys a renewal by the instant its period starts, whatever the format', async () => {
    const webhooks = createWebhooks({ secret: SECRET });
    const handled: string[] = [];
    onRenewal(webhooks, (r) => void handled.push(r.periodStart), { store: memoryStore(), when: 'started' });
    const starting = (start: string) => createEvent('subscription.cycled', { data: { current_period_start: start } });
    await deliver(webhooks, { id: 'msg_z', event: starting(PERIOD_END) });
    await deliver(webhooks, { id: 'msg_offset', event: starting(PERIOD_END.replace('Z', '+00:00')) });
    await deliver(webhooks, { id: 'msg_next', event: starting('2026-10-02T09:52:40.313581Z') });
    expect(handled).toEqual([PERIOD_END, '2026-10-02T09:52:40.313581Z']);
  });
});
