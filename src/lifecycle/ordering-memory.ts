/**
 * `memoryOrderingStore`: the ordering store for one process, in a `Map`. Bounded: past `maxEntries`,
 * the resources written longest ago are forgotten first (a forgotten resource accepts its next event,
 * whatever its version). It orders events within one process only: behind a load balancer, or across
 * restarts, use the Redis or PostgreSQL store.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import { checkRecordArguments, type OrderingRecord, type OrderingResult, type OrderingStore } from './ordering-store';

/** Options of {@link memoryOrderingStore}. */
export interface MemoryOrderingStoreOptions {
  /** The most resources kept at once. Default 100,000. */
  readonly maxEntries?: number;
  /** The clock, in milliseconds (for tests). Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly current: OrderingRecord;
  readonly previous: OrderingRecord | null;
  readonly expiresAt: number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['maxEntries', 'now']);

/**
 * An in-process ordering store.
 *
 * @example
 * ```ts
 * import { createOrderingGuard, memoryOrderingStore } from 'polar-webhooks/lifecycle';
 *
 * const inOrder = createOrderingGuard({ store: memoryOrderingStore() });
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_option` for an unknown or malformed option.
 */
export function memoryOrderingStore(
  options: MemoryOrderingStoreOptions = {},
): OrderingStore & { readonly size: number } {
  const where = 'memoryOrderingStore()';
  checkOptionNames(options, OPTION_NAMES, where);
  const { maxEntries = 100_000, now = Date.now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: maxEntries must be a positive whole number (got ${String(maxEntries)}); leave it out for 100000.`,
    );
  }
  const entries = new Map<string, Entry>();

  return {
    get size() {
      return entries.size;
    },
    // async only to reject instead of throwing: nothing in it waits, so it runs as one step.
    async recordUnlessStale(key, version, value, ttlMs): Promise<OrderingResult> {
      checkRecordArguments('memoryOrderingStore', version, ttlMs);
      const at = now();
      let entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt <= at) {
        entries.delete(key);
        entry = undefined;
      }
      if (entry !== undefined && entry.current.version > version) {
        return { stale: true, current: entry.current.version };
      }
      const previous = entry === undefined ? null : entry.current.version === version ? entry.previous : entry.current;
      // Deleted first, so that the Map's order is the order of the last writes: the oldest go first.
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(key, {
        current: { version, value },
        previous,
        expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : at + ttlMs,
      });
      return { stale: false, previous };
    },
  };
}
