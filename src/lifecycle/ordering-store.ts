/**
 * The store behind the ordering guard and the benefit diffs: one atomic operation, "record this
 * version of a resource unless a newer one is recorded", on whatever engine an app already runs
 * (`memoryOrderingStore`, `redisOrderingStore`, `postgresOrderingStore`, or your own).
 *
 * The contract every store keeps, and the shared store tests check:
 * - `recordUnlessStale` is atomic: of any number of concurrent calls for one key, across processes,
 *   each sees the effect of those before it, and the recorded version never goes back;
 * - a version older than the recorded one is stale: nothing changes, and `current` says what is
 *   recorded;
 * - a version equal to the recorded one is not stale: Polar sends several events of one change
 *   (`subscription.updated`, `canceled`, `revoked`) with the same `modified_at`, and each must run.
 *   It replaces the value, keeps what came before it, and reports that as `previous`, so that a
 *   retried event sees the same `previous` as its first attempt did;
 * - a newer version replaces the record, and `previous` is the record it replaced;
 * - a record lives `ttlMs` after it was last written, or for ever when `ttlMs` is undefined.
 *
 * @module
 */

import { WebhookConfigurationError } from '../errors';

/** A version of a resource as a store keeps it. */
export interface OrderingRecord {
  /** The version: microseconds since the epoch of the resource's `modified_at` (or what stands for it). */
  readonly version: number;
  /** What the caller stored with it (a snapshot, as text), or null. */
  readonly value: string | null;
}

/** What {@link OrderingStore.recordUnlessStale} found. */
export type OrderingResult =
  | {
      /** The version was recorded (it was newer than, or as new as, the one recorded). */
      readonly stale: false;
      /**
       * The record before this version: the one it replaced, or (when this version was already
       * recorded) the one that version replaced. Null when there was none.
       */
      readonly previous: OrderingRecord | null;
    }
  | {
      /** A newer version is recorded: nothing changed. */
      readonly stale: true;
      /** The version recorded, when the store could tell. */
      readonly current: number | undefined;
    };

/** Where the ordering guard and the benefit diffs keep the latest version of each resource. */
export interface OrderingStore {
  /**
   * Records `version` (and `value`) under `key` unless a newer version is recorded there, atomically,
   * in one round trip.
   *
   * @param version - A safe integer; higher is newer.
   * @param value - Text to keep with the version (null for none).
   * @param ttlMs - How long the record lives after this write; undefined for ever.
   */
  recordUnlessStale(key: string, version: number, value: string | null, ttlMs?: number): Promise<OrderingResult>;
}

/**
 * Checks what a store is given, so that every store refuses the same mistakes.
 *
 * @throws `WebhookConfigurationError` `invalid_argument` for a version that is not a safe
 *   integer, or a time to live that is not a positive number.
 */
export function checkRecordArguments(where: string, version: number, ttlMs: number | undefined): void {
  if (!Number.isSafeInteger(version)) {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `${where}: version must be a safe integer, got ${String(version)}.`,
    );
  }
  if (ttlMs !== undefined && !(typeof ttlMs === 'number' && ttlMs > 0)) {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `${where}: ttlMs must be a positive number of milliseconds, or undefined to keep the record for ever; got ${String(ttlMs)}.`,
    );
  }
}
