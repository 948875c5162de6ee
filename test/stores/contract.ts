/**
 * The contract of `IdempotencyStore` (src/stores/types.ts), as one suite that every store passes:
 * the memory store, Redis through each client, PostgreSQL. Real clocks and short leases, since
 * Redis and PostgreSQL keep time themselves; margins wide enough for a busy 2-core machine.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../src/stores/types';

/** What a store's test file gives the suite. */
export interface ContractSubject {
  /**
   * Stores on the same data, each with a connection of its own (as separate processes have), so
   * that concurrent claims really race in the server. One is enough for the memory store.
   */
  readonly stores: readonly [IdempotencyStore, ...IdempotencyStore[]];
  /** Round trips made so far through `stores[0]`, when they can be counted. */
  readonly roundTrips?: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A key as the router makes it: `<namespace>:<webhook-id>`, unique per test. */
export function routerKey(): string {
  return `polar:msg_${randomBytes(9).toString('base64url')}`;
}

const token = () => randomBytes(16).toString('hex');

/**
 * Registers the contract suite for one store. `subject()` is called in each test, after the file's
 * setup; with `countsRoundTrips`, the subject's `roundTrips` is checked too.
 */
export function storeContract(name: string, subject: () => ContractSubject, countsRoundTrips = false): void {
  describe(`${name}: the IdempotencyStore contract`, () => {
    it('a free key is claimed; while the claim lives, every other claim finds it busy', async () => {
      const [store] = subject().stores;
      const key = routerKey();
      const a = token();
      expect(await store.claim(key, a, 5000)).toBe('claimed');
      expect(await store.claim(key, token(), 5000)).toBe('busy');
      // Even under the same token: a claim is taken once.
      expect(await store.claim(key, a, 5000)).toBe('busy');
    });

    it('of many concurrent claims of one key, from separate connections, exactly one wins', async () => {
      const { stores } = subject();
      for (let round = 0; round < 5; round++) {
        const key = routerKey();
        const results = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            (stores[i % stores.length] as IdempotencyStore).claim(key, token(), 5000),
          ),
        );
        expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r === 'busy')).toHaveLength(23);
      }
    });

    it('only the holder commits or releases; a commit makes every later claim answer done', async () => {
      const [store, other = store] = subject().stores;
      const key = routerKey();
      const holder = token();
      const stranger = token();
      expect(await store.claim(key, holder, 5000)).toBe('claimed');
      expect(await other.commit(key, stranger, 60_000)).toBe(false);
      await other.release(key, stranger);
      expect(await other.claim(key, stranger, 5000)).toBe('busy');
      expect(await store.commit(key, holder, 60_000)).toBe(true);
      expect(await other.claim(key, stranger, 5000)).toBe('done');
      expect(await store.claim(key, token(), 5000)).toBe('done');
      // A done mark is never released, nor taken over by a commit of another token.
      await store.release(key, holder);
      expect(await other.commit(key, stranger, 60_000)).toBe(false);
      expect(await other.claim(key, stranger, 5000)).toBe('done');
    });

    it('a released key is claimable at once by the next delivery', async () => {
      const [store, other = store] = subject().stores;
      const key = routerKey();
      const first = token();
      expect(await store.claim(key, first, 5000)).toBe('claimed');
      await store.release(key, first);
      const second = token();
      expect(await other.claim(key, second, 5000)).toBe('claimed');
      // The first attempt's token is worth nothing now.
      expect(await store.commit(key, first, 60_000)).toBe(false);
      expect(await other.commit(key, second, 60_000)).toBe(true);
    });

    it('a claim lapses after its lease; its old holder can then neither commit, extend nor release it', async () => {
      const [store, other = store] = subject().stores;
      const key = routerKey();
      const dead = token();
      expect(await store.claim(key, dead, 200)).toBe('claimed');
      await sleep(500);
      const next = token();
      expect(await other.claim(key, next, 5000)).toBe('claimed');
      expect(await store.extend(key, dead, 5000)).toBe(false);
      expect(await store.commit(key, dead, 60_000)).toBe(false);
      await store.release(key, dead);
      expect(await store.claim(key, token(), 5000)).toBe('busy');
      expect(await other.commit(key, next, 60_000)).toBe(true);
    });

    it('extend keeps a claim alive past its lease, for its holder only', async () => {
      const [store, other = store] = subject().stores;
      const key = routerKey();
      const holder = token();
      expect(await store.claim(key, holder, 300)).toBe('claimed');
      expect(await other.extend(key, token(), 5000)).toBe(false);
      expect(await store.extend(key, holder, 3000)).toBe(true);
      await sleep(700);
      expect(await other.claim(key, token(), 5000)).toBe('busy');
      expect(await store.commit(key, holder, 60_000)).toBe(true);
    });

    it('a done mark expires after its time to live, and the key is claimable again', async () => {
      const [store, other = store] = subject().stores;
      const key = routerKey();
      const holder = token();
      expect(await store.claim(key, holder, 5000)).toBe('claimed');
      expect(await store.commit(key, holder, 300)).toBe(true);
      expect(await other.claim(key, token(), 5000)).toBe('done');
      await sleep(700);
      expect(await other.claim(key, token(), 5000)).toBe('claimed');
    });

    it('extend and commit of a key never claimed are false, and release resolves', async () => {
      const [store] = subject().stores;
      const key = routerKey();
      expect(await store.extend(key, token(), 5000)).toBe(false);
      expect(await store.commit(key, token(), 5000)).toBe(false);
      await expect(store.release(key, token())).resolves.toBeUndefined();
      expect(await store.claim(key, token(), 5000)).toBe('claimed');
    });

    it('keeps keys apart, whatever characters the namespace and the webhook id hold', async () => {
      const [store] = subject().stores;
      const id = `msg_${randomBytes(6).toString('hex')}`;
      const keys = [`orders:${id}`, `audit:${id}`, `a:b:${id}`, `ünï cödé '"\\%_*:${id}`, `orders:${id}x`];
      const tokens = keys.map(() => token());
      for (const [i, key] of keys.entries()) expect(await store.claim(key, tokens[i] as string, 5000)).toBe('claimed');
      expect(await store.commit(keys[3] as string, tokens[3] as string, 60_000)).toBe(true);
      expect(await store.claim(keys[3] as string, token(), 5000)).toBe('done');
      for (const key of [keys[0], keys[1], keys[2], keys[4]])
        expect(await store.claim(key as string, token(), 5000)).toBe('busy');
    });

    if (countsRoundTrips) {
      it('takes one round trip per claim, duplicate or not, and per commit', async () => {
        const { stores, roundTrips } = subject();
        if (roundTrips === undefined) throw new Error('the subject has no roundTrips counter');
        const [store] = stores;
        const key = routerKey();
        const holder = token();
        // Once, so that any first-use set-up (the script reaching Redis' cache) is behind us.
        await store.claim(routerKey(), token(), 1000);
        let before = roundTrips();
        expect(await store.claim(key, holder, 5000)).toBe('claimed');
        expect(roundTrips() - before).toBe(1);
        before = roundTrips();
        expect(await store.claim(key, token(), 5000)).toBe('busy');
        expect(roundTrips() - before).toBe(1);
        before = roundTrips();
        expect(await store.commit(key, holder, 60_000)).toBe(true);
        expect(roundTrips() - before).toBe(1);
        before = roundTrips();
        expect(await store.claim(key, token(), 5000)).toBe('done');
        expect(roundTrips() - before).toBe(1);
      });
    }
  });
}
