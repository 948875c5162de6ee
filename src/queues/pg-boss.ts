/**
 * `polar-webhooks/pg-boss`: verified deliveries handed to pg-boss (10.x) on PostgreSQL, and
 * processed by pg-boss workers. A failing job is retried with exponential backoff; one that used
 * up its attempts stays in pg-boss's `failed` state, with its error, until it is replayed.
 *
 * Deduplication: pg-boss job ids are UUIDs, so each job's id is the version 5 UUID of its webhook id
 * ({@link pgBossJobId}). A second copy of a delivery carries the same id, and PostgreSQL's primary key
 * refuses it, whatever state the first copy is in (waiting, running, retrying, completed, failed),
 * until pg-boss archives the first (completed jobs after 12 hours by default). pg-boss's
 * `singletonKey` would not do: it is enforced only by the `short`, `singleton` and `stately` queue
 * policies, and only for some states (`short` while a job waits, `singleton` while it runs), so a
 * copy that arrives while the first runs, or after it completed, would be a second job.
 *
 * @example
 * ```ts
 * import PgBoss from 'pg-boss';
 * import { createWebhooks } from 'polar-webhooks';
 * import { pgBossQueue, startPgBossWorker } from 'polar-webhooks/pg-boss';
 *
 * const boss = new PgBoss(process.env.DATABASE_URL!);
 * await boss.start();
 * export const queue = pgBossQueue(boss);
 * export const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET!, queue });
 * webhooks.on('order.paid', async (event, { id }) => fulfil(event.data.id, id));
 *
 * // in each worker process, with the same `webhooks` and a started `boss`:
 * await startPgBossWorker(webhooks, boss, { batchSize: 10 });
 * ```
 *
 * @module
 */
import { checkOptionNames } from '../option-names';
import type { WebhookJob, WebhookQueue } from '../router/types';
import { createPgBossQueue } from './pg-boss-queue-creation';
import {
  argument,
  atLeast,
  DEFAULT_ENQUEUE_TIMEOUT_MS,
  flag,
  name as nameOption,
  wholeNumber,
  withTimeout,
} from './options';
import type { FailedWebhookJob, WebhookJobResult, WebhookProcessor } from './types';

export type { FailedWebhookJob, WebhookJobResult, WebhookProcessor } from './types';
import { uuidV5, WEBHOOK_ID_NAMESPACE } from './uuid';

/** A job as pg-boss hands it to a worker. */
export interface PgBossJob {
  /** pg-boss's id of the job (a UUID). */
  readonly id: string;
  /** The job's data: here, a {@link WebhookJob}. */
  readonly data: unknown;
}

/** The options of pg-boss's `send` this module sets. */
export interface PgBossSendOptions {
  /** The job's id. */
  id: string;
  /** How many times a failed job is run again. */
  retryLimit: number;
  /** Seconds before the first retry. */
  retryDelay: number;
  /** Whether the delay doubles on each retry. */
  retryBackoff: boolean;
  /** How long a job may run before pg-boss fails it (and retries it). */
  expireInSeconds: number;
}

/** The options of pg-boss's `work` this module sets. */
export interface PgBossWorkOptions {
  /** How many jobs one fetch takes. */
  batchSize: number;
  /** How long to wait between fetches that found nothing. */
  pollingIntervalSeconds: number;
}

/**
 * The part of a `PgBoss` instance (pg-boss 10.x) this module uses. A started `new PgBoss(...)` is
 * one; only its shape is typed here, so pg-boss stays an optional peer dependency.
 */
export interface PgBossClient {
  /** Creates a queue; does nothing when it exists. */
  createQueue(name: string, options: { name: string; policy: 'standard' }): Promise<void>;
  /** Writes a job; resolves to its id, or to null when none was written. */
  send(name: string, data: object, options: PgBossSendOptions): Promise<string | null>;
  /** Reads a job (not an archived one) by id. */
  getJobById(name: string, id: string): Promise<object | null>;
  /** Starts a polling worker; resolves to its id. */
  work(name: string, options: PgBossWorkOptions, handler: (jobs: PgBossJob[]) => Promise<void>): Promise<string>;
  /** Stops the worker with that id. */
  offWork(options: { id: string }): Promise<void>;
  /** Marks an active job completed, with its result. */
  complete(name: string, id: string, data?: object): Promise<unknown>;
  /** Fails an active job with its error: pg-boss retries it while it has attempts left. */
  fail(name: string, id: string, data?: object): Promise<unknown>;
  /** The database pg-boss runs its SQL on. */
  getDb(): PgBossDb;
}

