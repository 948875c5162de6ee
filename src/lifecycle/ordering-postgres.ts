/**
 * `postgresOrderingStore`: the ordering store across processes, on the PostgreSQL an app already
 * runs, through its `pg` `Pool` or `Client` (not imported: an optional peer dependency, typed by its
 * shape). Create the table once with {@link createOrderingTable}.
 *
 * Each resource is one row. "Record unless stale" is one statement: an `INSERT … ON CONFLICT DO
 * UPDATE` that changes the row only when the stored version is not newer, and that moves the version
 * it replaces into `prev_version`/`prev_value` in the same write, so the previous record (or the
 * newer version that made this one stale) comes back from `RETURNING`, without a second look and
 * without a race. Expiry is measured on the database's clock (`now()`); an expired row counts as absent.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import { CONCURRENT_CREATE, postgresErrorCode, UNDEFINED_TABLE } from '../postgres-errors';
import { DEFAULT_STORE_TIMEOUT_MS, storeMilliseconds, withDeadline } from '../stores/deadline';
import type { PgQuery, PgQueryable, PgResult } from '../stores/postgres';
import { checkRecordArguments, type OrderingResult, type OrderingStore } from './ordering-store';

/** Where the table is. */
export interface OrderingTableOptions {
  /** The table. Default `'polar_webhook_versions'`. */
  readonly table?: string;
  /** Its schema, which must exist. Default: the first schema of the connection's `search_path`. */
  readonly schema?: string;
}

/** Options of {@link postgresOrderingStore}. */
export interface PostgresOrderingStoreOptions extends OrderingTableOptions {
  /**
   * How long one statement may wait, in milliseconds, before the call fails (the handler then fails,
   * and Polar retries the delivery). Default 2000.
   */
  readonly timeoutMs?: number;
}

/** The PostgreSQL ordering store: an {@link OrderingStore}, and a way to delete what expired. */
export interface PostgresOrderingStore extends OrderingStore {
  /** Deletes the records whose time to live has passed, in batches; resolves to how many. Run it now and then. */
  prune(): Promise<number>;
}

const DEFAULT_TABLE = 'polar_webhook_versions';
const TABLE_OPTIONS: ReadonlySet<string> = new Set(['table', 'schema']);
const STORE_OPTIONS: ReadonlySet<string> = new Set(['table', 'schema', 'timeoutMs']);
const PRUNE_BATCH = 1000;

function quoted(where: string, name: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.includes('\0') ||
    new TextEncoder().encode(value).length > 63
  ) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} must be a PostgreSQL identifier (a non-empty string of at most 63 bytes); got ${JSON.stringify(value)}.`,
    );
  }
  return `"${value.replace(/"/g, '""')}"`;
}

interface OrderingSql {
  readonly table: string;
  readonly ddl: string;
  readonly record: string;
  readonly prune: string;
}

function orderingSql(where: string, options: OrderingTableOptions): OrderingSql {
  const table = options.table ?? DEFAULT_TABLE;
  const name = quoted(where, 'table', table);
  const t = options.schema === undefined ? name : `${quoted(where, 'schema', options.schema)}.${name}`;
  const index = quoted(where, 'table', `${table.slice(0, 40)}_expires_at_idx`);
  const live = '(o.expires_at IS NULL OR o.expires_at > now())';
  const fresh = `(o.version <= excluded.version OR NOT ${live})`;
  return {
    table: t,
    ddl:
      `CREATE TABLE IF NOT EXISTS ${t} (\n` +
      '  key text PRIMARY KEY,\n' +
      '  version bigint NOT NULL,\n' +
      '  value text,\n' +
      '  prev_version bigint,\n' +
      '  prev_value text,\n' +
      '  expires_at timestamptz\n' +
      ');\n' +
      `CREATE INDEX IF NOT EXISTS ${index} ON ${t} (expires_at) WHERE expires_at IS NOT NULL;`,
    // $1 key, $2 version, $3 value, $4 time to live in ms (null: for ever). The conflicting row is
    // always updated, to itself when the write is stale, so that the row comes back locked and as the
    // last writer left it: its version is this one when the write applied, the newer one when not. A
    // repeat of the recorded version keeps the record before it as its previous one.
    record:
      `INSERT INTO ${t} AS o (key, version, value, prev_version, prev_value, expires_at)\n` +
      `VALUES ($1, $2::bigint, $3, NULL, NULL, now() + interval '1 millisecond' * $4::double precision)\n` +
      'ON CONFLICT (key) DO UPDATE SET\n' +
      `  version = CASE WHEN ${fresh} THEN excluded.version ELSE o.version END,\n` +
      `  value = CASE WHEN ${fresh} THEN excluded.value ELSE o.value END,\n` +
      `  prev_version = CASE WHEN NOT ${fresh} THEN o.prev_version WHEN NOT ${live} THEN NULL\n` +
      '    WHEN o.version = excluded.version THEN o.prev_version ELSE o.version END,\n' +
      `  prev_value = CASE WHEN NOT ${fresh} THEN o.prev_value WHEN NOT ${live} THEN NULL\n` +
      '    WHEN o.version = excluded.version THEN o.prev_value ELSE o.value END,\n' +
      `  expires_at = CASE WHEN ${fresh} THEN excluded.expires_at ELSE o.expires_at END\n` +
      'RETURNING version::text AS version, prev_version::text AS prev_version, prev_value',
    prune:
      `DELETE FROM ${t} WHERE key IN (\n` +
      `  SELECT key FROM ${t} WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED\n` +
      ')',
  };
}

