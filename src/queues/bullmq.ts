/**
 * `polar-webhooks/bullmq`: verified deliveries handed to BullMQ on Redis, and processed by BullMQ
 * workers. The webhook id is the job id, so BullMQ itself drops a second copy of a delivery while
 * the first is kept; a job that fails is retried with exponential backoff, and one that used up its
 * attempts stays in BullMQ's failed set, with its error, until it is replayed.
 *
 * @example
 * ```ts
 * // webhooks.ts, shared by the HTTP server and the workers
 * import { Queue } from 'bullmq';
 * import { createWebhooks } from 'polar-webhooks';
 * import { bullmqQueue } from 'polar-webhooks/bullmq';
 *
 * const connection = { host: '127.0.0.1', port: 6379 };
 * export const queue = bullmqQueue(new Queue('polar-webhooks', { connection }));
 * export const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET!, queue });
 * webhooks.on('order.paid', async (event, { id }) => fulfil(event.data.id, id));
 *
 * // worker.ts, as many processes as you like
 * import { startBullmqWorker } from 'polar-webhooks/bullmq';
 * startBullmqWorker(webhooks, 'polar-webhooks', { connection, concurrency: 10 });
 * ```
 *
 * @module
 */
import { Worker, type BackoffOptions, type Job, type KeepJobs, type Queue, type WorkerOptions } from 'bullmq';
import { checkOptionNames } from '../option-names';
import type { WebhookJob, WebhookQueue } from '../router/types';
import { argument, DEFAULT_ENQUEUE_TIMEOUT_MS, wholeNumber, withTimeout } from './options';
import type { FailedWebhookJob, WebhookJobResult, WebhookProcessor } from './types';

export type { FailedWebhookJob, WebhookJobResult, WebhookProcessor } from './types';

/** Options of {@link bullmqQueue}: BullMQ's own job options, with defaults for webhooks. */
export interface BullmqQueueOptions {
  /** How many times a job runs before it stays failed. Default 10. */
  readonly attempts?: number;
  /**
   * The wait between attempts. Default `{ type: 'exponential', delay: 5000 }`: 5 s, 10 s, 20 s, …, so
   * ten attempts span about 40 minutes, long enough to ride out an outage of what a handler calls.
   */
  readonly backoff?: number | BackoffOptions;
  /**
   * Which completed jobs BullMQ keeps (and so deduplicates against). Default `{ age: 86400 }`: a
   * day, past Polar's retries of a delivery it saw fail. Later copies (a manual redelivery weeks
   * on) are new jobs: the `idempotency` option of the router catches those.
   */
  readonly removeOnComplete?: boolean | number | KeepJobs;
  /** Which failed jobs BullMQ keeps. Default `false`: every one, until it is replayed or removed. */
  readonly removeOnFail?: boolean | number | KeepJobs;
  /**
   * How long a write may wait for Redis, in milliseconds, before the delivery is answered 503 so
   * that Polar retries it. BullMQ waits for a lost connection to come back, longer than Polar waits
   * for an answer. Default 5000.
   */
  readonly timeoutMs?: number;
}

/** Options of {@link BullmqWebhookQueue.listFailed}. */
export interface BullmqListOptions {
  /** The most jobs to return, most recently failed first. Default 100. */
  readonly limit?: number;
}

/** A {@link WebhookQueue} on a BullMQ queue, with the operations on its failed jobs. */
export interface BullmqWebhookQueue extends WebhookQueue {
  /** The BullMQ queue it writes to. */
  readonly queue: Queue;
  /** The webhook jobs in BullMQ's failed set, with the error of their last attempt. */
  listFailed(options?: BullmqListOptions): Promise<FailedWebhookJob[]>;
  /**
   * Puts failed jobs back in the queue with their attempts reset, to be processed again (after you
   * fixed the handler that failed). Takes webhook ids; without any, replays every failed job.
   * Ids whose job is not in the failed set are left alone.
   *
   * @returns The webhook ids that were put back.
   */
  replay(ids?: string | readonly string[]): Promise<string[]>;
}

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'attempts',
  'backoff',
  'removeOnComplete',
  'removeOnFail',
  'timeoutMs',
]);

/** Marks job ids made from webhook ids BullMQ would refuse; no id used as it is starts with it. */
const ENCODED_PREFIX = 'polar-webhook-hex-';

/**
 * The BullMQ job id of a webhook id: the webhook id itself, unless BullMQ refuses it (it refuses
 * integers, which it keeps for its own ids, and most ids with a colon) or it could be mistaken for
 * an encoded one; then a hexadecimal encoding of it, so that distinct webhook ids never share a job.
 */
export function bullmqJobId(webhookId: string): string {
  const usable =
    !webhookId.includes(':') &&
    `${Number.parseInt(webhookId, 10)}` !== webhookId &&
    !webhookId.startsWith(ENCODED_PREFIX);
  if (usable) return webhookId;
  let hex = '';
  for (const byte of new TextEncoder().encode(webhookId)) hex += byte.toString(16).padStart(2, '0');
  return `${ENCODED_PREFIX}${hex}`;
}

