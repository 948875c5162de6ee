/**
 * The real servers the store tests run against (Redis and PostgreSQL on 127.0.0.1, as `.ci/run`
 * checks), clients for them, a name of its own for every test file (a key prefix, a schema), and
 * clients wrapped to count their round trips.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis4';
import { createEvent } from '../../src/testing';
import { freePort, sign, type SignedDelivery } from '../integration/helpers';

/** Where Redis answers. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Where PostgreSQL answers (trust authentication). */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** A name of its own for this run: letters, digits and underscores, so it is a key prefix or a schema. */
export function runName(what: string): string {
  return `polar_test_${what}_${randomBytes(5).toString('hex')}`;
}

/** The node-redis client types of both majors, as the tests make them. */
export type NodeRedis5 = ReturnType<typeof createClient>;
export type NodeRedis4 = ReturnType<typeof createClient4>;

/** An ioredis client that fails fast in tests when Redis is gone. */
export function connectIoRedis(url = REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2 });
}

/** A connected node-redis 5 client. */
export async function connectNodeRedis(url = REDIS_URL): Promise<NodeRedis5> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A connected node-redis 4 client. */
export async function connectNodeRedis4(url = REDIS_URL): Promise<NodeRedis4> {
  const client = createClient4({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/**
 * The URL with a user in it: when it names none, libpq takes the operating system's user, but pg
 * takes `$USER`, which CI may not set.
 */
export function withUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username === '') parsed.username = process.env.PGUSER ?? userInfo().username;
  return parsed.href;
}

/** Connection settings for the test database (or `url`). */
export function pgConfig(url = DATABASE_URL): pg.ClientConfig {
  return { connectionString: withUser(url) };
}

/** A pool on the test database. */
export function pgPool(options: pg.PoolConfig = {}): pg.Pool {
  const url = options.connectionString ?? DATABASE_URL;
  const pool = new pg.Pool({ max: 4, ...options, ...pgConfig(url) });
  pool.on('error', () => undefined);
  return pool;
}

/** Creates a schema of this run's own; `drop()` removes it and everything in it. */
export async function createSchema(pool: pg.Pool, name: string): Promise<{ drop: () => Promise<void> }> {
  await pool.query(`CREATE SCHEMA "${name}"`);
  return { drop: async () => void (await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)) };
}

/**
 * Wraps a client so that every call of the named methods counts as one round trip (each is one
 * command or one statement sent, and one answer awaited).
 */
export function counted<T extends object>(client: T, methods: readonly string[]): { client: T; count: () => number } {
  let calls = 0;
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property === 'string' && methods.includes(property) && typeof value === 'function') {
        return (...args: unknown[]) => {
          calls += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { client: wrapped, count: () => calls };
}

/** A Redis server of the test's own, on a free port: one the test may flush, or stop. */
export interface OwnRedis {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a Redis server of the test's own (nothing else uses it, so stopping it harms no one). */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** How the test servers' `order.paid` handler behaves, set in the event's metadata. */
export type HandlerMode = 'ok' | 'fail-first' | 'hang-first' | 'inbox' | 'inbox-fail-first' | 'inbox-hang-first';

/** A signed `order.paid` delivery whose metadata tells the handler what to do. */
export function orderDelivery(metadata: { mode?: HandlerMode; sleep_ms?: number } = {}): SignedDelivery {
  return sign(JSON.stringify(createEvent('order.paid', { data: { metadata } })));
}

export { claimTracker } from './claim-tracker';
