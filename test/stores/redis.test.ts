/**
 * `redisStore` on a real Redis, through ioredis, node-redis 5 and node-redis 4: the shared contract
 * (each client racing the other two on the same keys), what lands in Redis, the script cache, and a
 * Redis that is not there.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhooksLogger } from '../../src/router/types';
import { redisStore } from '../../src/stores/redis';
import type { IdempotencyStore } from '../../src/stores/types';
import { SECRET, freePort } from '../integration/helpers';
import { routerKey, storeContract } from './contract';
import {
  connectIoRedis,
  connectNodeRedis,
  connectNodeRedis4,
  counted,
  deleteKeys,
  orderDelivery,
  runName,
  startOwnRedis,
  type NodeRedis4,
  type NodeRedis5,
} from './services';

const prefix = `${runName('redis')}:`;
let io: Redis;
let node5: NodeRedis5;
let node4: NodeRedis4;
const extra: { disconnect: () => unknown }[] = [];

beforeAll(async () => {
  io = connectIoRedis();
  node5 = await connectNodeRedis();
  node4 = await connectNodeRedis4();
});

afterAll(async () => {
  await deleteKeys(io, prefix);
  io.disconnect();
  await node5.quit();
  await node4.quit();
  for (const client of extra) client.disconnect();
});

/** Each client's store first, racing stores on the other two clients (each its own connection). */
function subject(first: 'ioredis' | 'node-redis 5' | 'node-redis 4') {
  const clients = { ioredis: io, 'node-redis 5': node5, 'node-redis 4': node4 };
  const methods = first === 'ioredis' ? ['evalsha', 'eval'] : ['evalSha', 'eval'];
  const primary = counted(clients[first] as object, methods);
  const others = Object.entries(clients)
    .filter(([name]) => name !== first)
    .map(([, client]) => redisStore(client, { prefix }));
  return {
    stores: [redisStore(primary.client as Redis, { prefix }), ...others] as [IdempotencyStore, ...IdempotencyStore[]],
    roundTrips: primary.count,
  };
}

for (const name of ['ioredis', 'node-redis 5', 'node-redis 4'] as const) {
  let made: ReturnType<typeof subject> | undefined;
  storeContract(`redisStore on ${name}`, () => (made ??= subject(name)), true);
}

describe('redisStore: what it keeps in Redis', () => {
  it('one short string per key, under the prefix, expiring with the lease, then with the done mark', async () => {
    const store = redisStore(io, { prefix });
    const key = routerKey();
    const token = 'a'.repeat(32);
    expect(await store.claim(key, token, 30_000)).toBe('claimed');
    expect(await io.get(`${prefix}${key}`)).toBe(`c${token}`);
    const leaseLeft = await io.pttl(`${prefix}${key}`);
    expect(leaseLeft).toBeGreaterThan(25_000);
    expect(leaseLeft).toBeLessThanOrEqual(30_000);
    expect(await store.extend(key, token, 60_000)).toBe(true);
    expect(await io.pttl(`${prefix}${key}`)).toBeGreaterThan(55_000);
    const thirtyDays = 30 * 24 * 60 * 60 * 1000;
    expect(await store.commit(key, token, thirtyDays)).toBe(true);
    expect(await io.get(`${prefix}${key}`)).toBe(`d${token}`);
    expect(await io.pttl(`${prefix}${key}`)).toBeGreaterThan(thirtyDays - 60_000);
    // Nothing else was written.
    expect(await io.exists(key)).toBe(0);
  });

  it("puts keys under 'polar-webhooks:' by default", async () => {
    const store = redisStore(node5);
    const key = `${prefix}${routerKey()}`;
    try {
      expect(await store.claim(key, 'b'.repeat(32), 5000)).toBe('claimed');
      expect(await io.get(`polar-webhooks:${key}`)).toBe(`c${'b'.repeat(32)}`);
    } finally {
      await io.del(`polar-webhooks:${key}`);
    }
  });

  it("a commit repeated by the holder still succeeds (it finds the holder's own done mark), and leaves it as it was", async () => {
    const store = redisStore(node4, { prefix });
    const key = routerKey();
    expect(await store.claim(key, 'holder', 5000)).toBe('claimed');
    expect(await store.commit(key, 'holder', 600_000)).toBe(true);
    const ttl = await io.pttl(`${prefix}${key}`);
    expect(await store.commit(key, 'holder', 5)).toBe(true);
    expect(await store.extend(key, 'holder', 5)).toBe(true);
    expect(await io.pttl(`${prefix}${key}`)).toBeGreaterThan(ttl - 5000);
    expect(await store.claim(key, 'next', 5000)).toBe('done');
  });

  it('refuses what is not a Redis client, and misspelt options', () => {
    expect(() => redisStore({} as never)).toThrow(/ioredis client .* or a node-redis client/);
    expect(() => redisStore(null as never)).toThrow(/got null/);
    expect(() => redisStore(io, { prefx: 'x' } as never)).toThrow(/Did you mean "prefix"/);
    expect(() => redisStore(io, { timeoutMs: 0 })).toThrow(/timeoutMs must be a positive whole number/);
    expect(() => redisStore(io, { prefix: 5 as never })).toThrow(/prefix must be a string/);
  });
});