/**
 * A {@link WebhookQueue} that writes each delivery to `queue` as a job named after the event type,
 * with the webhook id as its job id: a copy of a delivery whose job BullMQ still keeps (waiting,
 * active, delayed, failed, or completed within `removeOnComplete`) is dropped by BullMQ itself.
 *
 * Build the `Queue` with your Redis connection; `enableOfflineQueue: false` in its options makes a
 * write fail at once, instead of after `timeoutMs`, while Redis is unreachable.
 *
 * @throws `WebhookConfigurationError` (`invalid_option`) for an unknown option or a wrong value.
 */
export function bullmqQueue(queue: Queue, options: BullmqQueueOptions = {}): BullmqWebhookQueue {
  const where = 'bullmqQueue()';
  argument(where, 'a BullMQ Queue (new Queue(name, { connection }))', queue, ['add', 'getFailed', 'getJob']);
  checkOptionNames(options, OPTION_NAMES, where);
  const attempts = wholeNumber(where, 'attempts', options.attempts, 10);
  const timeoutMs = wholeNumber(where, 'timeoutMs', options.timeoutMs, DEFAULT_ENQUEUE_TIMEOUT_MS);
  const jobOptions = {
    attempts,
    backoff: options.backoff ?? { type: 'exponential', delay: 5000 },
    removeOnComplete: options.removeOnComplete ?? { age: 24 * 60 * 60 },
    removeOnFail: options.removeOnFail ?? false,
  };

  return {
    queue,
    async enqueue(job: WebhookJob): Promise<void> {
      await withTimeout(
        queue.add(job.type, job, { ...jobOptions, jobId: bullmqJobId(job.id) }),
        timeoutMs,
        `Writing webhook ${job.id} to the BullMQ queue "${queue.name}"`,
      );
    },
    async listFailed(list: BullmqListOptions = {}): Promise<FailedWebhookJob[]> {
      checkOptionNames(list, new Set(['limit']), 'listFailed()');
      const limit = wholeNumber('listFailed()', 'limit', list.limit, 100);
      const jobs = (await queue.getFailed(0, limit - 1)) as Job<WebhookJob>[];
      return jobs.filter((job) => job != null).map(failedJobOf);
    },
    async replay(ids?: string | readonly string[]): Promise<string[]> {
      const jobs: Job<WebhookJob>[] = [];
      if (ids === undefined) {
        // A job removed while the list is read comes back as undefined.
        jobs.push(...((await queue.getFailed(0, -1)) as (Job<WebhookJob> | undefined)[]).filter((j) => j != null));
      } else {
        for (const id of typeof ids === 'string' ? [ids] : ids) {
          const job = (await queue.getJob(bullmqJobId(id))) as Job<WebhookJob> | undefined;
          if (job != null) jobs.push(job);
        }
      }
      const replayed: string[] = [];
      for (const job of jobs) {
        // Only a job still in the failed set: one already put back, or done, must not run again.
        if ((await job.getState()) !== 'failed') continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        replayed.push(job.data.id);
      }
      return replayed;
    },
  };
}

function failedJobOf(job: Job<WebhookJob>): FailedWebhookJob {
  const stack = job.stacktrace?.at(-1);
  return {
    id: job.data.id,
    jobId: String(job.id),
    type: job.data.type,
    attempts: job.attemptsMade,
    failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn),
    error: job.failedReason,
    stack: stack === undefined || stack === null ? undefined : stack,
    job: job.data,
  };
}

/**
 * The processor of a BullMQ worker: runs each job through `webhooks.process(job.data)`, so a
 * failing handler fails the attempt (BullMQ retries it) and records the error. Its result is the
 * outcome's kind. For a `Worker` you build yourself; {@link startBullmqWorker} builds one with it.
 */
export function bullmqProcessor(webhooks: WebhookProcessor): (job: Job<WebhookJob>) => Promise<WebhookJobResult> {
  argument('bullmqProcessor()', 'the router (createWebhooks())', webhooks, ['process']);
  return async (job) => {
    const outcome = await webhooks.process(job.data);
    return { kind: outcome.kind };
  };
}

/**
 * Starts a BullMQ `Worker` on the queue named `queueName` that runs each job's handlers with
 * `webhooks.process(job.data)`. `options` are BullMQ's (`connection`, `concurrency`, `prefix`, and
 * `lockDuration` / `stalledInterval`, which bound how soon the job of a worker that died is run by
 * another). The worker's errors (a lost connection) go to the router's logger. Close it with
 * `await worker.close()` for a graceful shutdown: it lets the jobs it runs finish.
 *
 * With the router's `idempotency` option on a shared store (`redisStore`), a job run again after a
 * crash, or after a stall, runs its handlers to completion once.
 */
export function startBullmqWorker(
  webhooks: WebhookProcessor,
  queueName: string,
  options: WorkerOptions,
): Worker<WebhookJob, WebhookJobResult> {
  argument('startBullmqWorker()', 'the router (createWebhooks())', webhooks, ['process']);
  const worker = new Worker<WebhookJob, WebhookJobResult>(queueName, bullmqProcessor(webhooks), options);
  worker.on('error', (error) => {
    const logger = webhooks.logger ?? console;
    try {
      logger.error(`polar-webhooks: the BullMQ worker of "${queueName}" failed; BullMQ retries on its own.`, error);
    } catch {
      // A broken logger must not crash the worker.
    }
  });
  return worker;
}
