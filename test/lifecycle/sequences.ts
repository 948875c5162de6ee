/**
 * Polar's documented event sequences for the money paths, built from the project's fixtures
 * (`createEvent`), each event with the webhook id it is delivered under, and ways to replay them:
 * in order, shuffled, with duplicates (a retry carries the same webhook id and the same payload).
 *
 * The states follow Polar's server: every event of one change carries the subscription as that
 * change left it, with one `modified_at`; the envelope `timestamp` is when each event was created.
 */
import fc from 'fast-check';
import type { PolarApiVersion } from '../../src/events/api-version';
import type { PolarWebhookEvent } from '../../src/events/catalogue';
import type { WebhookRouter } from '../../src/router/types';
import { createEvent, signPayload } from '../../src/testing';

/** The secret every replay signs with. */
export const SECRET = 'whsec_' + Buffer.from('lifecycle-test-secret-0123456789').toString('base64');

/** One delivery: an event and the webhook id it carries. */
export interface Step {
  readonly id: string;
  readonly event: PolarWebhookEvent;
}

export const SUBSCRIPTION_ID = '5b1f1d6e-8a0c-4c55-9d1e-2f7a2b9c0d11';
export const CUSTOMER_ID = 'c0ffee00-1111-4222-8333-944445555666';
export const ORDER_ID = '0a0b0c0d-1e1f-4a2b-8c3d-4e5f60718293';

export const PERIOD_START = '2026-09-02T09:52:40.313580Z';
export const PERIOD_END = '2026-10-02T09:52:40.313580Z';
export const NEXT_PERIOD_END = '2026-11-02T09:52:40.313580Z';

/** Subscription fields of one state; the rest of the payload comes from the fixture. */
interface SubscriptionState {
  readonly status: string;
  readonly cancel_at_period_end: boolean;
  readonly canceled_at: string | null;
  readonly ends_at: string | null;
  readonly ended_at: string | null;
  readonly current_period_start: string;
  readonly current_period_end: string;
  readonly modified_at: string;
}

const ACTIVE: SubscriptionState = {
  status: 'active',
  cancel_at_period_end: false,
  canceled_at: null,
  ends_at: null,
  ended_at: null,
  current_period_start: PERIOD_START,
  current_period_end: PERIOD_END,
  modified_at: '2026-09-02T09:52:43.100000Z',
};

type SubscriptionType =
  | 'subscription.created'
  | 'subscription.active'
  | 'subscription.updated'
  | 'subscription.canceled'
  | 'subscription.revoked'
  | 'subscription.uncanceled'
  | 'subscription.cycled';

let counter = 0;
const nextId = (label: string) => `msg_${label}_${++counter}`;

function subscriptionEvent(
  type: SubscriptionType,
  state: SubscriptionState,
  timestamp: string,
  apiVersion: PolarApiVersion,
): Step {
  const event = createEvent(
    type,
    { timestamp, data: { ...state, id: SUBSCRIPTION_ID, customer_id: CUSTOMER_ID, customer: { id: CUSTOMER_ID } } },
    { apiVersion },
  ) as PolarWebhookEvent;
  return { id: nextId(type), event };
}

/** A named sequence: the state the app had before it, and the events of the change, in Polar's order. */
export interface Sequence {
  readonly name: string;
  /** Delivered (in order) before the events under test: the subscription's earlier life. */
  readonly before: readonly Step[];
  readonly steps: readonly Step[];
}

/** The subscription as it was before every sequence: active, renewing. */
export function activeSubscription(apiVersion: PolarApiVersion = '2026-04'): Step {
  return subscriptionEvent('subscription.active', ACTIVE, '2026-09-02T09:52:43.200000Z', apiVersion);
}

/**
 * End-of-period cancellation: `subscription.updated` and `subscription.canceled` when the customer
 * cancels (status stays `active`, `cancel_at_period_end: true`); at the period's end
 * `subscription.updated` and `subscription.revoked` (status `canceled`). With `trailingCanceled`,
 * also the `subscription.canceled` Polar's server sends with the revocation (a subscription that was
 * canceled and becomes revoked), the one that gave access back in apps that acted on its name.
 */
