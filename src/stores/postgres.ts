/**
 * `postgresStore`: idempotency across processes on the PostgreSQL an app already runs, through its
 * `pg` `Pool` or `Client` (not imported: an optional peer dependency, typed here by its shape). One
 * table with the key as its primary key; each operation is one statement, so one round trip. And the
 * transactional inbox: `commitWith` writes the done mark inside the handler's own transaction, so
 * the handler's writes and the mark are committed together or not at all.
 *
 * @module
 */
import { WebhookConfigurationError, WebhookProcessingError } from '../errors';
import { checkOptionNames } from '../option-names';
import { CONCURRENT_CREATE, postgresErrorCode, UNDEFINED_TABLE } from '../postgres-errors';
import type { ClaimCarrier } from './claim';
import { DEFAULT_STORE_TIMEOUT_MS, storeMilliseconds, withDeadline } from './deadline';
import { DEFAULT_TABLE, shortHash, storeSql, type StoreSql } from './postgres-sql';
import type { ClaimResult, IdempotencyStore } from './types';

/** A query as `pg` takes it. */
export interface PgQuery {
  /** The SQL. */
  text: string;
  /** Its parameters (`$1`, `$2`, …). */
  values?: unknown[];
  /** Makes it a prepared statement on each connection, parsed and planned once. */
  name?: string;
}

/** What `pg` answers to a query. */
export interface PgResult {
  /** The rows returned. */
  rows: unknown[];
  /** How many rows the statement touched. */
  rowCount?: number | null;
}

/** Anything that runs a query: a `pg` `Pool`, `Client`, or a `PoolClient` inside a transaction. */
export interface PgQueryable {
  /** Runs one query. */
  query(query: PgQuery): Promise<PgResult>;
}

/** Where the table is. */
export interface PostgresTableOptions {
  /** The table. Default `'polar_webhook_deliveries'`. */
  readonly table?: string;
  /** Its schema, which must exist. Default: the first schema of the connection's `search_path`. */
  readonly schema?: string;
}

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions extends PostgresTableOptions {
  /**
   * How long one statement may wait, in milliseconds, before the call fails (a claim then answers
   * 503, so that Polar retries). `pg` waits without end for a connection by default. Default 2000.
   */
  readonly timeoutMs?: number;
  /**
   * At most how often, in milliseconds, a claim starts a `prune()` in the background, so that expired
   * rows do not pile up. `0` never: then call `prune()` yourself (from a cron job). Default 60,000.
   */
  readonly pruneIntervalMs?: number;
  /**
   * Whether to send the statements as prepared statements (parsed and planned once per connection).
   * Set it to false behind a pooler that cannot keep them (PgBouncer before 1.21 in transaction mode).
   * Default true.
   */
  readonly prepare?: boolean;
}

/** The PostgreSQL store: an {@link IdempotencyStore}, and what only a database can do. */
export interface PostgresStore extends IdempotencyStore {
  /**
   * The transactional inbox: marks the delivery done through `client`, inside the transaction your
   * handler opened for its own writes, so both are committed together or neither is. Call it last in
   * the transaction, after your writes and before `COMMIT`; the router's own commit afterwards then
   * finds the delivery already done.
   *
   * @param context - The handler's context, which carries the delivery's claim (`context.claim`).
   * @throws `WebhookProcessingError` `delivery_in_progress` when this delivery no longer holds
   *   its claim (its lease lapsed and another copy took over): roll back, the other copy does the work.
   * @throws `WebhookConfigurationError` `invalid_argument` when `context` carries no claim
   *   (the router has no `idempotency` option with this store).
   * @example
   * ```ts
   * webhooks.on('order.paid', async (event, context) => {
   *   const client = await pool.connect();
   *   try {
   *     await client.query('BEGIN');
   *     await client.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [event.data.id, event.data.total_amount]);
   *     await store.commitWith(client, context);
   *     await client.query('COMMIT');
   *   } catch (error) {
   *     await client.query('ROLLBACK');
   *     throw error;
   *   } finally {
   *     client.release();
   *   }
   * });
   * ```
   */
  commitWith(client: PgQueryable, context: ClaimCarrier): Promise<void>;
  /** Deletes every expired row (lapsed claims, expired done marks), in batches; resolves to how many. */
  prune(): Promise<number>;
}

