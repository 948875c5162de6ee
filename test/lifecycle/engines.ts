/**
 * The ordering store on every engine the tests run it on: memory, Redis through ioredis, node-redis
 * 5 and node-redis 4, and PostgreSQL through a pg pool. The servers are the real ones on 127.0.0.1
 * (`REDIS_URL`, `DATABASE_URL`); each run gets a key prefix and a schema of its own, removed after.
 */
import { createOrderingTable, postgresOrderingStore } from '../../src/lifecycle/ordering-postgres';
import { memoryOrderingStore } from '../../src/lifecycle/ordering-memory';
import { redisOrderingStore } from '../../src/lifecycle/ordering-redis';
import type { OrderingStore } from '../../src/lifecycle/ordering-store';
import {
  connectIoRedis,
  connectNodeRedis,
  connectNodeRedis4,
  counted,
  createSchema,
  deleteKeys,
  pgPool,
  runName,
} from '../stores/services';

/** One engine: how to make stores on it, and how to clean up after. */
export interface Engine {
  readonly name: string;
  /** A store on the engine. */
  store(): OrderingStore;
  /** A store whose round trips are counted. */
  countedStore(): { store: OrderingStore; roundTrips: () => number };
  /** A second, independent connection's store on the same data (another process, as far as the store can tell). */
  otherStore(): OrderingStore;
  close(): Promise<void>;
}

export const ENGINE_NAMES = [
  'memory',
  'redis (ioredis)',
  'redis (node-redis 5)',
  'redis (node-redis 4)',
  'postgres',
] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Connects one engine, with a prefix or schema of its own. */
export async function openEngine(name: EngineName): Promise<Engine> {
  if (name === 'memory') {
    const store = memoryOrderingStore();
    return {
      name,
      store: () => store,
      countedStore: () => ({ store, roundTrips: () => 0 }),
      otherStore: () => store,
      close: async () => undefined,
    };
  }
  if (name === 'postgres') {
    const schema = runName('ordering');
    const pool = pgPool();
    const other = pgPool({ max: 4 });
    const created = await createSchema(pool, schema);
    await createOrderingTable(pool, { schema });
    return {
      name,
      store: () => postgresOrderingStore(pool, { schema }),
      countedStore: () => {
        const { client, count } = counted(pool, ['query']);
        return { store: postgresOrderingStore(client, { schema }), roundTrips: count };
      },
      otherStore: () => postgresOrderingStore(other, { schema }),
      async close() {
        await created.drop();
        await Promise.all([pool.end(), other.end()]);
      },
    };
  }
  const prefix = `${runName('ordering')}:`;
  const cleaner = connectIoRedis();
  const connect = async () =>
    name === 'redis (ioredis)'
      ? connectIoRedis()
      : name === 'redis (node-redis 5)'
        ? await connectNodeRedis()
        : await connectNodeRedis4();
  const client = await connect();
  const second = await connect();
  const quit = async (c: unknown) => {
    const closable = c as { quit?: () => Promise<unknown>; disconnect?: () => unknown };
    if (typeof closable.quit === 'function') await closable.quit();
    else closable.disconnect?.();
  };
  return {
    name,
    store: () => redisOrderingStore(client as never, { prefix }),
    countedStore: () => {
      const { client: wrapped, count } = counted(client as object, ['evalsha', 'evalSha', 'eval']);
      return { store: redisOrderingStore(wrapped as never, { prefix }), roundTrips: count };
    },
    otherStore: () => redisOrderingStore(second as never, { prefix }),
    async close() {
      await deleteKeys(cleaner, prefix);
      await Promise.all([quit(client), quit(second), quit(cleaner)]);
    },
  };
}

/** A key of its own for each use, so that runs of a property never see each other's records. */
let keys = 0;
export const freshKey = (label = 'k'): string => `${label}:${process.pid}:${++keys}`;