export function endOfPeriodCancellation(
  apiVersion: PolarApiVersion = '2026-04',
  options: { trailingCanceled?: boolean } = {},
): Sequence {
  const scheduled: SubscriptionState = {
    ...ACTIVE,
    cancel_at_period_end: true,
    canceled_at: '2026-09-21T14:13:19.183046Z',
    ends_at: PERIOD_END,
    modified_at: '2026-09-21T14:13:19.816549+00:00',
  };
  const revoked: SubscriptionState = {
    ...scheduled,
    status: 'canceled',
    cancel_at_period_end: false,
    ended_at: '2026-10-02T09:52:41.498770Z',
    modified_at: '2026-10-02T09:52:41.512004+00:00',
  };
  const steps = [
    subscriptionEvent('subscription.updated', scheduled, '2026-09-21T14:13:19.901000Z', apiVersion),
    subscriptionEvent('subscription.canceled', scheduled, '2026-09-21T14:13:19.902000Z', apiVersion),
    subscriptionEvent('subscription.updated', revoked, '2026-10-02T09:52:41.600000Z', apiVersion),
    ...(options.trailingCanceled
      ? [subscriptionEvent('subscription.canceled', revoked, '2026-10-02T09:52:41.601000Z', apiVersion)]
      : []),
    subscriptionEvent('subscription.revoked', revoked, '2026-10-02T09:52:41.602000Z', apiVersion),
  ];
  return {
    name: `end-of-period cancellation${options.trailingCanceled ? ' (with the trailing canceled)' : ''}, ${apiVersion}`,
    before: [activeSubscription(apiVersion)],
    steps,
  };
}

/** Immediate revocation: `updated`, `canceled` and `revoked` at once, all carrying the revoked subscription. */
export function immediateRevocation(apiVersion: PolarApiVersion = '2026-04'): Sequence {
  const now = '2026-09-21T14:13:19.183046Z';
  const revoked: SubscriptionState = {
    ...ACTIVE,
    status: 'canceled',
    canceled_at: now,
    ends_at: now,
    ended_at: now,
    modified_at: '2026-09-21T14:13:19.200001+00:00',
  };
  return {
    name: `immediate revocation, ${apiVersion}`,
    before: [activeSubscription(apiVersion)],
    steps: [
      subscriptionEvent('subscription.updated', revoked, '2026-09-21T14:13:19.300000Z', apiVersion),
      subscriptionEvent('subscription.canceled', revoked, '2026-09-21T14:13:19.301000Z', apiVersion),
      subscriptionEvent('subscription.revoked', revoked, '2026-09-21T14:13:19.302000Z', apiVersion),
    ],
  };
}

/** Options of {@link renewal}. */
export interface RenewalSequenceOptions {
  /** Add the `subscription.cycled` that Polar sends when the period starts (before the order). */
  readonly cycled?: boolean;
  /** The period renewed was the trial's: it starts where the trial ended. */
  readonly afterTrial?: boolean;
  /** Which renewal this is: each later one starts a period further on. */
  readonly nth?: number;
}

/**
 * A renewal: `subscription.updated` (the new period), `order.created` (`billing_reason:
 * 'subscription_cycle'`, status `pending`), `order.updated` (status `paid`) and `order.paid`; with
 * `cycled`, the `subscription.cycled` of the new period first.
 */