const STORE_OPTIONS: ReadonlySet<string> = new Set(['table', 'schema', 'timeoutMs', 'pruneIntervalMs', 'prepare']);
const TABLE_OPTIONS: ReadonlySet<string> = new Set(['table', 'schema']);
const CLAIM_STATES: ReadonlySet<string> = new Set(['claimed', 'done', 'busy']);
const PRUNE_BATCH = 1000;

/** What the commit statement answers: whether the token held the key. */
const heldIn = (result: PgResult): boolean => (result.rows[0] as { held?: unknown } | undefined)?.held === true;

function checkQueryable(where: string, db: unknown, name: string): void {
  if (db === null || typeof db !== 'object' || typeof (db as { query?: unknown }).query !== 'function') {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `${where}: ${name} must be a pg Pool or Client (new Pool({ connectionString })); got ${db === null ? 'null' : typeof db}.`,
    );
  }
}

/** A missing table, with how to make it; any other error as it is. */
function explained(error: unknown, sql: StoreSql): unknown {
  if (postgresErrorCode(error) !== UNDEFINED_TABLE) return error;
  return new Error(
    `postgresStore: the table ${sql.table} does not exist. Create it once with createIdempotencyTable(pool) ` +
      "from 'polar-webhooks/stores', or with the DDL in the README.",
    { cause: error },
  );
}

/**
 * How the store sends its statements: straight to a pool, which runs them side by side on its
 * connections; one after the other to a single `Client`, which cannot run two at once (pg queues
 * them, with a deprecation warning, and pg 9 refuses).
 */
function serialised(db: PgQueryable): (query: PgQuery) => Promise<PgResult> {
  if (typeof (db as { idleCount?: unknown }).idleCount === 'number') return (query) => db.query(query);
  let tail: Promise<unknown> = Promise.resolve();
  return (query) => {
    const result = tail.then(() => db.query(query));
    tail = result.catch(() => undefined);
    return result;
  };
}

/**
 * Creates the store's table and its index if they are absent (safe to run at every start, from
 * several processes at once). The schema must exist.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createIdempotencyTable } from 'polar-webhooks/stores';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await createIdempotencyTable(pool);
 * ```
 */
export async function createIdempotencyTable(db: PgQueryable, options: PostgresTableOptions = {}): Promise<void> {
  const where = 'createIdempotencyTable()';
  checkQueryable(where, db, 'the first argument');
  checkOptionNames(options, TABLE_OPTIONS, where);
  const sql = storeSql(where, options.table ?? DEFAULT_TABLE, options.schema);
  for (let attempt = 0; ; attempt++) {
    try {
      // No parameters: pg sends it as a simple query, which may hold both statements.
      await db.query({ text: sql.ddl });
      return;
    } catch (error) {
      // Another process created it between our check and our CREATE: it exists now; look again.
      if (attempt > 0 || !CONCURRENT_CREATE.has(postgresErrorCode(error))) throw error;
    }
  }
}

/**
 * An idempotency store on PostgreSQL, shared by every process that uses the same table. Give it the
 * pool your app already has; the store never connects or ends it. Create the table first with
 * {@link createIdempotencyTable}.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createWebhooks } from 'polar-webhooks';
 * import { createIdempotencyTable, postgresStore } from 'polar-webhooks/stores';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await createIdempotencyTable(pool);
 * const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   idempotency: { store: postgresStore(pool) },
 * });
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_argument` when `pool` cannot run queries;
 *   `invalid_option` for an unknown or malformed option.
 */
