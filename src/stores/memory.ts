/**
 * `memoryStore`: idempotency for one process, in a `Map`. Bounded twice over (entries and bytes), and
 * every entry expires (a claim after its lease, a done mark after its time to live), so it cannot grow
 * without end however many distinct webhook ids arrive. When full, the oldest done marks go first.
 *
 * It deduplicates within one process only: behind a load balancer, or across restarts, use the Redis
 * or PostgreSQL store.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import type { ClaimResult, IdempotencyStore } from './types';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** The most keys kept at once. Default 100,000. */
  readonly maxEntries?: number;
  /** About the most bytes the keys and their bookkeeping take. Default 16 MiB. */
  readonly maxBytes?: number;
  /** The clock, in milliseconds (for tests). Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  done: boolean;
  token: string;
  expiresAt: number;
  bytes: number;
}

/** What an entry costs besides its strings: the Map slot, the object, its fields. */
const ENTRY_OVERHEAD = 96;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `memoryStore(): ${name} must be a positive whole number (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}

/**
 * An in-process idempotency store.
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { memoryStore } from 'polar-webhooks/stores';
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   idempotency: { store: memoryStore({ maxEntries: 50_000 }) },
 * });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): IdempotencyStore & { readonly size: number } {
  const maxEntries = positive('maxEntries', options.maxEntries, 100_000);
  const maxBytes = positive('maxBytes', options.maxBytes, 16 * 1024 * 1024);
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let bytes = 0;

  function remove(key: string, entry: Entry): void {
    entries.delete(key);
    bytes -= entry.bytes;
  }

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= at) {
      remove(key, entry);
      return undefined;
    }
    return entry;
  }

  /** Makes room: expired entries first, then the oldest done marks, then (only if it must) the oldest claims. */
  function evict(at: number): void {
    if (entries.size < maxEntries && bytes <= maxBytes) return;
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= at || entry.done) remove(key, entry);
      if (entries.size < maxEntries * 0.9 && bytes <= maxBytes * 0.9) return;
    }
    for (const [key, entry] of entries) {
      remove(key, entry);
      if (entries.size < maxEntries && bytes <= maxBytes) return;
    }
  }

  function put(key: string, entry: Entry): void {
    const previous = entries.get(key);
    if (previous !== undefined) remove(key, previous);
    entries.set(key, entry);
    bytes += entry.bytes;
  }

  return {
    get size() {
      return entries.size;
    },
    claim(key, token, leaseMs): Promise<ClaimResult> {
      const at = now();
      const entry = live(key, at);
      if (entry !== undefined) return Promise.resolve(entry.done ? 'done' : 'busy');
      evict(at);
      put(key, {
        done: false,
        token,
        expiresAt: at + leaseMs,
        bytes: ENTRY_OVERHEAD + 2 * (key.length + token.length),
      });
      return Promise.resolve('claimed');
    },
    extend(key, token, leaseMs) {
      const at = now();
      const entry = live(key, at);
      if (entry === undefined || entry.done || entry.token !== token) return Promise.resolve(false);
      entry.expiresAt = at + leaseMs;
      return Promise.resolve(true);
    },
    commit(key, token, ttlMs) {
      const at = now();
      const entry = live(key, at);
      if (entry === undefined || entry.done || entry.token !== token) return Promise.resolve(false);
      // Moved to the back: done marks leave in the order they were made.
      put(key, { done: true, token: '', expiresAt: at + ttlMs, bytes: ENTRY_OVERHEAD + 2 * key.length });
      return Promise.resolve(true);
    },
    release(key, token) {
      const entry = live(key, now());
      if (entry !== undefined && !entry.done && entry.token === token) remove(key, entry);
      return Promise.resolve();
    },
  };
}