export function renewal(apiVersion: PolarApiVersion = '2026-04', options: RenewalSequenceOptions = {}): Sequence {
  const nth = options.nth ?? 0;
  const shift = (iso: string, months: number) => {
    const date = new Date(iso);
    date.setUTCMonth(date.getUTCMonth() + months);
    return date.toISOString().replace('.313Z', '.313580Z');
  };
  const start = shift(PERIOD_END, nth);
  const end = shift(NEXT_PERIOD_END, nth);
  const state: SubscriptionState = {
    ...ACTIVE,
    current_period_start: start,
    current_period_end: end,
    modified_at: shift('2026-10-02T09:52:41.100000Z', nth),
  };
  const trial = options.afterTrial
    ? { trial_start: PERIOD_START, trial_end: start }
    : { trial_start: null, trial_end: null };
  const orderId = nth === 0 ? ORDER_ID : ORDER_ID.replace(/.$/, String(nth % 10));
  // Whole: some order fixtures carry no subscription for the overrides to merge into.
  const embedded = {
    ...createEvent('order.created', undefined, { apiVersion }).data.subscription,
    ...state,
    ...trial,
    id: SUBSCRIPTION_ID,
    customer_id: CUSTOMER_ID,
  };
  const orderEvent = (
    type: 'order.created' | 'order.updated' | 'order.paid',
    status: string,
    modifiedAt: string | null,
    timestamp: string,
  ): Step => {
    const event = createEvent(
      type,
      {
        timestamp,
        data: {
          id: orderId,
          status,
          paid: status === 'paid',
          billing_reason: 'subscription_cycle',
          customer_id: CUSTOMER_ID,
          subscription_id: SUBSCRIPTION_ID,
          created_at: shift('2026-10-02T09:52:44.479653Z', nth),
          modified_at: modifiedAt,
          subscription: embedded,
        },
      },
      { apiVersion },
    ) as PolarWebhookEvent;
    return { id: nextId(type), event };
  };
  const subscriptionStep = (type: SubscriptionType, timestamp: string): Step => {
    const event = createEvent(
      type,
      {
        timestamp,
        data: { ...state, ...trial, id: SUBSCRIPTION_ID, customer_id: CUSTOMER_ID, customer: { id: CUSTOMER_ID } },
      },
      { apiVersion },
    ) as PolarWebhookEvent;
    return { id: nextId(type), event };
  };
  const paidAt = shift('2026-10-02T09:52:51.575516+00:00', nth);
  return {
    name: `renewal${options.cycled ? ' with subscription.cycled' : ''}${options.afterTrial ? ' after a trial' : ''}, ${apiVersion}`,
    before: [],
    steps: [
      subscriptionStep('subscription.updated', shift('2026-10-02T09:52:43.700000Z', nth)),
      ...(options.cycled ? [subscriptionStep('subscription.cycled', shift('2026-10-02T09:52:43.765505Z', nth))] : []),
      orderEvent('order.created', 'pending', null, shift('2026-10-02T09:52:44.436545Z', nth)),
      orderEvent('order.updated', 'paid', paidAt, shift('2026-10-02T09:52:51.368784Z', nth)),
      orderEvent('order.paid', 'paid', paidAt, shift('2026-10-02T09:52:51.369000Z', nth)),
    ],
  };
}

/** Sends one step through the router's whole path (verify, parse, dispatch); resolves to the status. */
export async function deliver(webhooks: Pick<WebhookRouter, 'respond'>, step: Step): Promise<number> {
  const body = JSON.stringify(step.event);
  const headers = signPayload({ body, secret: SECRET, id: step.id });
  const answer = await webhooks.respond({ method: 'POST', body, headers });
  return answer.status;
}

/**
 * Every order of the steps, and copies of some of them (a retry is the same webhook id and payload),
 * as fast-check draws them.
 */
export function arbitraryReplay(steps: readonly Step[], options: { duplicates?: boolean } = {}): fc.Arbitrary<Step[]> {
  const shuffled = fc.shuffledSubarray([...steps], { minLength: steps.length, maxLength: steps.length });
  if (!options.duplicates) return shuffled;
  return fc
    .tuple(
      shuffled,
      fc.array(fc.tuple(fc.nat(steps.length - 1), fc.nat(steps.length * 2)), { maxLength: steps.length * 2 }),
    )
    .map(([order, copies]) => {
      const out = [...order];
      for (const [which, where] of copies) out.splice(where % (out.length + 1), 0, steps[which] as Step);
      return out;
    });
}