describe('redisStore: the script cache', () => {
  it('sends the script in full once, by SHA-1 after that, and in full again after Redis lost it', async () => {
    const own = await startOwnRedis();
    const client = new Redis(own.url);
    client.on('error', () => undefined);
    try {
      const { client: wrapped, count } = counted(client, ['evalsha', 'eval']);
      const store = redisStore(wrapped, { prefix });
      const stats = async () => {
        const info = await client.info('commandstats');
        const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
        return { eval: calls('eval'), evalsha: calls('evalsha') };
      };
      expect(await store.claim(routerKey(), 't', 5000)).toBe('claimed');
      await vi.waitFor(async () => {
        // Once the script's SHA-1 is known, a claim goes by EVALSHA.
        const before = (await stats()).evalsha;
        await store.claim(routerKey(), 't', 5000);
        expect((await stats()).evalsha).toBe(before + 1);
      });
      const steady = await stats();
      for (let i = 0; i < 10; i++) await store.claim(routerKey(), 't', 5000);
      expect(await stats()).toEqual({ eval: steady.eval, evalsha: steady.evalsha + 10 });

      await client.script('FLUSH');
      const before = count();
      expect(await store.claim(routerKey(), 't', 5000)).toBe('claimed');
      // EVALSHA answered NOSCRIPT, then EVAL: two round trips, once.
      expect(count() - before).toBe(2);
      expect(await stats()).toMatchObject({ eval: steady.eval + 1 });
      const after = count();
      await store.claim(routerKey(), 't', 5000);
      expect(count() - after).toBe(1);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});

describe('redisStore: when Redis is not there', () => {
  function routerOn(store: IdempotencyStore) {
    const logged: { level: string; message: string; error: unknown }[] = [];
    const logger: WebhooksLogger = {
      warn: (message, error) => void logged.push({ level: 'warn', message, error }),
      error: (message, error) => void logged.push({ level: 'error', message, error }),
    };
    const webhooks = createWebhooks({ secret: SECRET, logger, idempotency: { store } });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    const post = async () => {
      const delivery = orderDelivery();
      const answer = await webhooks.respond({ method: 'POST', body: delivery.body, headers: delivery.headers });
      return { status: answer.status, code: (JSON.parse(answer.body) as { error?: string }).error };
    };
    return { post, ran, logged };
  }

  it('ioredis on a closed port (reconnecting, its commands queued): 503 within timeoutMs, no handler, a clear log line', async () => {
    const port = await freePort();
    // ioredis' defaults: it queues commands and keeps reconnecting, for longer than Polar waits.
    const client = new Redis(port, '127.0.0.1');
    client.on('error', () => undefined);
    extra.push(client);
    const { post, ran, logged } = routerOn(redisStore(client, { prefix, timeoutMs: 300 }));
    const started = Date.now();
    expect(await post()).toEqual({ status: 503, code: 'store_unavailable' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ran).not.toHaveBeenCalled();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', message: expect.stringContaining('could not be reached') });
    expect(String((logged[0]?.error as Error).message)).toMatch(/Redis did not answer within 300 ms/);
  });

  it('node-redis whose server went away: 503, no handler, a clear log line; back to normal once it is back', async () => {
    const own = await startOwnRedis();
    const client = await connectNodeRedis(own.url);
    try {
      const { post, ran, logged } = routerOn(redisStore(client, { prefix, timeoutMs: 300 }));
      expect(await post()).toEqual({ status: 202, code: undefined });
      expect(ran).toHaveBeenCalledTimes(1);
      await own.stop();
      expect(await post()).toEqual({ status: 503, code: 'store_unavailable' });
      expect(ran).toHaveBeenCalledTimes(1);
      expect(logged).toEqual([
        expect.objectContaining({ level: 'error', message: expect.stringContaining('could not be reached') }),
      ]);
    } finally {
      await own.stop();
      client.destroy();
    }
  });
});
