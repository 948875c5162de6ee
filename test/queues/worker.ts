/**
 * A worker process of the queue tests: a router whose handlers leave their side effects in Redis or
 * PostgreSQL (never in memory, so that the test, another process, can count them), fed by a BullMQ
 * or pg-boss worker. Configured by the JSON in QUEUE_WORKER; talks to the test on stdout, one JSON
 * object a line (`ready`, and `stalled` when it stops on purpose, waiting to be killed).
 *
 * What the webhook id asks of it:
 * - `poison-…`: every handler run throws until the test sets the "fixed" flag;
 * - `stall-handler-…`: the first run, in whichever worker, stops inside the handler, before any side effect;
 * - `stall-ack-…`: the first run stops after the handlers succeeded and the router marked the id done,
 *   before the engine hears of it: the crash between "done" and "acknowledged".
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhookJob, WebhooksLogger } from '../../src/router/types';
import { startBullmqWorker } from '../../src/queues/bullmq';
import { startPgBossWorker } from '../../src/queues/pg-boss';
import type { WebhookProcessor } from '../../src/queues/types';
import { createIdempotencyTable, postgresStore } from '../../src/stores/postgres';
import { redisStore } from '../../src/stores/redis';
import type { IdempotencyStore } from '../../src/stores/types';

/** What the test tells a worker process. */
export interface WorkerConfig {
  readonly engine: 'bullmq' | 'pg-boss';
  readonly secret: string;
  /** BullMQ: Redis, its key prefix and queue name; side effects go to Redis under the prefix. */
  readonly redisUrl?: string;
  readonly prefix?: string;
  readonly queueName: string;
  /** pg-boss: PostgreSQL and the schema of this run; side effects go to tables in that schema. */
  readonly databaseUrl?: string;
  readonly schema?: string;
  /** Idempotency on the engine's own database (Redis for BullMQ, PostgreSQL for pg-boss). */
  readonly idempotency: boolean;
  readonly leaseMs: number;
  /** BullMQ: how soon a dead worker's job is taken back. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** How many jobs run at once in this process. */
  readonly concurrency: number;
  /** pg-boss: how often maintenance (which fails expired jobs, so they are retried) runs. */
  readonly maintenanceIntervalSeconds?: number;
}

const config = JSON.parse(process.env.QUEUE_WORKER ?? '{}') as WorkerConfig;
const say = (message: object): void => void process.stdout.write(`${JSON.stringify(message)}\n`);
const logger: WebhooksLogger = {
  warn: (message) => void process.stderr.write(`warn: ${message}\n`),
  error: (message, ...details) => void process.stderr.write(`error: ${message} ${details.map(String).join(' ')}\n`),
};
const forever = (): Promise<never> => new Promise(() => setInterval(() => undefined, 60_000));

/** The side effects, and the flags that steer the behaviours above, in the engine's database. */
interface Effects {
  /** Counts one run of the handlers of `id`, by this process. */
  record(id: string): Promise<void>;
  /** True the first time it is asked for `key`, across every process. */
  once(key: string): Promise<boolean>;
  /** Whether the test has fixed the poison handler. */
  fixed(): Promise<boolean>;
  store(): Promise<IdempotencyStore>;
}

function redisEffects(): Effects {
  const redis = new Redis(config.redisUrl as string, { maxRetriesPerRequest: 3 });
  const key = (name: string) => `${config.prefix}:test:${name}`;
  return {
    async record(id) {
      await redis.multi().hincrby(key('effects'), id, 1).hincrby(key('workers'), String(process.pid), 1).exec();
    },
    async once(name) {
      return (await redis.set(key(`once:${name}`), '1', 'NX')) === 'OK';
    },
    async fixed() {
      return (await redis.get(key('fixed'))) === '1';
    },
    async store() {
      return redisStore(redis, { prefix: `${config.prefix}:idempotency:` });
    },
  };
}

function postgresEffects(): Effects {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  const schema = `"${config.schema}"`;
  return {
    async record(id) {
      await pool.query(
        `INSERT INTO ${schema}.effects (id, pid, n) VALUES ($1, $2, 1)
         ON CONFLICT (id, pid) DO UPDATE SET n = ${schema}.effects.n + 1`,
        [id, process.pid],
      );
    },
    async once(name) {
      const { rowCount } = await pool.query(`INSERT INTO ${schema}.flags (name) VALUES ($1) ON CONFLICT DO NOTHING`, [
        `once:${name}`,
      ]);
      return rowCount === 1;
    },
    async fixed() {
      const { rowCount } = await pool.query(`SELECT 1 FROM ${schema}.flags WHERE name = 'fixed'`);
      return rowCount === 1;
    },
    async store() {
      await createIdempotencyTable(pool, { schema: config.schema as string });
      return postgresStore(pool, { schema: config.schema as string });
    },
  };
}

const effects = config.engine === 'bullmq' ? redisEffects() : postgresEffects();
const webhooks = createWebhooks({
  secret: config.secret,
  logger,
  ...(config.idempotency ? { idempotency: { store: await effects.store(), leaseMs: config.leaseMs } } : {}),
});
webhooks.onAny(async (_event, { id }) => {
  if (id.startsWith('poison-') && !(await effects.fixed())) {
    throw new Error(`the warehouse API refused webhook ${id}`);
  }
  if (id.startsWith('stall-handler-') && (await effects.once(`handler:${id}`))) {
    say({ stalled: 'handler', id });
    await forever();
  }
  await effects.record(id);
});

/** The router, with the crash between "done" and "acknowledged" made to happen on purpose. */
const processor: WebhookProcessor = {
  logger,
  async process(job: WebhookJob) {
    const outcome = await webhooks.process(job);
    if (job.id.startsWith('stall-ack-') && (await effects.once(`ack:${job.id}`))) {
      say({ stalled: 'ack', id: job.id, kind: outcome.kind });
      await forever();
    }
    return outcome;
  },
};

if (config.engine === 'bullmq') {
  const url = new URL(config.redisUrl as string);
  const worker = startBullmqWorker(processor, config.queueName, {
    connection: { host: url.hostname, port: Number(url.port || 6379) },
    prefix: config.prefix as string,
    concurrency: config.concurrency,
    ...(config.lockDurationMs === undefined ? {} : { lockDuration: config.lockDurationMs }),
    ...(config.stalledIntervalMs === undefined ? {} : { stalledInterval: config.stalledIntervalMs }),
  });
  await worker.waitUntilReady();
} else {
  const boss = new PgBoss({
    connectionString: config.databaseUrl,
    schema: config.schema as string,
    schedule: false,
    max: 4,
    ...(config.maintenanceIntervalSeconds === undefined
      ? {}
      : { maintenanceIntervalSeconds: config.maintenanceIntervalSeconds }),
  });
  boss.on('error', (error) => logger.error('pg-boss', error));
  await boss.start();
  await startPgBossWorker(processor, boss, {
    name: config.queueName,
    batchSize: config.concurrency,
    pollingIntervalSeconds: 0.5,
  });
}
say({ ready: true, pid: process.pid });
