/**
 * The store behind idempotency: one small interface, so that a delivery's webhook id can be claimed,
 * committed and released on whatever engine an app already runs (memory, Redis, PostgreSQL, or your
 * own). Keys arrive namespaced (`<namespace>:<webhook-id>`); values are the store's own business.
 *
 * The contract every store keeps, and the shared store tests check:
 * - `claim` is atomic: of any number of concurrent claims of one key, across processes, exactly one
 *   gets `'claimed'` while the claim lives;
 * - a claim lives `leaseMs` unless extended; once it lapses (the process died), the next claim of
 *   the key gets `'claimed'` again;
 * - `commit` and `release` act only for the holder of the claim (`token`), so a claimant whose lease
 *   lapsed can never overwrite the one that took over;
 * - a committed key answers `'done'` to every claim until `ttlMs` has passed.
 *
 * @module
 */

/** What a claim found. */
export type ClaimResult =
  /** The key was free (or its claim had lapsed): the caller holds it now, and runs the handlers. */
  | 'claimed'
  /** The key was committed: its handlers already ran to completion. */
  | 'done'
  /** Someone else holds a live claim: the first copy of this delivery is running right now. */
  | 'busy';

/** Where idempotency keeps its claims and done marks. */
export interface IdempotencyStore {
  /**
   * Claims `key` for `leaseMs` milliseconds, under `token` (unique per attempt), atomically. A key
   * whose claim has lapsed, or whose done mark has expired, is claimable again. One round trip.
   */
  claim(key: string, token: string, leaseMs: number): Promise<ClaimResult>;
  /**
   * Extends the claim held under `token` by `leaseMs` from now, while handlers still run.
   *
   * @returns false when the claim is no longer this token's (it lapsed and someone took over).
   */
  extend(key: string, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Marks `key` done for `ttlMs`, if `token` still holds its claim: every later claim answers `'done'`.
   *
   * @returns false when the claim was no longer this token's (it lapsed and someone took over).
   */
  commit(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Frees `key` if `token` still holds its claim, so that the next delivery runs the handlers again. */
  release(key: string, token: string): Promise<void>;
}