export function postgresStore(pool: PgQueryable, options: PostgresStoreOptions = {}): PostgresStore {
  const where = 'postgresStore()';
  checkQueryable(where, pool, 'pool');
  checkOptionNames(options, STORE_OPTIONS, where);
  const sql = storeSql(where, options.table ?? DEFAULT_TABLE, options.schema);
  const timeoutMs = storeMilliseconds(where, 'timeoutMs', options.timeoutMs, DEFAULT_STORE_TIMEOUT_MS);
  const pruneIntervalMs =
    options.pruneIntervalMs === 0 ? 0 : storeMilliseconds(where, 'pruneIntervalMs', options.pruneIntervalMs, 60_000);
  if (options.prepare !== undefined && typeof options.prepare !== 'boolean') {
    throw new WebhookConfigurationError('invalid_option', `${where}: prepare must be true or false.`);
  }
  const prepare = options.prepare ?? true;

  /** A statement, named after its text: one name per text, as pg requires of prepared statements. */
  const statement = (text: string) => {
    const name = `polar_webhooks_${shortHash(text)}`;
    return (values: unknown[]): PgQuery => (prepare ? { name, text, values } : { text, values });
  };
  const claimQuery = statement(sql.claim);
  const extendQuery = statement(sql.extend);
  const commitQuery = statement(sql.commit);
  const releaseQuery = statement(sql.release);
  const pruneQuery = statement(sql.prune);

  const send = serialised(pool);

  async function run(query: PgQuery): Promise<PgResult> {
    try {
      return await withDeadline(send(query), timeoutMs, 'PostgreSQL');
    } catch (error) {
      throw explained(error, sql);
    }
  }

  let lastPrune = Date.now();
  let pruning = false;
  function pruneNowAndThen(): void {
    if (pruneIntervalMs === 0 || pruning || Date.now() - lastPrune < pruneIntervalMs) return;
    pruning = true;
    lastPrune = Date.now();
    // Off the delivery's path; a failure here only means the rows wait for the next prune.
    store.prune().then(
      () => void (pruning = false),
      () => void (pruning = false),
    );
  }

  const store: PostgresStore = {
    async claim(key, token, leaseMs): Promise<ClaimResult> {
      const { rows } = await run(claimQuery([key, token, leaseMs]));
      pruneNowAndThen();
      const state = (rows[0] as { state?: unknown } | undefined)?.state;
      if (typeof state !== 'string' || !CLAIM_STATES.has(state)) {
        throw new Error(`postgresStore: unexpected answer ${JSON.stringify(state)} to a claim.`);
      }
      return state as ClaimResult;
    },
    async extend(key, token, leaseMs) {
      return (await run(extendQuery([key, token, leaseMs]))).rows.length > 0;
    },
    async commit(key, token, ttlMs) {
      return heldIn(await run(commitQuery([key, token, ttlMs])));
    },
    async release(key, token) {
      await run(releaseQuery([key, token]));
    },
    async commitWith(client, context) {
      checkQueryable('commitWith()', client, 'client');
      const claim = context?.claim;
      if (claim === undefined) {
        throw new WebhookConfigurationError(
          'invalid_argument',
          `commitWith(client, context): the context of webhook-id ${String(context?.id)} carries no claim. Pass the ` +
            "handler's own context, from a router made with createWebhooks({ idempotency: { store } }) where store " +
            'is this postgresStore.',
        );
      }
      // No deadline here: the statement is part of the caller's transaction, which the caller bounds.
      let result: PgResult;
      try {
        result = await client.query(commitQuery([claim.key, claim.token, claim.doneTtlMs]));
      } catch (error) {
        throw explained(error, sql);
      }
      if (!heldIn(result)) {
        throw new WebhookProcessingError(
          'delivery_in_progress',
          `The claim on webhook-id ${context.id} is no longer this delivery's: its lease lapsed and another copy ` +
            'took it over. Roll this transaction back; the other copy does the work.',
        );
      }
    },
    async prune() {
      let total = 0;
      for (;;) {
        const deleted = (await run(pruneQuery([PRUNE_BATCH]))).rowCount ?? 0;
        total += deleted;
        if (deleted < PRUNE_BATCH) return total;
      }
    },
  };
  return store;
}
