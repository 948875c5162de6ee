/**
 * `polar-webhooks/lifecycle`: the state behind the events, for the paths where money moves.
 *
 * - Cancellation: {@link subscriptionPhase}, {@link isCancellationScheduled}, {@link isRevoked},
 *   {@link accessEndsAt}, {@link hasSubscriptionAccess}, read from the subscription itself, never
 *   from the event's name (`subscription.canceled` is sent for scheduled and effective ends alike).
 * - Renewals: {@link onRenewal} runs once per renewal on every API version; {@link renewalOf}.
 * - Access: {@link customerAccess} over a customer state; {@link onBenefitsChanged} with what was
 *   granted and revoked; {@link Entitlements} and {@link EntitlementStrategy}, the official adapters'
 *   `entitlements` option.
 * - Ordering: {@link createOrderingGuard} skips events older than the state already applied, on a
 *   {@link OrderingStore}: {@link memoryOrderingStore}, {@link redisOrderingStore}, {@link postgresOrderingStore}.
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { createOrderingGuard, hasSubscriptionAccess, memoryOrderingStore, onRenewal } from 'polar-webhooks/lifecycle';
 * import { memoryStore } from 'polar-webhooks/stores';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * const inOrder = createOrderingGuard({ store: memoryOrderingStore(), logger: webhooks.logger });
 *
 * webhooks.on(
 *   ['subscription.created', 'subscription.updated', 'subscription.canceled', 'subscription.revoked'],
 *   inOrder((event) => setAccess(event.data.customer_id, hasSubscriptionAccess(event.data))),
 * );
 * onRenewal(webhooks, (renewal) => topUpCredits(renewal.customerId), { store: memoryStore() });
 * ```
 *
 * @module
 */
export {
  customerAccess,
  matchesBenefit,
  type BenefitRef,
  type CustomerAccess,
  type CustomerAccessOptions,
  type GrantedBenefit,
} from './access';
export {
  diffBenefits,
  onBenefitsChanged,
  type BenefitChange,
  type BenefitChangeHandler,
  type BenefitChangeOptions,
} from './benefit-changes';
export {
  Entitlements,
  EntitlementStrategy,
  isEntitlements,
  type EntitlementCallback,
  type EntitlementContext,
  type EntitlementEvent,
  type EntitlementHandler,
  type EntitlementProperties,
} from './entitlements';
export { isoOfMicroseconds, microsecondsOf } from './instant';
export {
  createOrderingGuard,
  DEFAULT_ORDERING_TTL_MS,
  eventVersion,
  type OrderingGuard,
  type OrderingGuardOptions,
  type ResourceVersion,
  type StaleEvent,
} from './ordering';
export { memoryOrderingStore, type MemoryOrderingStoreOptions } from './ordering-memory';
export {
  createOrderingTable,
  postgresOrderingStore,
  type OrderingTableOptions,
  type PostgresOrderingStore,
  type PostgresOrderingStoreOptions,
} from './ordering-postgres';
export { redisOrderingStore, type RedisOrderingStoreOptions } from './ordering-redis';
export type { OrderingRecord, OrderingResult, OrderingStore } from './ordering-store';
export {
  onRenewal,
  renewalOf,
  type Renewal,
  type RenewalEvent,
  type RenewalHandler,
  type RenewalMoment,
  type RenewalOptions,
} from './renewal';
export {
  accessEndsAt,
  hasSubscriptionAccess,
  isCancellationScheduled,
  isRevoked,
  subscriptionPhase,
  type SubscriptionAccessOptions,
  type SubscriptionFields,
  type SubscriptionPhase,
} from './subscription-phase';
