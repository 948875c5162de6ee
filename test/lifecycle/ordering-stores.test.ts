/**
 * The ordering store's contract, on every engine (memory, Redis through ioredis and both majors of
 * node-redis, PostgreSQL), against a reference model written from the contract: stale versions
 * change nothing, ties count as current and keep the record before them, newer versions push the
 * recorded one back; one round trip each; atomic under concurrent writers on separate connections.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryOrderingStore } from '../../src/lifecycle/ordering-memory';
import { postgresOrderingStore } from '../../src/lifecycle/ordering-postgres';
import { redisOrderingStore } from '../../src/lifecycle/ordering-redis';
import type { OrderingRecord, OrderingResult } from '../../src/lifecycle/ordering-store';
import { ENGINE_NAMES, freshKey, openEngine, type Engine } from './engines';

/** The contract, as plainly as it can be said: the oracle the stores are checked against. */
class ReferenceStore {
  readonly #records = new Map<string, { current: OrderingRecord; previous: OrderingRecord | null }>();

  record(key: string, version: number, value: string | null): OrderingResult {
    const held = this.#records.get(key);
    if (held === undefined) {
      this.#records.set(key, { current: { version, value }, previous: null });
      return { stale: false, previous: null };
    }
    if (version < held.current.version) return { stale: true, current: held.current.version };
    const previous = version === held.current.version ? held.previous : held.current;
    this.#records.set(key, { current: { version, value }, previous });
    return { stale: false, previous };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const engineName of ENGINE_NAMES) {
  describe(`ordering store on ${engineName}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await openEngine(engineName);
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('records the first version, then newer ones, each reporting the record it replaced', async () => {
      const store = engine.store();
      const key = freshKey();
      expect(await store.recordUnlessStale(key, 10, 'a')).toEqual({ stale: false, previous: null });
      expect(await store.recordUnlessStale(key, 20, 'b')).toEqual({
        stale: false,
        previous: { version: 10, value: 'a' },
      });
      expect(await store.recordUnlessStale(key, 30, null)).toEqual({
        stale: false,
        previous: { version: 20, value: 'b' },
      });
      expect(await store.recordUnlessStale(key, 40, 'd')).toEqual({
        stale: false,
        previous: { version: 30, value: null },
      });
    });

    it('refuses an older version, changing nothing, and says which version is recorded', async () => {
      const store = engine.store();
      const key = freshKey();
      await store.recordUnlessStale(key, 1_758_464_000_000_001, 'new');
      expect(await store.recordUnlessStale(key, 1_758_464_000_000_000, 'old')).toEqual({
        stale: true,
        current: 1_758_464_000_000_001,
      });
      // Still the newer one, and its previous is still "none".
      expect(await store.recordUnlessStale(key, 1_758_464_000_000_001, 'new')).toEqual({
        stale: false,
        previous: null,
      });
    });

    it('lets a repeat of the recorded version through, with the record before it as its previous', async () => {
      const store = engine.store();
      const key = freshKey();
      await store.recordUnlessStale(key, 5, 'five');
      await store.recordUnlessStale(key, 7, 'seven');
      const repeat = { stale: false, previous: { version: 5, value: 'five' } };
      expect(await store.recordUnlessStale(key, 7, 'seven again')).toEqual(repeat);
      expect(await store.recordUnlessStale(key, 7, 'seven')).toEqual(repeat);
      expect(await store.recordUnlessStale(key, 6, 'six')).toEqual({ stale: true, current: 7 });
      expect(await store.recordUnlessStale(key, 8, 'eight')).toEqual({
        stale: false,
        previous: { version: 7, value: 'seven' },
      });
    });

    it('keeps keys apart, and keeps the versions of microsecond timestamps exact', async () => {
      const store = engine.store();
      const [a, b] = [freshKey(), freshKey()];
      const big = Number.MAX_SAFE_INTEGER - 1;
      await store.recordUnlessStale(a, big, 'a');
      expect(await store.recordUnlessStale(b, 1, 'b')).toEqual({ stale: false, previous: null });
      expect(await store.recordUnlessStale(a, big - 1, 'older by one')).toEqual({ stale: true, current: big });
      expect(await store.recordUnlessStale(a, big + 1, 'newer by one')).toEqual({
        stale: false,
        previous: { version: big, value: 'a' },
      });
    });

    it('forgets a record once its time to live has passed, and keeps one without a time to live', async () => {
      const store = engine.store();
      const [expiring, lasting] = [freshKey(), freshKey()];
      if (engineName === 'memory') {
        let now = 1_000;
        const clocked = memoryOrderingStore({ now: () => now });
        await clocked.recordUnlessStale(expiring, 10, 'x', 50);
        await clocked.recordUnlessStale(lasting, 10, 'y');
        now += 51;
        expect(await clocked.recordUnlessStale(expiring, 1, 'after')).toEqual({ stale: false, previous: null });
        now += 10 ** 12;
        expect(await clocked.recordUnlessStale(lasting, 1, 'after')).toEqual({ stale: true, current: 10 });
        return;
      }
      await store.recordUnlessStale(expiring, 10, 'x', 60);
      await store.recordUnlessStale(lasting, 10, 'y');
      expect(await store.recordUnlessStale(expiring, 1, 'too early')).toEqual({ stale: true, current: 10 });
      await sleep(150);
      expect(await store.recordUnlessStale(expiring, 1, 'after')).toEqual({ stale: false, previous: null });
      expect(await store.recordUnlessStale(lasting, 1, 'after')).toEqual({ stale: true, current: 10 });
    });

    it('behaves as the reference model over any sequence of writes', async () => {
      const store = engine.store();
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.integer({ min: 0, max: 2 }),
              fc.integer({ min: 0, max: 6 }),
              fc.option(fc.string({ maxLength: 5 })),
            ),
            {
              minLength: 1,
              maxLength: 12,
            },
          ),
          async (writes) => {
            const model = new ReferenceStore();
            const keys = [freshKey('m'), freshKey('m'), freshKey('m')];
            for (const [which, version, value] of writes) {
              const key = keys[which] as string;
              expect(await store.recordUnlessStale(key, version, value)).toEqual(model.record(key, version, value));
            }
          },
        ),
        { numRuns: engineName === 'memory' ? 300 : 40 },
      );
    });

    it('is one round trip per write', async () => {
      const { store, roundTrips } = engine.countedStore();
      const key = freshKey();
      const before = roundTrips();
      for (let version = 0; version < 5; version++) await store.recordUnlessStale(key, version % 3, 'v');
      if (engineName !== 'memory') expect(roundTrips() - before).toBe(5);
    });

    it('stays atomic under concurrent writers on separate connections', async () => {
      const stores = [engine.store(), engine.otherStore()];
      const key = freshKey('race');
      const versions = fc.sample(
        fc.uniqueArray(fc.integer({ min: 1, max: 10 ** 9 }), { minLength: 100, maxLength: 100 }),
        1,
      )[0] as number[];
      const results = await Promise.all(
        versions.map((version, i) =>
          (stores[i % 2] as (typeof stores)[number]).recordUnlessStale(key, version, `v${version}`),
        ),
      );
      const applied = versions
        .map((version, i) => ({ version, result: results[i] as OrderingResult }))
        .filter((r) => !r.result.stale)
        .sort((x, y) => x.version - y.version);
      // Linearizable: the applied writes, by version, each replaced the one before; the newest applied.
      expect(applied.at(-1)?.version).toBe(Math.max(...versions));
      applied.forEach(({ result }, i) => {
        const expected = i === 0 ? null : { version: applied[i - 1]!.version, value: `v${applied[i - 1]!.version}` };
        expect(result).toEqual({ stale: false, previous: expected });
      });
      for (const [i, result] of results.entries()) {
        if (result.stale && result.current !== undefined) expect(result.current).toBeGreaterThan(versions[i] as number);
      }
    });

    it('refuses versions that are not safe integers, and times to live that are not positive', async () => {
      const store = engine.store();
      await expect(store.recordUnlessStale(freshKey(), 1.5, null)).rejects.toMatchObject({ code: 'invalid_argument' });
      await expect(store.recordUnlessStale(freshKey(), 2 ** 53, null)).rejects.toMatchObject({
        code: 'invalid_argument',
      });
      await expect(store.recordUnlessStale(freshKey(), 1, null, 0)).rejects.toMatchObject({ code: 'invalid_argument' });
    });
  });
}

describe('ordering store options', () => {
  it('refuse clients, pools and options they cannot use, saying what to pass', () => {
    expect(() => redisOrderingStore({} as never)).toThrow(/ioredis client.*node-redis client/);
    expect(() => postgresOrderingStore({} as never)).toThrow(/pg Pool or Client/);
    expect(() => memoryOrderingStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => memoryOrderingStore({ maxEntry: 5 } as never)).toThrow(/Did you mean "maxEntries"/);
    expect(() => postgresOrderingStore({ query: async () => ({ rows: [] }) }, { table: '' })).toThrow(/identifier/);
  });

  it('memory: forgets the resources written longest ago once full, never the newest', async () => {
    const store = memoryOrderingStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.recordUnlessStale(key, 10, null);
    await store.recordUnlessStale('a', 11, null); // a is now the newest write
    await store.recordUnlessStale('d', 10, null); // evicts b
    expect(store.size).toBe(3);
    expect(await store.recordUnlessStale('b', 1, null)).toEqual({ stale: false, previous: null });
    expect(await store.recordUnlessStale('a', 1, null)).toEqual({ stale: true, current: 11 });
  });

  it('postgres: says how to create a missing table', async () => {
    const missing = { code: '42P01', message: 'relation "polar_webhook_versions" does not exist' };
    const store = postgresOrderingStore({
      query: () => Promise.reject(Object.assign(new Error(missing.message), missing)),
    });
    await expect(store.recordUnlessStale('k', 1, null)).rejects.toThrow(/createOrderingTable\(pool\)/);
  });
});