function checkQueryable(where: string, db: unknown): asserts db is PgQueryable {
  if (db === null || typeof db !== 'object' || typeof (db as { query?: unknown }).query !== 'function') {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `${where}: pool must be a pg Pool or Client (new Pool({ connectionString })); got ${db === null ? 'null' : typeof db}.`,
    );
  }
}

/**
 * Creates the ordering store's table and its index if they are absent (safe to run at every start,
 * from several processes at once). The schema must exist.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createOrderingTable } from 'polar-webhooks/lifecycle';
 *
 * await createOrderingTable(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export async function createOrderingTable(db: PgQueryable, options: OrderingTableOptions = {}): Promise<void> {
  const where = 'createOrderingTable()';
  checkQueryable(where, db);
  checkOptionNames(options, TABLE_OPTIONS, where);
  const sql = orderingSql(where, options);
  for (let attempt = 0; ; attempt++) {
    try {
      // No parameters: pg sends it as a simple query, which may hold both statements.
      await db.query({ text: sql.ddl });
      return;
    } catch (error) {
      if (attempt > 0 || !CONCURRENT_CREATE.has(postgresErrorCode(error))) throw error;
    }
  }
}

/**
 * A single `Client` runs one statement at a time (pg queues the rest with a deprecation warning):
 * send to it one after the other; a pool runs them side by side.
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
 * An ordering store on PostgreSQL, shared by every process that uses the same table. Give it the
 * pool your app already has; the store never connects or ends it.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createOrderingGuard, createOrderingTable, postgresOrderingStore } from 'polar-webhooks/lifecycle';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await createOrderingTable(pool);
 * const inOrder = createOrderingGuard({ store: postgresOrderingStore(pool) });
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_argument` when `pool` cannot run queries;
 *   `invalid_option` for an unknown or malformed option.
 */
export function postgresOrderingStore(
  pool: PgQueryable,
  options: PostgresOrderingStoreOptions = {},
): PostgresOrderingStore {
  const where = 'postgresOrderingStore()';
  checkQueryable(where, pool);
  checkOptionNames(options, STORE_OPTIONS, where);
  const sql = orderingSql(where, options);
  const timeoutMs = storeMilliseconds(where, 'timeoutMs', options.timeoutMs, DEFAULT_STORE_TIMEOUT_MS);
  const send = serialised(pool);

  async function run(text: string, values: unknown[]): Promise<PgResult> {
    try {
      return await withDeadline(send({ text, values }), timeoutMs, 'PostgreSQL');
    } catch (error) {
      if (postgresErrorCode(error) !== UNDEFINED_TABLE) throw error;
      throw new Error(
        `postgresOrderingStore: the table ${sql.table} does not exist. Create it once with ` +
          "createOrderingTable(pool) from 'polar-webhooks/lifecycle'.",
        { cause: error },
      );
    }
  }

  return {
    async recordUnlessStale(key, version, value, ttlMs): Promise<OrderingResult> {
      checkRecordArguments('postgresOrderingStore', version, ttlMs);
      const { rows } = await run(sql.record, [key, String(version), value, ttlMs ?? null]);
      const row = rows[0] as { version: string; prev_version: string | null; prev_value: string | null } | undefined;
      if (row === undefined) throw new Error('postgresOrderingStore: the statement returned no row.');
      const recorded = Number(row.version);
      if (recorded !== version) return { stale: true, current: recorded };
      return {
        stale: false,
        previous: row.prev_version === null ? null : { version: Number(row.prev_version), value: row.prev_value },
      };
    },
    async prune() {
      let total = 0;
      for (;;) {
        const deleted = (await run(sql.prune, [PRUNE_BATCH])).rowCount ?? 0;
        total += deleted;
        if (deleted < PRUNE_BATCH) return total;
      }
    },
  };
}
