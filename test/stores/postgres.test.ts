/**
 * `postgresStore` on a real PostgreSQL: the shared contract (pools and a plain Client racing on one
 * table), the table and what lands in it, pruning, the transactional inbox with real transactions,
 * and a database that is not there.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebhookProcessingError } from '../../src/errors';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhooksLogger } from '../../src/router/types';
import { createIdempotencyTable, postgresStore, type PostgresStore } from '../../src/stores/postgres';
import { SECRET, freePort } from '../integration/helpers';
import { routerKey, storeContract } from './contract';
import { claimTracker, counted, createSchema, orderDelivery, pgConfig, pgPool, runName } from './services';

const schema = runName('pg');
const pools: pg.Pool[] = [];
let pool: pg.Pool;
let client: pg.Client;
let dropSchema: () => Promise<void>;

const newPool = (options: pg.PoolConfig = {}) => {
  const made = pgPool(options);
  pools.push(made);
  return made;
};

beforeAll(async () => {
  pool = newPool();
  ({ drop: dropSchema } = await createSchema(pool, schema));
  await createIdempotencyTable(pool, { schema });
  client = new pg.Client(pgConfig());
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await dropSchema();
  for (const each of pools) await each.end();
});

const rowOf = async (key: string, table = 'polar_webhook_deliveries') =>
  (
    await pool.query<{ token: string; done: boolean; left_ms: number }>(
      `SELECT token, done, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS left_ms FROM "${schema}"."${table}" WHERE key = $1`,
      [key],
    )
  ).rows;

let made: { stores: [PostgresStore, ...PostgresStore[]]; roundTrips: () => number } | undefined;
storeContract(
  'postgresStore',
  () => {
    if (made !== undefined) return made;
    const { client: wrapped, count } = counted(newPool(), ['query']);
    made = {
      stores: [
        postgresStore(wrapped, { schema }),
        postgresStore(newPool({ max: 4 }), { schema }),
        postgresStore(client, { schema }),
        postgresStore(newPool({ max: 4 }), { schema, prepare: false }),
      ],
      roundTrips: count,
    };
    return made;
  },
  true,
);

describe('postgresStore: the table', () => {
  it('createIdempotencyTable makes the documented columns and index, and can run again, from many processes at once', async () => {
    const table = 'deliveries_made_here';
    const others = [newPool({ max: 1 }), newPool({ max: 1 }), newPool({ max: 1 }), newPool({ max: 1 })];
    await Promise.all(others.map((each) => createIdempotencyTable(each, { schema, table })));
    await createIdempotencyTable(pool, { schema, table });
    const columns = await pool.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table],
    );
    expect(columns.rows).toEqual([
      { column_name: 'key', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'token', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'done', data_type: 'boolean', is_nullable: 'NO' },
      { column_name: 'expires_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
    ]);
    const indexes = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`, [
      schema,
      table,
    ]);
    expect(indexes.rows.map((r: { indexdef: string }) => r.indexdef.replace(/ ON .*USING/, ' USING')).sort()).toEqual([
      expect.stringMatching(/^CREATE INDEX deliveries_made_here_expires_at_idx USING btree \(expires_at\)$/),
      expect.stringMatching(/^CREATE UNIQUE INDEX deliveries_made_here_pkey USING btree \(key\)$/),
    ]);
  });

  it('keeps one small row per key, timed by the database clock', async () => {
    const store = postgresStore(pool, { schema });
    const key = routerKey();
    const token = 'a'.repeat(32);
    expect(await store.claim(key, token, 30_000)).toBe('claimed');
    let [row] = await rowOf(key);
    expect(row).toMatchObject({ token, done: false });
    expect(row?.left_ms).toBeGreaterThan(25_000);
    expect(row?.left_ms).toBeLessThanOrEqual(30_000);
    expect(await store.commit(key, token, 30 * 24 * 3600 * 1000)).toBe(true);
    [row] = await rowOf(key);
    expect(row).toMatchObject({ token, done: true });
    expect(row?.left_ms).toBeGreaterThan(30 * 24 * 3600 * 1000 - 60_000);
  });

  it('a claim takes over the expired row of its key in place', async () => {
    const store = postgresStore(pool, { schema });
    const key = routerKey();
    expect(await store.claim(key, 'old', 100)).toBe('claimed');
    expect(await store.commit(key, 'old', 100)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.claim(key, 'new', 5000)).toBe('claimed');
    expect(await rowOf(key)).toEqual([expect.objectContaining({ token: 'new', done: false })]);
  });

  it('says how to create the table when it is missing', async () => {
    const store = postgresStore(pool, { schema, table: 'not_created' });
    await expect(store.claim(routerKey(), 't', 5000)).rejects.toThrow(
      /table "[^"]+"\."not_created" does not exist\. Create it once with createIdempotencyTable\(pool\)/,
    );
  });

  it('refuses what is not a pool, and malformed options', () => {
    expect(() => postgresStore({} as never)).toThrow(/pool must be a pg Pool or Client/);
    expect(() => postgresStore(pool, { tabel: 'x' } as never)).toThrow(/Did you mean "table"/);
    expect(() => postgresStore(pool, { table: '' })).toThrow(/table must be a non-empty string/);
    expect(() => postgresStore(pool, { table: 'x'.repeat(64) })).toThrow(/at most 63 bytes/);
    expect(() => postgresStore(pool, { pruneIntervalMs: -1 })).toThrow(/pruneIntervalMs must be/);
    expect(() => postgresStore(pool, { prepare: 'yes' as never })).toThrow(/prepare must be true or false/);
  });

  it('quotes the names it is given: a table name with quotes and capitals is a table like any other', async () => {
    const table = 'Odd "Name"';
    await createIdempotencyTable(pool, { schema, table });
    const store = postgresStore(pool, { schema, table });
    const key = routerKey();
    expect(await store.claim(key, 't', 5000)).toBe('claimed');
    expect(await rowOf(key, 'Odd ""Name""')).toHaveLength(1);
  });
});

describe('postgresStore: pruning', () => {
  const table = 'pruned';
  beforeAll(() => createIdempotencyTable(pool, { schema, table }));
  const insert = (rows: number, expiresIn: string, tag: string) =>
    pool.query(
      `INSERT INTO "${schema}"."${table}" (key, token, done, expires_at)
       SELECT $1 || g, 't', g % 2 = 0, now() + $2::interval FROM generate_series(1, $3) g`,
      [tag, expiresIn, rows],
    );
  const count = async (tag: string) =>
    Number(
      (await pool.query(`SELECT count(*) FROM "${schema}"."${table}" WHERE key LIKE $1 || '%'`, [tag])).rows[0].count,
    );

  it('prune() deletes every expired row, in batches, and nothing that still counts', async () => {
    await insert(2500, '-1 second', 'gone:');
    await insert(50, '1 hour', 'kept:');
    const store = postgresStore(pool, { schema, table, pruneIntervalMs: 0 });
    expect(await store.prune()).toBe(2500);
    expect(await count('gone:')).toBe(0);
    expect(await count('kept:')).toBe(50);
    expect(await store.prune()).toBe(0);
  });

  it('claims start a prune in the background, at most once per pruneIntervalMs', async () => {
    const store = postgresStore(pool, { schema, table, pruneIntervalMs: 200 });
    await insert(30, '-1 second', 'lazy:');
    // Too soon after the store was made: nothing is pruned yet.
    await store.claim(routerKey(), 't', 5000);
    expect(await count('lazy:')).toBe(30);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await store.claim(routerKey(), 't', 5000);
    await vi.waitFor(async () => expect(await count('lazy:')).toBe(0));
  });
});

describe('postgresStore: the transactional inbox (commitWith)', () => {
  function setup() {
    const logged: { level: string; message: string }[] = [];
    const logger: WebhooksLogger = {
      warn: (message) => void logged.push({ level: 'warn', message }),
      error: (message) => void logged.push({ level: 'error', message }),
    };
    const tracker = claimTracker(postgresStore(pool, { schema }));
    const webhooks = createWebhooks({ secret: SECRET, logger, idempotency: { store: tracker.store } });
    return { webhooks, logged, store: tracker.store, claimOf: tracker.claimOf };
  }
  const post = async (webhooks: ReturnType<typeof setup>['webhooks'], delivery: ReturnType<typeof orderDelivery>) => {
    const answer = await webhooks.respond({ method: 'POST', body: delivery.body, headers: delivery.headers });
    return { status: answer.status, code: (JSON.parse(answer.body) as { error?: string }).error };
  };

  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${schema}".orders (webhook_id text NOT NULL, order_id text NOT NULL)`);
  });
  const ordersOf = async (id: string) =>
    Number((await pool.query(`SELECT count(*) FROM "${schema}".orders WHERE webhook_id = $1`, [id])).rows[0].count);

  it('commits the handler’s row and the done mark together; the router’s own commit then finds it done', async () => {
    const { webhooks, logged, store, claimOf } = setup();
    let calls = 0;
    webhooks.on('order.paid', async (event, context) => {
      calls += 1;
      const tx = await pool.connect();
      try {
        await tx.query('BEGIN');
        await tx.query(`INSERT INTO "${schema}".orders VALUES ($1, $2)`, [context.id, event.data.id]);
        await store.commitWith(tx, claimOf(context));
        await tx.query('COMMIT');
      } catch (error) {
        await tx.query('ROLLBACK');
        throw error;
      } finally {
        tx.release();
      }
    });
    const delivery = orderDelivery();
    expect(await post(webhooks, delivery)).toEqual({ status: 202, code: undefined });
    expect(await ordersOf(delivery.id)).toBe(1);
    expect(await rowOf(`polar:${delivery.id}`)).toEqual([expect.objectContaining({ done: true })]);
    expect(await post(webhooks, delivery)).toEqual({ status: 202, code: undefined });
    expect(calls).toBe(1);
    // Only the duplicate is reported: no "claim lapsed" warning from the router's commit or heartbeat.
    expect(logged).toEqual([{ level: 'warn', message: expect.stringContaining('was already processed') }]);
  });

  it('a handler that fails after commitWith rolls back both: no row, no done mark; the retry does it all once', async () => {
    const { webhooks, store, claimOf } = setup();
    let calls = 0;
    webhooks.on('order.paid', async (event, context) => {
      calls += 1;
      const tx = await pool.connect();
      try {
        await tx.query('BEGIN');
        await tx.query(`INSERT INTO "${schema}".orders VALUES ($1, $2)`, [context.id, event.data.id]);
        await store.commitWith(tx, claimOf(context));
        if (calls === 1) throw new Error('the payment provider timed out');
        await tx.query('COMMIT');
      } catch (error) {
        await tx.query('ROLLBACK');
        throw error;
      } finally {
        tx.release();
      }
    });
    const delivery = orderDelivery();
    expect(await post(webhooks, delivery)).toEqual({ status: 500, code: 'handler_failed' });
    expect(await ordersOf(delivery.id)).toBe(0);
    expect(await rowOf(`polar:${delivery.id}`)).toEqual([]);
    expect(await post(webhooks, delivery)).toEqual({ status: 202, code: undefined });
    expect(await post(webhooks, delivery)).toEqual({ status: 202, code: undefined });
    expect(calls).toBe(2);
    expect(await ordersOf(delivery.id)).toBe(1);
  });

  it('a copy that arrives while the transaction is open finds it busy, at once; once committed, done', async () => {
    const store = postgresStore(pool, { schema });
    const key = routerKey();
    expect(await store.claim(key, 'first', 30_000)).toBe('claimed');
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await store.commitWith(tx, { id: key, claim: { key, token: 'first', doneTtlMs: 60_000 } });
      const started = Date.now();
      // Not done before the transaction commits, and not held up by the row it has locked.
      expect(await store.claim(key, 'copy', 30_000)).toBe('busy');
      expect(Date.now() - started).toBeLessThan(500);
      await tx.query('COMMIT');
      expect(await store.claim(key, 'copy', 30_000)).toBe('done');
    } finally {
      tx.release();
    }
  });

  it('refuses to commit a claim another copy took over, so that the transaction rolls back', async () => {
    const store = postgresStore(pool, { schema });
    const key = routerKey();
    expect(await store.claim(key, 'stalled', 100)).toBe('claimed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.claim(key, 'took-over', 30_000)).toBe('claimed');
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const failure = await store
        .commitWith(tx, { id: key, claim: { key, token: 'stalled', doneTtlMs: 60_000 } })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WebhookProcessingError);
      expect(failure).toMatchObject({ code: 'delivery_in_progress', status: 409 });
      await tx.query('ROLLBACK');
    } finally {
      tx.release();
    }
    expect(await rowOf(key)).toEqual([expect.objectContaining({ token: 'took-over', done: false })]);
  });

  it('says what is wrong when the context carries no claim', async () => {
    const store = postgresStore(pool, { schema });
    await expect(store.commitWith(pool, { id: 'msg_1' })).rejects.toThrow(
      /the context of webhook-id msg_1 carries no claim/,
    );
  });
});

describe('postgresStore: when PostgreSQL is not there', () => {
  it('a pool on a closed port: 503, no handler, a clear log line', async () => {
    const down = newPool({ connectionString: `postgres://127.0.0.1:${await freePort()}/test` });
    const logged: { level: string; message: string; error: unknown }[] = [];
    const logger: WebhooksLogger = {
      warn: (message, error) => void logged.push({ level: 'warn', message, error }),
      error: (message, error) => void logged.push({ level: 'error', message, error }),
    };
    const webhooks = createWebhooks({
      secret: SECRET,
      logger,
      idempotency: { store: postgresStore(down, { schema }) },
    });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    const delivery = orderDelivery();
    const answer = await webhooks.respond({ method: 'POST', body: delivery.body, headers: delivery.headers });
    expect({ status: answer.status, code: (JSON.parse(answer.body) as { error: string }).error }).toEqual({
      status: 503,
      code: 'store_unavailable',
    });
    expect(ran).not.toHaveBeenCalled();
    expect(logged).toEqual([
      expect.objectContaining({ level: 'error', message: expect.stringContaining('could not be reached') }),
    ]);
    expect(String(logged[0]?.error)).toMatch(/ECONNREFUSED/);
  });

  it('a statement that does not answer within timeoutMs fails the call', async () => {
    const store = postgresStore(pool, { schema, timeoutMs: 300 });
    const key = routerKey();
    expect(await store.claim(key, 'holder', 30_000)).toBe('claimed');
    // A transaction holds the whole table locked, so the claim waits on it.
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(`LOCK TABLE "${schema}".polar_webhook_deliveries IN ACCESS EXCLUSIVE MODE`);
      const started = Date.now();
      await expect(store.claim(key, 'copy', 30_000)).rejects.toThrow(/PostgreSQL did not answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await tx.query('ROLLBACK');
      tx.release();
    }
  });
});