/** pg-boss's database, as `boss.getDb()` returns it. */
export interface PgBossDb {
  /** Runs one statement; resolves to its rows (to nothing while pg-boss is not started). */
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Options of {@link pgBossQueue}. */
export interface PgBossQueueOptions {
  /** The pg-boss queue's name. Default `'polar-webhooks'`. */
  readonly name?: string;
  /** The schema pg-boss was started with (its `schema` option), where failed jobs are listed from. Default `'pgboss'`. */
  readonly schema?: string;
  /** How many times a job runs before it stays failed (pg-boss's `retryLimit` is one less). Default 10. */
  readonly attempts?: number;
  /** Seconds before the first retry. Default 5. */
  readonly retryDelaySeconds?: number;
  /**
   * Whether each retry waits about twice as long as the one before (with jitter). Default `true`:
   * ten attempts then span about an hour.
   */
  readonly retryBackoff?: boolean;
  /**
   * How long one attempt may run, in seconds, before pg-boss fails it and retries it: also how soon
   * the job of a worker that died is run again (pg-boss checks every `maintenanceIntervalSeconds`).
   * Default 300.
   */
  readonly expireInSeconds?: number;
  /**
   * How long a write may wait for PostgreSQL, in milliseconds, before the delivery is answered 503
   * so that Polar retries it. Default 5000.
   */
  readonly timeoutMs?: number;
}

/** Options of {@link PgBossWebhookQueue.listFailed}. */
export interface PgBossListOptions {
  /** The most jobs to return, most recently failed first. Default 100. */
  readonly limit?: number;
}

/** A {@link WebhookQueue} on a pg-boss queue, with the operations on its failed jobs. */
export interface PgBossWebhookQueue extends WebhookQueue {
  /** The pg-boss queue's name. */
  readonly name: string;
  /** The webhook jobs in the `failed` state (archived ones included), with the error of their last attempt. */
  listFailed(options?: PgBossListOptions): Promise<FailedWebhookJob[]>;
  /**
   * Puts failed jobs back in the queue with their attempts reset, to be processed again (after you
   * fixed the handler that failed). Takes webhook ids; without any, replays every failed job.
   * Ids whose job is not failed are left alone.
   *
   * @returns The webhook ids that were put back.
   */
  replay(ids?: string | readonly string[]): Promise<string[]>;
}

/** Options of {@link startPgBossWorker}. */
export interface PgBossWorkerOptions {
  /** The pg-boss queue's name, as given to {@link pgBossQueue}. Default `'polar-webhooks'`. */
  readonly name?: string;
  /** How many jobs one fetch takes; they run at the same time, and the next fetch waits for all of them. Default 10. */
  readonly batchSize?: number;
  /** Seconds between two fetches that found nothing (at least 0.5). Default 2. */
  readonly pollingIntervalSeconds?: number;
}

/** A running pg-boss worker of webhook jobs. */
export interface PgBossWorker {
  /** pg-boss's id of the worker. */
  readonly id: string;
  /** Stops fetching jobs; `boss.stop()` then waits for the running ones. */
  stop(): Promise<void>;
}

const DEFAULT_QUEUE = 'polar-webhooks';
const DEFAULT_SCHEMA = 'pgboss';
const QUEUE_NAME = /^[\w-]+$/;
const SCHEMA_NAME = /^[A-Za-z_]\w{0,49}$/;

const QUEUE_OPTION_NAMES: ReadonlySet<string> = new Set([
  'name',
  'schema',
  'attempts',
  'retryDelaySeconds',
  'retryBackoff',
  'expireInSeconds',
  'timeoutMs',
]);
const PG_BOSS_METHODS = ['createQueue', 'send', 'getJobById', 'work', 'offWork', 'complete', 'fail', 'getDb'];
const WORKER_OPTION_NAMES: ReadonlySet<string> = new Set(['name', 'batchSize', 'pollingIntervalSeconds']);

/** The pg-boss job id of a webhook id: its version 5 UUID, the same on every copy of the delivery. */
export function pgBossJobId(webhookId: string): Promise<string> {
  return uuidV5(WEBHOOK_ID_NAMESPACE, webhookId);
}

/** A failed job's row, from pg-boss's `job` or `archive` table. */
interface FailedRow {
  readonly id: string;
  readonly data: WebhookJob;
  readonly output: unknown;
  readonly retryCount: number;
  readonly completedOn: Date | null;
  readonly archived: boolean;
}

/**
 * A {@link WebhookQueue} that writes each delivery to the pg-boss queue `name` (created on the
 * first write), with the UUID of its webhook id as the job id: a second copy of a delivery is
 * refused by PostgreSQL's primary key. Give it a started `PgBoss`; an HTTP server that only sends
 * can start it with `{ supervise: false, schedule: false }`.
 *
 * @throws `WebhookConfigurationError` (`invalid_option`) for an unknown option or a wrong value.
 */
export function pgBossQueue(boss: PgBossClient, options: PgBossQueueOptions = {}): PgBossWebhookQueue {
  const where = 'pgBossQueue()';
  argument(where, 'a started PgBoss (new PgBoss(url), then await boss.start())', boss, PG_BOSS_METHODS);
  checkOptionNames(options, QUEUE_OPTION_NAMES, where);
  const name = nameOption(where, 'name', options.name, DEFAULT_QUEUE, QUEUE_NAME);
  const schema = nameOption(where, 'schema', options.schema, DEFAULT_SCHEMA, SCHEMA_NAME);
  const attempts = wholeNumber(where, 'attempts', options.attempts, 10);
  const sendOptions = {
    retryLimit: attempts - 1,
    retryDelay: wholeNumber(where, 'retryDelaySeconds', options.retryDelaySeconds, 5, 0),
    retryBackoff: flag(where, 'retryBackoff', options.retryBackoff, true),
    expireInSeconds: wholeNumber(where, 'expireInSeconds', options.expireInSeconds, 300),
  };
  const timeoutMs = wholeNumber(where, 'timeoutMs', options.timeoutMs, DEFAULT_ENQUEUE_TIMEOUT_MS);
  const table = (which: 'job' | 'archive') => `"${schema}".${which}`;

  let created: Promise<void> | undefined;
  const ensureQueue = (): Promise<void> =>
    (created ??= createPgBossQueue(boss, name).catch((error: unknown) => {
      created = undefined;
      throw error;
    }));

  const write = async (job: WebhookJob): Promise<void> => {
    const id = await pgBossJobId(job.id);
    await ensureQueue();
    if ((await boss.send(name, job, { ...sendOptions, id })) !== null) return;
    // Nothing was inserted: either a copy of this delivery holds the id (a duplicate, dropped on
    // purpose), or nothing was written at all, which must not be acknowledged.
    if ((await boss.getJobById(name, id)) !== null) return;
    created = undefined;
    throw new Error(
      `pg-boss wrote no job for webhook ${job.id} to the queue "${name}": start pg-boss (await boss.start()) ` +
        'before deliveries arrive.',
    );
  };

  const sql = async <Row>(text: string, values: unknown[]): Promise<Row[]> => {
    const result = await boss.getDb().executeSql(text, values);
    if (result === undefined || result === null) {
      throw new Error('pg-boss has no open database: start it (await boss.start()) first.');
    }
    return result.rows as Row[];
  };

  const failedRows = (ids: readonly string[] | undefined, limit: number): Promise<FailedRow[]> =>
    sql<FailedRow>(
      `SELECT id, data, output, retry_count AS "retryCount", completed_on AS "completedOn", false AS archived
         FROM ${table('job')} WHERE name = $1 AND state = 'failed' AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
       UNION ALL
       SELECT a.id, a.data, a.output, a.retry_count, a.completed_on, true
         FROM ${table('archive')} a WHERE a.name = $1 AND a.state = 'failed' AND ($2::uuid[] IS NULL OR a.id = ANY($2::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM ${table('job')} j WHERE j.name = a.name AND j.id = a.id)
       ORDER BY "completedOn" DESC NULLS LAST
       LIMIT $3`,
      [name, ids === undefined ? null : ids, limit],
    );

  return {
    name,
    async enqueue(job: WebhookJob): Promise<void> {
      await withTimeout(write(job), timeoutMs, `Writing webhook ${job.id} to the pg-boss queue "${name}"`);
    },
    async listFailed(list: PgBossListOptions = {}): Promise<FailedWebhookJob[]> {
      checkOptionNames(list, new Set(['limit']), 'listFailed()');
      const limit = wholeNumber('listFailed()', 'limit', list.limit, 100);
      return (await failedRows(undefined, limit)).map(failedJobOf);
    },
    async replay(ids?: string | readonly string[]): Promise<string[]> {
      const wanted =
        ids === undefined ? undefined : await Promise.all((typeof ids === 'string' ? [ids] : ids).map(pgBossJobId));
      const rows = await failedRows(wanted, 2_147_483_647);
      const replayed: string[] = [];
      // A failed job still in the job table goes back in place, in one statement, with its attempts
      // reset (a null started_on keeps pg-boss from counting the next fetch as a retry).
      const live = rows.filter((row) => !row.archived).map((row) => row.id);
      if (live.length > 0) {
        const back = await sql<{ data: WebhookJob }>(
          `UPDATE ${table('job')}
              SET state = 'retry', retry_count = 0, started_on = NULL, start_after = now(), completed_on = NULL,
                  output = NULL, keep_until = GREATEST(keep_until, now() + interval '14 days')
            WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'failed'
        RETURNING data`,
          [name, live],
        );
        for (const row of back) replayed.push(row.data.id);
      }
      // An archived one is written again under its id (free in the job table once archived), then
      // dropped from the archive; a crash in between leaves a copy in the archive, never a lost job.
      for (const row of rows.filter((r) => r.archived)) {
        await ensureQueue();
        if ((await boss.send(name, row.data, { ...sendOptions, id: row.id })) !== null) replayed.push(row.data.id);
        await sql(`DELETE FROM ${table('archive')} WHERE name = $1 AND id = $2`, [name, row.id]);
      }
      return replayed;
    },
  };
}

function errorOf(output: unknown): { message: string; stack: string | undefined } {
  if (output !== null && typeof output === 'object') {
    const record = output as { message?: unknown; stack?: unknown; value?: unknown };
    if (typeof record.message === 'string') {
      return { message: record.message, stack: typeof record.stack === 'string' ? record.stack : undefined };
    }
    // pg-boss's own failures (a timeout, a shutdown) wrap their text in `value`.
    if (record.value !== undefined) return errorOf(record.value);
  }
  if (typeof output === 'string') return { message: output, stack: undefined };
  return { message: output === null || output === undefined ? '' : JSON.stringify(output), stack: undefined };
}

function failedJobOf(row: FailedRow): FailedWebhookJob {
  const { message, stack } = errorOf(row.output);
  return {
    id: row.data.id,
    jobId: row.id,
    type: row.data.type,
    attempts: row.retryCount + 1,
    failedAt: row.completedOn === null ? undefined : new Date(row.completedOn),
    error: message,
    stack,
    job: row.data,
  };
}

/** What pg-boss records for a failed attempt: the error itself (pg-boss serializes it, stack and cause included). */
function errorRecord(error: unknown): object {
  return error !== null && typeof error === 'object' ? error : { message: String(error) };
}

/**
 * Starts a pg-boss worker on the queue that runs each job's handlers with `webhooks.process(job)`:
 * each job of a fetched batch runs at once, and is completed, or failed with its error (pg-boss then
 * retries it while it has attempts left), on its own. Call it in each worker process, with a started
 * `PgBoss`; `await worker.stop()` and `await boss.stop()` shut it down gracefully.
 *
 * With the router's `idempotency` option on a shared store (`postgresStore`), a job run again after
 * a crash, or after it expired, runs its handlers to completion once.
 *
 * @throws `WebhookConfigurationError` (`invalid_option`) for an unknown option or a wrong value.
 */
export async function startPgBossWorker(
  webhooks: WebhookProcessor,
  boss: PgBossClient,
  options: PgBossWorkerOptions = {},
): Promise<PgBossWorker> {
  const where = 'startPgBossWorker()';
  argument(where, 'the router (createWebhooks())', webhooks, ['process']);
  argument(where, 'a started PgBoss (new PgBoss(url), then await boss.start())', boss, PG_BOSS_METHODS);
  checkOptionNames(options, WORKER_OPTION_NAMES, where);
  const name = nameOption(where, 'name', options.name, DEFAULT_QUEUE, QUEUE_NAME);
  const batchSize = wholeNumber(where, 'batchSize', options.batchSize, 10);
  const polling = atLeast(where, 'pollingIntervalSeconds', options.pollingIntervalSeconds, 2, 0.5);
  const logger = webhooks.logger ?? console;
  const settle = async (job: PgBossJob): Promise<void> => {
    let result: WebhookJobResult;
    try {
      result = { kind: (await webhooks.process(job.data as WebhookJob)).kind };
    } catch (error) {
      await boss.fail(name, job.id, errorRecord(error));
      return;
    }
    await boss.complete(name, job.id, result);
  };

  await createPgBossQueue(boss, name);
  const id = await boss.work(name, { batchSize, pollingIntervalSeconds: polling }, async (jobs) => {
    await Promise.all(
      jobs.map((job) =>
        settle(job).catch((error: unknown) => {
          // The job stays active until it expires, and pg-boss runs it again then.
          try {
            logger.error(`polar-webhooks: could not record the end of pg-boss job ${job.id} in "${name}".`, error);
          } catch {
            // A broken logger must not stop the worker.
          }
        }),
      ),
    );
  });
  return { id, stop: () => boss.offWork({ id }) };
}
