/**
 * Scheduled cancellation versus revocation, from the subscription's own fields: on the fixtures of
 * every API version as Polar sends them, on every status, and on every shape a subscription comes
 * in (subscription events, an order's subscription, a customer state's subscriptions).
 */
import { describe, expect, it } from 'vitest';
import { API_VERSIONS } from '../../src/events/api-version';
import {
  accessEndsAt,
  hasSubscriptionAccess,
  isCancellationScheduled,
  isRevoked,
  subscriptionPhase,
} from '../../src/lifecycle/subscription-phase';
import { createEvent } from '../../src/testing';

const ENDS = '2026-10-02T09:52:40.313580Z';

function subscription(fields: Record<string, unknown>) {
  return createEvent('subscription.updated', { data: fields }).data;
}

describe('subscriptionPhase on the fixtures as Polar sends them', () => {
  for (const apiVersion of API_VERSIONS) {
    it(`${apiVersion}: subscription.canceled is a scheduled end, subscription.revoked the effective one`, () => {
      const canceled = createEvent('subscription.canceled', undefined, { apiVersion }).data;
      const revoked = createEvent('subscription.revoked', undefined, { apiVersion }).data;
      expect(canceled.status).toBe('active');
      expect(subscriptionPhase(canceled)).toEqual({
        kind: 'canceling',
        trialing: false,
        endsAt: canceled.ends_at,
        canceledAt: canceled.canceled_at,
      });
      expect(isCancellationScheduled(canceled)).toBe(true);
      expect(isRevoked(canceled)).toBe(false);
      expect(hasSubscriptionAccess(canceled)).toBe(true);
      expect(accessEndsAt(canceled)?.toISOString()).toBe(new Date(canceled.ends_at as string).toISOString());

      expect(subscriptionPhase(revoked)).toEqual({ kind: 'revoked', endedAt: revoked.ended_at });
      expect(isRevoked(revoked)).toBe(true);
      expect(isCancellationScheduled(revoked)).toBe(false);
      expect(hasSubscriptionAccess(revoked)).toBe(false);
      expect(accessEndsAt(revoked)?.getTime()).toBe(new Date(revoked.ended_at as string).getTime());
    });

    it(`${apiVersion}: reads an order's subscription and a customer state's subscriptions alike`, () => {
      const order = createEvent('order.created', undefined, { apiVersion }).data;
      const state = createEvent('customer.state_changed', undefined, { apiVersion }).data;
      expect(order.subscription && subscriptionPhase(order.subscription).kind).toBe('active');
      const [first] = state.active_subscriptions;
      expect(first && subscriptionPhase(first)).toMatchObject({ kind: 'canceling', endsAt: first?.ends_at });
    });
  }
});

describe('subscriptionPhase on every status', () => {
  const base = {
    cancel_at_period_end: false,
    canceled_at: null,
    ends_at: null,
    ended_at: null,
    current_period_end: ENDS,
  };

  it('active and trialing renew; with a cancellation scheduled they keep access until it ends', () => {
    expect(subscriptionPhase(subscription({ ...base, status: 'active' }))).toEqual({
      kind: 'active',
      trialing: false,
      renewsAt: ENDS,
    });
    expect(subscriptionPhase(subscription({ ...base, status: 'trialing' }))).toMatchObject({
      kind: 'active',
      trialing: true,
    });
    const scheduled = subscription({
      ...base,
      status: 'trialing',
      cancel_at_period_end: true,
      canceled_at: '2026-09-21T14:13:19Z',
    });
    expect(subscriptionPhase(scheduled)).toEqual({
      kind: 'canceling',
      trialing: true,
      endsAt: ENDS, // no ends_at: the period's end
      canceledAt: '2026-09-21T14:13:19Z',
    });
    // A cancellation with an end date counts as scheduled even where cancel_at_period_end is false.
    const dated = subscription({
      ...base,
      status: 'active',
      canceled_at: '2026-09-21T14:13:19Z',
      ends_at: '2026-09-30T00:00:00Z',
    });
    expect(subscriptionPhase(dated)).toMatchObject({ kind: 'canceling', endsAt: '2026-09-30T00:00:00Z' });
  });

  it('canceled and unpaid are revoked; past_due, paused, incomplete and unknown statuses have their own phase', () => {
    const ended = '2026-10-02T09:52:41.498770Z';
    expect(subscriptionPhase(subscription({ ...base, status: 'canceled', ended_at: ended }))).toEqual({
      kind: 'revoked',
      endedAt: ended,
    });
    expect(subscriptionPhase(subscription({ ...base, status: 'unpaid', ends_at: ended }))).toEqual({
      kind: 'revoked',
      endedAt: ended,
    });
    expect(subscriptionPhase(subscription({ ...base, status: 'past_due', past_due_at: ended }))).toEqual({
      kind: 'past_due',
      since: ended,
    });
    expect(subscriptionPhase(subscription({ ...base, status: 'paused', paused_at: ended, resumes_at: null }))).toEqual({
      kind: 'paused',
      since: ended,
      resumesAt: null,
    });
    expect(subscriptionPhase(subscription({ ...base, status: 'incomplete' }))).toEqual({ kind: 'incomplete' });
    expect(subscriptionPhase(subscription({ ...base, status: 'incomplete_expired' }))).toEqual({ kind: 'incomplete' });
    expect(subscriptionPhase(subscription({ ...base, status: 'frozen' }))).toEqual({
      kind: 'unknown',
      status: 'frozen',
    });
  });
});

describe('hasSubscriptionAccess and accessEndsAt', () => {
  const scheduled = subscription({
    status: 'active',
    cancel_at_period_end: true,
    canceled_at: '2026-09-21T14:13:19Z',
    ends_at: ENDS,
    ended_at: null,
  });

  it('keeps a scheduled cancellation open until Polar revokes it, or until its end with `at`', () => {
    expect(hasSubscriptionAccess(scheduled)).toBe(true);
    expect(hasSubscriptionAccess(scheduled, { at: new Date('2026-10-02T09:52:40Z') })).toBe(true);
    expect(hasSubscriptionAccess(scheduled, { at: new Date('2026-10-02T09:52:41Z') })).toBe(false);
    expect(accessEndsAt(scheduled)?.toISOString()).toBe('2026-10-02T09:52:40.313Z');
  });

  it('grants a past-due subscription access only when asked to, and never a paused or revoked one', () => {
    const pastDue = subscription({ status: 'past_due', cancel_at_period_end: false, canceled_at: null, ends_at: null });
    expect(hasSubscriptionAccess(pastDue)).toBe(false);
    expect(hasSubscriptionAccess(pastDue, { pastDue: true })).toBe(true);
    expect(accessEndsAt(pastDue)).toBeNull();
    const paused = subscription({
      status: 'paused',
      paused_at: '2026-09-25T00:00:00Z',
      canceled_at: null,
      ends_at: null,
    });
    expect(hasSubscriptionAccess(paused, { pastDue: true })).toBe(false);
    expect(accessEndsAt(paused)?.toISOString()).toBe('2026-09-25T00:00:00.000Z');
    const active = subscription({ status: 'active', cancel_at_period_end: false, canceled_at: null, ends_at: null });
    expect(accessEndsAt(active)).toBeNull();
  });
});
