/**
 * The ordering guard: an opt-in wrapper for handlers that skips an event when a newer state of the
 * same resource was already applied. Polar sends events out of order (`subscription.active` before
 * `subscription.created`, `order.paid` before `order.created`) and a retry can arrive hours after the
 * events that followed it; a handler that writes `event.data` would then put an old state back.
 *
 * A resource is the event's data model and id (`Subscription:<id>`, `Order:<id>`, `Customer:<id>`);
 * its version is `modified_at`, or `created_at` while it was never modified. `customer.state_changed`
 * is versioned by the event's own `timestamp`: the customer's `modified_at` does not move when only
 * their benefits change. Events of one change that carry the same version (Polar sends
 * `subscription.updated`, `canceled` and `revoked` of one revocation with one `modified_at`) all run.
 *
 * @module
 */
import { EVENT_DATA_MODELS, type PolarWebhookEvent, type PolarWebhookEventType } from '../events/catalogue';
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import type { WebhookContext, WebhookEventHandler, WebhooksLogger } from '../router/types';
import { isoOfMicroseconds, microsecondsOf } from './instant';
import type { OrderingStore } from './ordering-store';

/** A resource and the version of it an event carries. */
export interface ResourceVersion {
  /** `<data model>:<id>`, e.g. `Subscription:7742ee08-…`. */
  readonly resource: string;
  /** Microseconds since the epoch of its `modified_at` (or what stands for it); higher is newer. */
  readonly version: number;
}

/** An event the guard skipped, because a newer state of its resource had been applied. */
export interface StaleEvent {
  /** The webhook id of the delivery. */
  readonly id: string;
  /** The event type. */
  readonly eventType: PolarWebhookEventType;
  /** The resource, `<data model>:<id>`. */
  readonly resource: string;
  /** The version this event carries (ISO 8601, microseconds). */
  readonly version: string;
  /** The newer version already applied, when the store could tell (ISO 8601, microseconds). */
  readonly current: string | undefined;
}

/** Options of {@link createOrderingGuard}. */
export interface OrderingGuardOptions {
  /** Where the latest version of each resource is kept: `memoryOrderingStore()`, `redisOrderingStore(client)`, `postgresOrderingStore(pool)`. */
  readonly store: OrderingStore;
  /** Separates apps or endpoints that share one store. Default `'polar'`. */
  readonly namespace?: string;
  /**
   * How long a resource's version is remembered after its last event, in milliseconds: past Polar's
   * retries and the manual redeliveries of the months after. Default 90 days.
   */
  readonly ttlMs?: number;
  /** Told about every skipped event. Default: a warning on `logger`. */
  readonly onStale?: (info: StaleEvent) => void;
  /** Where the default report goes (pass `webhooks.logger`). Default `console`. */
  readonly logger?: WebhooksLogger;
}

/**
 * Wraps handlers so that they run only for events at least as new as what was applied for their
 * resource. Call it on a handler; or call `admit` yourself inside one.
 */
export interface OrderingGuard {
  /** `handler`, run only when the event is not stale; a stale event is reported and acknowledged. */
  <E extends PolarWebhookEvent>(handler: WebhookEventHandler<E>): WebhookEventHandler<E>;
  /**
   * Records the event's version of its resource unless a newer one was applied, and says whether it
   * did: false for a stale event (which is reported). Events that name no resource version are admitted.
   */
  admit(event: PolarWebhookEvent, context?: Partial<WebhookContext>): Promise<boolean>;
}

/** Default of `ttlMs`: 90 days. */
export const DEFAULT_ORDERING_TTL_MS = 90 * 24 * 60 * 60 * 1000;

const OPTION_NAMES: ReadonlySet<string> = new Set(['store', 'namespace', 'ttlMs', 'onStale', 'logger']);

/**
 * The resource an event is about and the version of it the event carries; undefined when the
 * payload has no id or no date to order by.
 */
