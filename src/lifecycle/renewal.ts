/**
 * Renewals. Polar has no `subscription.renewed`: a renewal is a new billing period, and it shows in
 * several events. `subscription.cycled` (where the endpoint receives it) when the period starts,
 * before any payment; then an order with `billing_reason: 'subscription_cycle'`: `order.created`
 * (status `pending`), `order.updated` (status `paid`) and `order.paid`. They can arrive in any order,
 * and more than once.
 *
 * A renewal is identified by its subscription and the start of its period (once paid, by its order,
 * which is one per period); {@link onRenewal} runs a handler once per renewal, whichever of its
 * events arrives first, deduplicated through an idempotency store (claim, run, commit: a handler that
 * fails leaves the renewal to the next event or retry). Two moments to choose from:
 * - `'paid'` (default): once the renewal's payment succeeded: `order.paid`, or an `order.updated` with
 *   status `paid`. The moment to extend credits or send a receipt.
 * - `'started'`: as soon as the new period starts: `subscription.cycled`, or any renewal order event.
 *   The payment may still fail (the subscription then goes `past_due`).
 *
 * Orders with `billing_reason: 'subscription_cycle'` are not all renewals: Polar also gives that
 * reason to the first order after a trial (a renewal here, with `afterTrial: true`) and to the final
 * order of a subscription revoked at the end of its period (not a renewal: its subscription is
 * `canceled`). `subscription_meter_cycle` orders bill metered usage and are not renewals either.
 *
 * @module
 */
import type { PolarWebhookEvent } from '../events/catalogue';
import { WebhookConfigurationError, WebhookProcessingError } from '../errors';
import type { Order, OrderSubscription, Subscription } from '../events/generated/types';
import { checkOptionNames } from '../option-names';
import type { Unsubscribe, WebhookContext, WebhookRouter } from '../router/types';
import type { IdempotencyStore } from '../stores/types';
import { microsecondsOf } from './instant';

/** The events that can carry a renewal. */
export type RenewalEvent = PolarWebhookEvent<'subscription.cycled' | 'order.created' | 'order.updated' | 'order.paid'>;

/** When a renewal counts: once paid, or as soon as its period starts. */
export type RenewalMoment = 'paid' | 'started';

/** A subscription renewed for a new period. */
export interface Renewal {
  /** The subscription's id. */
  readonly subscriptionId: string;
  /** The customer's id. */
  readonly customerId: string;
  /** When the new period starts (ISO 8601, as sent); for an order that carries no subscription, when the order was made. */
  readonly periodStart: string;
  /** When it ends, when the event says. */
  readonly periodEnd: string | null;
  /** The first paid period after a trial, rather than a renewal of a paid one. */
  readonly afterTrial: boolean;
  /** Whether the renewal's payment is known to have succeeded (always true for `'paid'`). */
  readonly paid: boolean;
  /** The renewal's order; null when `subscription.cycled` carried the renewal. */
  readonly order: Order | null;
  /** The subscription as the event carried it (the order's `subscription`, for order events). */
  readonly subscription: Subscription | OrderSubscription | null;
  /** The event that carried it. */
  readonly event: RenewalEvent;
}

/** Handles one renewal. A throw fails the delivery (Polar retries it) and leaves the renewal unhandled. */
export type RenewalHandler = (renewal: Renewal, context: WebhookContext) => void | Promise<void>;

/** Options of {@link onRenewal}. */
export interface RenewalOptions {
  /** Where handled renewals are marked: `memoryStore()`, `redisStore(client)`, `postgresStore(pool)` from `polar-webhooks/stores`. */
  readonly store: IdempotencyStore;
  /** When a renewal counts. Default `'paid'`. */
  readonly when?: RenewalMoment;
  /** Separates apps or endpoints that share one store. Default `'polar'`. */
  readonly namespace?: string;
  /** How long a claim lives without news, in milliseconds (extended while the handler runs). Default 30,000. */
  readonly leaseMs?: number;
  /**
   * How long a renewal stays marked handled, in milliseconds: past the payment retries and the manual
   * redeliveries of its events. Default 90 days.
   */
  readonly ttlMs?: number;
  /**
   * How long an event waits for another event of the same renewal whose handler is running, in
   * milliseconds, before it fails with 409 `delivery_in_progress` (Polar retries it). Default 5000.
   */
  readonly waitMs?: number;
}

