/**
 * `onBenefitsChanged`: a handler that learns which benefits a customer gained and lost, from each
 * `customer.state_changed` against the last state seen of that customer (kept in an ordering store,
 * so that a late, older state is skipped instead of diffed backwards).
 *
 * The previous state and the new one are swapped in one atomic store call, so that concurrent
 * deliveries for one customer each diff against the state they replaced. A retry of a state whose
 * handler failed diffs against the same previous state again, so a failed grant is retried, not lost.
 *
 * @module
 */
import type { PolarWebhookEvent } from '../events/catalogue';
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import type { Unsubscribe, WebhookContext, WebhookRouter } from '../router/types';
import { customerAccess, type CustomerAccess, type CustomerAccessOptions, type GrantedBenefit } from './access';
import { isoOfMicroseconds } from './instant';
import { checkOrderingStore, eventVersion, reportStale, type StaleEvent } from './ordering';
import type { OrderingStore } from './ordering-store';

/** What changed in a customer's benefits. */
export interface BenefitChange {
  /** The customer's id in Polar. */
  readonly customerId: string;
  /** Benefits the customer holds now and did not hold in the last state seen. */
  readonly granted: readonly GrantedBenefit[];
  /** Benefits the customer held in the last state seen and no longer holds (as they were then). */
  readonly revoked: readonly GrantedBenefit[];
  /** No earlier state of this customer was known: every benefit they hold counts as granted. */
  readonly firstSeen: boolean;
  /** Everything the customer has access to now. */
  readonly access: CustomerAccess;
  /** The event that carried the new state. */
  readonly event: PolarWebhookEvent<'customer.state_changed'>;
}

/** Handles one change of a customer's benefits. A throw fails the delivery (Polar retries it). */
export type BenefitChangeHandler = (change: BenefitChange, context: WebhookContext) => void | Promise<void>;

/** Options of {@link onBenefitsChanged}. */
export interface BenefitChangeOptions extends CustomerAccessOptions {
  /** Where the last state of each customer is kept: `memoryOrderingStore()`, `redisOrderingStore(client)`, `postgresOrderingStore(pool)`. */
  readonly store: OrderingStore;
  /** Separates apps or endpoints that share one store. Default `'polar'`. */
  readonly namespace?: string;
  /**
   * How long a customer's last state is kept after their last change, in milliseconds. Default: for
   * ever. A forgotten state makes the next change count every benefit as granted, and miss what was
   * revoked: keep it longer than your longest billing period.
   */
  readonly ttlMs?: number;
  /** Told about every state skipped because a newer one had been seen. Default: a warning on the router's logger. */
  readonly onStale?: (info: StaleEvent) => void;
}

/** Benefits in `next` whose id `previous` lacks (`granted`), and the other way round (`revoked`). */
export function diffBenefits(
  previous: readonly GrantedBenefit[],
  next: readonly GrantedBenefit[],
): { readonly granted: readonly GrantedBenefit[]; readonly revoked: readonly GrantedBenefit[] } {
  const before = new Set(previous.map((benefit) => benefit.id));
  const after = new Set(next.map((benefit) => benefit.id));
  // One entry per benefit: a benefit granted twice (two subscriptions) is one access.
  const once = (list: readonly GrantedBenefit[], keep: (id: string) => boolean) => {
    const seen = new Set<string>();
    return list.filter((benefit) => keep(benefit.id) && !seen.has(benefit.id) && (seen.add(benefit.id), true));
  };
  return { granted: once(next, (id) => !before.has(id)), revoked: once(previous, (id) => !after.has(id)) };
}

const SNAPSHOT_VERSION = 1;

function snapshotOf(benefits: readonly GrantedBenefit[]): string {
  return JSON.stringify({ v: SNAPSHOT_VERSION, benefits });
}

/** The benefits a stored snapshot holds; undefined for one this version cannot read. */
function benefitsOf(snapshot: string | null): readonly GrantedBenefit[] | undefined {
  if (snapshot === null) return undefined;
  try {
    const parsed = JSON.parse(snapshot) as { v?: unknown; benefits?: unknown };
    if (parsed.v !== SNAPSHOT_VERSION || !Array.isArray(parsed.benefits)) return undefined;
    return (parsed.benefits as GrantedBenefit[]).filter(
      (b) => typeof b === 'object' && b !== null && typeof b.id === 'string',
    );
  } catch {
    return undefined;
  }
}

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'store',
  'namespace',
  'ttlMs',
  'onStale',
  'descriptions',
  'slugKey',
]);

/**
 * Runs `handler` whenever a `customer.state_changed` shows that a customer gained or lost benefits.
 * States older than the last one seen of that customer are skipped (and reported).
 *
 * Delivery is at least once: a state delivered again (a retry, a redelivery) reports its change
 * again, so make the handler idempotent, or use the router's `idempotency` option.
 *
 * @example
 * ```ts
 * import { onBenefitsChanged, redisOrderingStore } from 'polar-webhooks/lifecycle';
 *
 * onBenefitsChanged(webhooks, async ({ customerId, granted, revoked }) => {
 *   for (const benefit of granted) if (benefit.type === 'discord') await discord.addRole(customerId, benefit.properties);
 *   for (const benefit of revoked) if (benefit.type === 'discord') await discord.removeRole(customerId, benefit.properties);
 * }, { store: redisOrderingStore(redis) });
 * ```
 *
 * @returns A function that removes the handler.
 * @throws `WebhookConfigurationError` `invalid_option` for a missing store or a malformed option.
 */
export function onBenefitsChanged(
  webhooks: Pick<WebhookRouter, 'on' | 'logger'>,
  handler: BenefitChangeHandler,
  options: BenefitChangeOptions,
): Unsubscribe {
  const where = 'onBenefitsChanged()';
  if (typeof handler !== 'function') {
    throw new WebhookConfigurationError('invalid_argument', `${where} needs a handler function.`);
  }
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where} needs options: onBenefitsChanged(webhooks, handler, { store }).`,
    );
  }
  checkOptionNames(options, OPTION_NAMES, where);
  const { store, namespace = 'polar', ttlMs, onStale } = options;
  checkOrderingStore(where, store);
  if (ttlMs !== undefined && (typeof ttlMs !== 'number' || !(ttlMs > 0))) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ttlMs must be a positive number of milliseconds, or left out.`,
    );
  }
  const accessOptions: CustomerAccessOptions = { descriptions: options.descriptions, slugKey: options.slugKey };

  return webhooks.on('customer.state_changed', async (event, context) => {
    const access = customerAccess(event.data, accessOptions);
    const version = eventVersion(event);
    if (version === undefined) return; // a state without a timestamp cannot be placed: nothing to diff against
    const result = await store.recordUnlessStale(
      `${namespace}:benefits:${access.customerId}`,
      version.version,
      snapshotOf(access.benefits),
      ttlMs,
    );
    if (result.stale) {
      reportStale(
        {
          id: context.id,
          eventType: event.type,
          resource: version.resource,
          version: isoOfMicroseconds(version.version),
          current: result.current === undefined ? undefined : isoOfMicroseconds(result.current),
        },
        onStale,
        webhooks.logger,
      );
      return;
    }
    const previous = benefitsOf(result.previous?.value ?? null);
    const { granted, revoked } = diffBenefits(previous ?? [], access.benefits);
    if (granted.length === 0 && revoked.length === 0) return;
    await handler(
      { customerId: access.customerId, granted, revoked, firstSeen: previous === undefined, access, event },
      context,
    );
  });
}