export function eventVersion(event: PolarWebhookEvent): ResourceVersion | undefined {
  const data = event.data as { readonly id?: unknown; readonly modified_at?: unknown; readonly created_at?: unknown };
  if (typeof data.id !== 'string') return undefined;
  const version =
    event.type === 'customer.state_changed'
      ? microsecondsOf(event.timestamp)
      : (microsecondsOf(data.modified_at) ?? microsecondsOf(data.created_at));
  if (version === undefined) return undefined;
  return { resource: `${EVENT_DATA_MODELS[event.type]}:${data.id}`, version };
}

/** Sends a report to the hook, or to the logger; a hook that throws is logged, never rethrown. */
export function reportStale(
  info: StaleEvent,
  onStale: ((info: StaleEvent) => void) | undefined,
  logger: WebhooksLogger,
): void {
  try {
    if (onStale !== undefined) onStale(info);
    else {
      logger.warn(
        `polar-webhooks: skipped "${info.eventType}" (webhook-id ${info.id}): ${info.resource} is at ` +
          `${info.current ?? 'a newer version'}, newer than this event's ${info.version}.`,
      );
    }
  } catch (error) {
    try {
      logger.error('polar-webhooks: the onStale hook threw', error);
    } catch {
      // A broken logger must not break the delivery.
    }
  }
}

/** Checks a store option: an object with `recordUnlessStale`. */
export function checkOrderingStore(where: string, store: unknown): asserts store is OrderingStore {
  if (store === null || typeof store !== 'object' || typeof (store as OrderingStore).recordUnlessStale !== 'function') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: store must be an ordering store: memoryOrderingStore(), redisOrderingStore(client), ` +
        'postgresOrderingStore(pool), or an object with recordUnlessStale().',
    );
  }
}

/**
 * An ordering guard for handlers that apply the state an event carries.
 *
 * Combine it with the router's `idempotency` option: the guard lets a repeat of the newest event
 * through (it is as new as what was applied), so that a retry after a failed handler runs again.
 *
 * @example
 * ```ts
 * import { createOrderingGuard, hasSubscriptionAccess, redisOrderingStore } from 'polar-webhooks/lifecycle';
 *
 * const inOrder = createOrderingGuard({ store: redisOrderingStore(redis), logger: webhooks.logger });
 * webhooks.on(
 *   ['subscription.created', 'subscription.updated', 'subscription.canceled', 'subscription.revoked'],
 *   inOrder(async (event) => db.saveAccess(event.data.id, hasSubscriptionAccess(event.data))),
 * );
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_option` for a missing store or a malformed option.
 */
export function createOrderingGuard(options: OrderingGuardOptions): OrderingGuard {
  const where = 'createOrderingGuard()';
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError('invalid_option', `${where} needs options: createOrderingGuard({ store }).`);
  }
  checkOptionNames(options, OPTION_NAMES, where);
  const { store, namespace = 'polar', ttlMs = DEFAULT_ORDERING_TTL_MS, onStale, logger = console } = options;
  checkOrderingStore(where, store);
  if (typeof ttlMs !== 'number' || !(ttlMs > 0)) {
    throw new WebhookConfigurationError('invalid_option', `${where}: ttlMs must be a positive number of milliseconds.`);
  }

  async function admit(event: PolarWebhookEvent, context?: Partial<WebhookContext>): Promise<boolean> {
    const version = eventVersion(event);
    if (version === undefined) return true;
    const result = await store.recordUnlessStale(`${namespace}:${version.resource}`, version.version, null, ttlMs);
    if (!result.stale) return true;
    reportStale(
      {
        id: context?.id ?? '',
        eventType: event.type,
        resource: version.resource,
        version: isoOfMicroseconds(version.version),
        current: result.current === undefined ? undefined : isoOfMicroseconds(result.current),
      },
      onStale,
      logger,
    );
    return false;
  }

  const guard = <E extends PolarWebhookEvent>(handler: WebhookEventHandler<E>): WebhookEventHandler<E> => {
    if (typeof handler !== 'function') {
      throw new WebhookConfigurationError('invalid_argument', 'The ordering guard wraps a handler function.');
    }
    return async (event, context) => {
      if (await admit(event, context)) await handler(event, context);
    };
  };
  return Object.assign(guard, { admit });
}
