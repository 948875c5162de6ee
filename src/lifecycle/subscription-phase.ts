/**
 * Where a subscription stands, read from its own fields rather than from the event that carried it:
 * a scheduled cancellation (`cancel_at_period_end`, status still `active`) keeps access until the
 * period ends; a revocation (status `canceled` or `unpaid`) ends it. Polar sends
 * `subscription.canceled` for both, and again after `subscription.revoked` at the end of a period:
 * code that revokes, or restores, access on the event's name gets one of them wrong.
 *
 * Works on every shape Polar sends a subscription in: `Subscription` (subscription events), the
 * `subscription` of an `Order`, and the `active_subscriptions` of a `CustomerState`.
 *
 * @module
 */

/** The fields of a subscription these helpers read; every subscription shape Polar sends has them. */
export interface SubscriptionFields {
  /** `active`, `trialing`, `past_due`, `paused`, `canceled`, `unpaid`, `incomplete`, … */
  readonly status: string;
  /** Whether the subscription ends at the end of the current period. */
  readonly cancel_at_period_end: boolean;
  /** When it was canceled (scheduled or immediate), if it was. */
  readonly canceled_at: string | null;
  /** When it will end, once a cancellation is scheduled. */
  readonly ends_at: string | null;
  /** When it ended (absent from customer-state subscriptions, which are never ended). */
  readonly ended_at?: string | null;
  /** The end of the current billing period. */
  readonly current_period_end: string | null;
  /** When it entered `past_due` (older payloads lack it). */
  readonly past_due_at?: string | null;
  /** When it was paused (older payloads lack it). */
  readonly paused_at?: string | null;
  /** When a paused subscription resumes on its own, if scheduled (older payloads lack it). */
  readonly resumes_at?: string | null;
}

/** Where a subscription stands; see {@link subscriptionPhase}. */
export type SubscriptionPhase =
  | {
      /** Active or trialing, and renewing. */
      readonly kind: 'active';
      /** In its trial period. */
      readonly trialing: boolean;
      /** When the next period starts (the current period's end). */
      readonly renewsAt: string | null;
    }
  | {
      /** Active or trialing, with a cancellation scheduled: access lasts until `endsAt`. */
      readonly kind: 'canceling';
      /** In its trial period. */
      readonly trialing: boolean;
      /** When access ends (`ends_at`, else the current period's end). */
      readonly endsAt: string | null;
      /** When the customer or you canceled it. */
      readonly canceledAt: string | null;
    }
  | {
      /** A renewal payment failed; Polar retries it. Access depends on your benefit grace period. */
      readonly kind: 'past_due';
      /** When it became past due, when the payload says. */
      readonly since: string | null;
    }
  | {
      /** Paused: the customer has no access until it resumes. */
      readonly kind: 'paused';
      /** When it was paused, when the payload says. */
      readonly since: string | null;
      /** When it resumes on its own, if scheduled. */
      readonly resumesAt: string | null;
    }
  | {
      /** Revoked (status `canceled` or `unpaid`): access has ended, for good. */
      readonly kind: 'revoked';
      /** When it ended. */
      readonly endedAt: string | null;
    }
  | {
      /** Never activated: the first payment did not complete (`incomplete`, `incomplete_expired`). */
      readonly kind: 'incomplete';
    }
  | {
      /** A status this version does not know (Polar adds values over time). */
      readonly kind: 'unknown';
      /** The status as sent. */
      readonly status: string;
    };

/**
 * Where `subscription` stands. Only its fields count, never the event type that carried it.
 *
 * @example
 * ```ts
 * webhooks.on('subscription.canceled', (event) => {
 *   const phase = subscriptionPhase(event.data);
 *   if (phase.kind === 'canceling') scheduleReminder(event.data.customer_id, phase.endsAt);
 *   if (phase.kind === 'revoked') revokeAccess(event.data.customer_id);
 * });
 * ```
 */
export function subscriptionPhase(subscription: SubscriptionFields): SubscriptionPhase {
  const { status } = subscription;
  switch (status) {
    case 'active':
    case 'trialing': {
      const trialing = status === 'trialing';
      // `canceled_at` with a future `ends_at` is a scheduled end too, whatever `cancel_at_period_end` says.
      if (subscription.cancel_at_period_end || (subscription.canceled_at !== null && subscription.ends_at !== null)) {
        return {
          kind: 'canceling',
          trialing,
          endsAt: subscription.ends_at ?? subscription.current_period_end,
          canceledAt: subscription.canceled_at,
        };
      }
      return { kind: 'active', trialing, renewsAt: subscription.current_period_end };
    }
    case 'past_due':
      return { kind: 'past_due', since: subscription.past_due_at ?? null };
    case 'paused':
      return { kind: 'paused', since: subscription.paused_at ?? null, resumesAt: subscription.resumes_at ?? null };
    case 'canceled':
    case 'unpaid':
      return { kind: 'revoked', endedAt: subscription.ended_at ?? subscription.ends_at ?? subscription.canceled_at };
    case 'incomplete':
    case 'incomplete_expired':
      return { kind: 'incomplete' };
    default:
      return { kind: 'unknown', status };
  }
}

/** Whether a cancellation is scheduled: still active (or trialing), ending at `accessEndsAt`. */
export function isCancellationScheduled(subscription: SubscriptionFields): boolean {
  return subscriptionPhase(subscription).kind === 'canceling';
}

/** Whether the subscription is revoked (status `canceled` or `unpaid`): access has ended. */
export function isRevoked(subscription: SubscriptionFields): boolean {
  return subscriptionPhase(subscription).kind === 'revoked';
}

/**
 * When access ends, or ended: the scheduled end of a canceling subscription, the end of a revoked
 * one, the pause of a paused one. Null when no end is known: an active subscription renews, and a
 * past-due one ends only if Polar's payment retries run out.
 */
export function accessEndsAt(subscription: SubscriptionFields): Date | null {
  const phase = subscriptionPhase(subscription);
  const at =
    phase.kind === 'canceling'
      ? phase.endsAt
      : phase.kind === 'revoked'
        ? phase.endedAt
        : phase.kind === 'paused'
          ? phase.since
          : null;
  if (at === null) return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Options of {@link hasSubscriptionAccess}. */
export interface SubscriptionAccessOptions {
  /**
   * Whether a past-due subscription still grants access. Default false, as Polar's customer state
   * sees it; Polar itself keeps its benefits for your organization's revocation grace period.
   */
  readonly pastDue?: boolean;
  /**
   * Also end the access of a canceling subscription whose end has passed at this instant: a safety
   * net for a `subscription.revoked` that has not arrived. Without it, access lasts until Polar
   * revokes the subscription.
   */
  readonly at?: Date;
}

/**
 * Whether the subscription grants access now: active or trialing (a scheduled cancellation included,
 * until it takes effect). Revoked, paused and incomplete subscriptions never do.
 *
 * @example
 * ```ts
 * webhooks.on(['subscription.updated', 'subscription.canceled', 'subscription.revoked'], (event) =>
 *   setAccess(event.data.customer_id, hasSubscriptionAccess(event.data)),
 * );
 * ```
 */
export function hasSubscriptionAccess(
  subscription: SubscriptionFields,
  options: SubscriptionAccessOptions = {},
): boolean {
  const phase = subscriptionPhase(subscription);
  switch (phase.kind) {
    case 'active':
      return true;
    case 'canceling': {
      if (options.at === undefined) return true;
      const ends = accessEndsAt(subscription);
      return ends === null || ends.getTime() > options.at.getTime();
    }
    case 'past_due':
      return options.pastDue === true;
    default:
      return false;
  }
}