const REVOKED = new Set(['canceled', 'unpaid']);
/** Order statuses of a renewal in progress or paid; `void` and refunds are not renewals starting. */
const STARTED_ORDER_STATUSES = new Set(['draft', 'pending', 'paid']);

type SubscriptionShape = Subscription | OrderSubscription;

/** A trial's end starts the first paid period: the period then begins exactly where the trial ended. */
function isAfterTrial(subscription: SubscriptionShape): boolean {
  const trialEnd = microsecondsOf(subscription.trial_end);
  return trialEnd !== undefined && trialEnd === microsecondsOf(subscription.current_period_start);
}

function fromSubscription(
  subscription: SubscriptionShape,
  order: Order | null,
  paid: boolean,
  event: RenewalEvent,
): Renewal | undefined {
  if (REVOKED.has(subscription.status) || (subscription.ended_at ?? null) !== null) return undefined;
  return {
    subscriptionId: subscription.id,
    customerId: subscription.customer_id,
    periodStart: subscription.current_period_start,
    periodEnd: subscription.current_period_end ?? null,
    afterTrial: isAfterTrial(subscription),
    paid,
    order,
    subscription,
    event,
  };
}

/**
 * The renewal an event carries at the given moment, or undefined: a pure function, for your own
 * handlers (it does not deduplicate; {@link onRenewal} does).
 *
 * @example
 * ```ts
 * webhooks.on('order.paid', (event) => {
 *   const renewal = renewalOf(event);
 *   if (renewal) extendAccess(renewal.customerId, renewal.periodEnd);
 * });
 * ```
 */
export function renewalOf(event: PolarWebhookEvent, when: RenewalMoment = 'paid'): Renewal | undefined {
  if (event.type === 'subscription.cycled') {
    return when === 'started' ? fromSubscription(event.data, null, false, event) : undefined;
  }
  if (event.type !== 'order.created' && event.type !== 'order.updated' && event.type !== 'order.paid') return undefined;
  const order: Order = event.data;
  if (order.billing_reason !== 'subscription_cycle' || order.subscription_id === null) return undefined;
  const paid = event.type === 'order.paid' || order.status === 'paid';
  if (when === 'paid' ? !paid : !STARTED_ORDER_STATUSES.has(order.status)) return undefined;
  if (order.subscription !== null) return fromSubscription(order.subscription, order, paid, event);
  // Without the subscription, the period is unknown: the order stands for it (its own events agree).
  return {
    subscriptionId: order.subscription_id,
    customerId: order.customer_id,
    periodStart: order.created_at,
    periodEnd: null,
    afterTrial: false,
    paid,
    order,
    subscription: null,
    event,
  };
}

/**
 * The store key of a renewal. Once paid, it is its order's: every event that can carry a paid
 * renewal is an event of that one order. Started, it is its subscription and the instant its period
 * starts (whatever the format), which `subscription.cycled` and the order's events agree on.
 */
function renewalKey(namespace: string, when: RenewalMoment, renewal: Renewal): string {
  const which =
    when === 'paid' || renewal.subscription === null
      ? `order:${renewal.order?.id ?? ''}`
      : `period:${String(microsecondsOf(renewal.periodStart) ?? renewal.periodStart)}`;
  return `${namespace}:renewal:${when}:${renewal.subscriptionId}:${which}`;
}

function token(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const OPTION_NAMES: ReadonlySet<string> = new Set(['store', 'when', 'namespace', 'leaseMs', 'ttlMs', 'waitMs']);

function milliseconds(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || (value === 0 && name !== 'waitMs')) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} must be a positive whole number of milliseconds (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}

