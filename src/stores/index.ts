/**
 * `polar-webhooks/stores`: where idempotency keeps its claims and done marks. `memoryStore()` for one
 * process; `redisStore(client)` and `postgresStore(pool)` for several processes, on the engines an app
 * already runs; or any object that implements {@link IdempotencyStore}.
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { memoryStore } from 'polar-webhooks/stores';
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   idempotency: { store: memoryStore() },
 * });
 * ```
 *
 * @module
 */
export { memoryStore, type MemoryStoreOptions } from './memory';
export {
  redisStore,
  type IoRedisClient,
  type NodeRedisClient,
  type NodeRedisScriptOptions,
  type RedisClient,
  type RedisStoreOptions,
} from './redis';
export {
  createIdempotencyTable,
  postgresStore,
  type PgQuery,
  type PgQueryable,
  type PgResult,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresTableOptions,
} from './postgres';
export type { ClaimCarrier, IdempotencyClaim } from './claim';
export type { ClaimResult, IdempotencyStore } from './types';