/**
 * Runs `handler` once per renewal of a subscription, on every API version, whichever of the
 * renewal's events arrives first; the others, and every retry and redelivery, are skipped.
 *
 * @example
 * ```ts
 * import { onRenewal } from 'polar-webhooks/lifecycle';
 * import { redisStore } from 'polar-webhooks/stores';
 *
 * onRenewal(webhooks, async (renewal) => {
 *   await credits.topUp(renewal.customerId, { until: renewal.periodEnd });
 * }, { store: redisStore(redis) });
 * ```
 *
 * @returns A function that removes the handler.
 * @throws `WebhookConfigurationError` `invalid_option` for a missing store or a malformed option.
 */
export function onRenewal(
  webhooks: Pick<WebhookRouter, 'on' | 'logger'>,
  handler: RenewalHandler,
  options: RenewalOptions,
): Unsubscribe {
  const where = 'onRenewal()';
  if (typeof handler !== 'function') {
    throw new WebhookConfigurationError('invalid_argument', `${where} needs a handler function.`);
  }
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where} needs options: onRenewal(webhooks, handler, { store }).`,
    );
  }
  checkOptionNames(options, OPTION_NAMES, where);
  const { store, when = 'paid', namespace = 'polar' } = options;
  if (store === null || typeof store !== 'object' || typeof (store as IdempotencyStore).claim !== 'function') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: store must be an idempotency store (memoryStore(), redisStore(client) or postgresStore(pool) from polar-webhooks/stores).`,
    );
  }
  if (when !== 'paid' && when !== 'started') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: when must be 'paid' or 'started' (got ${String(when)}).`,
    );
  }
  const leaseMs = milliseconds(where, 'leaseMs', options.leaseMs, 30_000);
  const ttlMs = milliseconds(where, 'ttlMs', options.ttlMs, 90 * 24 * 60 * 60 * 1000);
  const waitMs = milliseconds(where, 'waitMs', options.waitMs, 5000);
  const types =
    when === 'paid'
      ? (['order.updated', 'order.paid'] as const)
      : (['subscription.cycled', 'order.created', 'order.updated', 'order.paid'] as const);

  const warn = (message: string, error?: unknown) => {
    try {
      if (error === undefined) webhooks.logger.warn(message);
      else webhooks.logger.warn(message, error);
    } catch {
      // A broken logger must not break the delivery.
    }
  };

  return webhooks.on(types, async (event, context) => {
    const renewal = renewalOf(event, when);
    if (renewal === undefined) return;
    const key = renewalKey(namespace, when, renewal);
    const mine = token();
    let result = await store.claim(key, mine, leaseMs);
    const deadline = Date.now() + waitMs;
    for (let pause = 25; result === 'busy' && Date.now() < deadline; pause = Math.min(pause * 2, 500)) {
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
      result = await store.claim(key, mine, leaseMs);
    }
    if (result === 'done') return;
    if (result === 'busy') {
      throw new WebhookProcessingError(
        'delivery_in_progress',
        `Another event of the renewal of subscription ${renewal.subscriptionId} is being handled; Polar will retry this one.`,
      );
    }
    const heartbeat = setInterval(
      () => {
        store.extend(key, mine, leaseMs).then(
          (held) => {
            if (!held) warn(`polar-webhooks: the claim on renewal ${key} lapsed while its handler ran: raise leaseMs.`);
          },
          (error: unknown) => warn('polar-webhooks: could not extend a renewal claim', error),
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    (heartbeat as { unref?: () => void }).unref?.();
    try {
      await handler(renewal, context);
    } catch (error) {
      clearInterval(heartbeat);
      await store
        .release(key, mine)
        .catch((releaseError: unknown) => warn('polar-webhooks: could not release a renewal claim', releaseError));
      throw error;
    }
    clearInterval(heartbeat);
    // The handler ran: failing the delivery now would only make it run again. A commit that did not
    // land lets the claim lapse, and a later event of this renewal may then run the handler again.
    const committed = await store.commit(key, mine, ttlMs).catch((error: unknown) => {
      warn(
        `polar-webhooks: could not mark renewal ${key} handled; a later event of it may run the handler again.`,
        error,
      );
      return true;
    });
    if (!committed)
      warn(`polar-webhooks: the claim on renewal ${key} lapsed before its handler finished; it may run again.`);
  });
}
