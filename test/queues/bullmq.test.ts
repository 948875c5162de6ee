/**
 * `polar-webhooks/bullmq` on a real Redis: deliveries sent over HTTP to a real server running the
 * router with the queue option, processed by worker processes (separate processes, killed for real),
 * side effects counted in Redis by those processes. Queue names and keys are under a prefix of this
 * run's own, removed at the end.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullmqQueue, type BullmqWebhookQueue } from '../../src/queues/bullmq';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhooksLogger } from '../../src/router/types';
import { standardSecret } from '../helpers/deliveries';
import {
  REDIS_URL,
  mixedDeliveries,
  post,
  postAll,
  runId,
  serveRouter,
  startWorker,
  tcpProxy,
  waitFor,
  withDuplicates,
  type TestDelivery,
  type WorkerProcess,
} from './helpers';
import type { WorkerConfig } from './worker';

const run = runId();
const prefix = `polar-webhooks-test-${run}`;
const queueName = 'webhooks';
const secret = standardSecret();
const url = new URL(REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379) };
const errors: string[] = [];
const logger: WebhooksLogger = { warn: () => undefined, error: (message) => void errors.push(message) };
const workerConfig: WorkerConfig = {
  engine: 'bullmq',
  secret,
  redisUrl: REDIS_URL,
  prefix,
  queueName,
  idempotency: true,
  leaseMs: 1500,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  concurrency: 16,
};

let redis: Redis;
let queue: Queue;
let engine: BullmqWebhookQueue;
let server: Awaited<ReturnType<typeof serveRouter>>;
const workers: WorkerProcess[] = [];
const key = (name: string) => `${prefix}:test:${name}`;
const effects = async (): Promise<Record<string, string>> => redis.hgetall(key('effects'));
const single = (id: string): TestDelivery => mixedDeliveries(1, () => id)[0] as TestDelivery;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  queue = new Queue(queueName, { connection, prefix });
  engine = bullmqQueue(queue, { attempts: 3, backoff: { type: 'exponential', delay: 100 } });
  server = await serveRouter(createWebhooks({ secret, logger, queue: engine }));
  workers.push(...(await Promise.all([startWorker(workerConfig), startWorker(workerConfig)])));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await server?.close();
  await queue?.close();
  if (redis !== undefined) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
});

/** Kills the worker that said it stalled on `id`, starts another in its place, and returns the one killed. */
async function killStalled(kind: 'handler' | 'ack', id: string): Promise<WorkerProcess> {
  const stalled = await Promise.any(workers.map((w) => w.said((m) => m.stalled === kind && m.id === id, 15_000)));
  const victim = workers.find((w) => w.messages.includes(stalled)) as WorkerProcess;
  await victim.kill();
  workers.splice(workers.indexOf(victim), 1, await startWorker(workerConfig));
  return victim;
}

describe.sequential('polar-webhooks/bullmq on Redis, with worker processes', () => {
  it('1,000 deliveries (10% duplicates) over HTTP: every event processed exactly once, none lost, the queue drained', async () => {
    const unique = mixedDeliveries(909, (i) => `msg_${run}_${i}`);
    const sent = withDuplicates(unique, 0.1);
    expect(sent).toHaveLength(1000);
    expect(new Set(sent.map((d) => d.type)).size).toBeGreaterThanOrEqual(40);

    const statuses = await postAll(server.url, secret, sent, 16);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);

    await waitFor(
      'the queue to drain',
      async () => {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
        const pending = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
        return pending === 0 && (c.completed ?? 0) + (c.failed ?? 0) >= unique.length;
      },
      30_000,
    );
    const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    // BullMQ itself kept one job per webhook id: the duplicates never became jobs.
    expect(counts).toMatchObject({ completed: unique.length, failed: 0, waiting: 0, active: 0, delayed: 0 });

    const seen = await effects();
    expect(Object.keys(seen).sort()).toEqual(unique.map((d) => d.id).sort());
    expect(Object.entries(seen).filter(([, n]) => n !== '1')).toEqual([]);
    // Both worker processes took part.
    const perWorker = Object.values(await redis.hgetall(key('workers'))).map(Number);
    expect(perWorker).toHaveLength(2);
    expect(Math.min(...perWorker)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('a poison event ends in the failed set after its attempts, with the error; replay, once fixed, completes it', async () => {
    const poison = single(`poison-${run}`);
    expect(await post(server.url, secret, poison)).toBe(202);

    const failed = await waitFor(
      'the poison job to fail',
      async () => (await engine.listFailed()).find((f) => f.id === poison.id),
      15_000,
    );
    expect(failed).toMatchObject({
      id: poison.id,
      jobId: poison.id,
      type: poison.type,
      attempts: 3,
      error: expect.stringContaining(`the warehouse API refused webhook ${poison.id}`),
      job: { id: poison.id, type: poison.type, body: poison.body },
    });
    expect(failed.stack).toContain('WebhookHandlerError');
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect((await effects())[poison.id]).toBeUndefined();

    // A copy Polar sends now is a duplicate of the failed job: it does not run it again.
    expect(await post(server.url, secret, poison)).toBe(202);
    expect(await queue.getJobState(poison.id)).toBe('failed');

    await redis.set(key('fixed'), '1');
    expect(await engine.replay([poison.id, 'msg-never-sent'])).toEqual([poison.id]);
    await waitFor(
      'the replayed job to complete',
      async () => (await queue.getJobState(poison.id)) === 'completed',
      15_000,
    );
    expect((await effects())[poison.id]).toBe('1');
    expect((await engine.listFailed()).map((f) => f.id)).not.toContain(poison.id);
    expect(await engine.replay(poison.id)).toEqual([]);
  });

  it('a worker killed (SIGKILL) inside a handler: the job is taken back after the lock expires and completes once', async () => {
    const item = single(`stall-handler-${run}`);
    expect(await post(server.url, secret, item)).toBe(202);
    const victim = await killStalled('handler', item.id);
    expect(victim.child.signalCode).toBe('SIGKILL');

    await waitFor('the job to complete', async () => (await queue.getJobState(item.id)) === 'completed', 20_000);
    expect((await effects())[item.id]).toBe('1');
    const job = await queue.getJob(item.id);
    expect(job?.returnvalue).toEqual({ kind: 'handled' });
  });

  it('a worker killed after its handlers ran but before BullMQ heard: the retry finds the id done (idempotency), the side effect stays single', async () => {
    const item = single(`stall-ack-${run}`);
    expect(await post(server.url, secret, item)).toBe(202);
    await killStalled('ack', item.id);

    await waitFor('the job to complete', async () => (await queue.getJobState(item.id)) === 'completed', 20_000);
    const job = await queue.getJob(item.id);
    // The job ran again, and the router's store said it was done: no handler ran twice.
    expect(job?.returnvalue).toEqual({ kind: 'duplicate' });
    expect((await effects())[item.id]).toBe('1');
  });

  it('webhook ids BullMQ refuses as job ids (integers, colons) still become one job each, deduplicated', async () => {
    const odd = new Queue('odd-ids', { connection, prefix });
    try {
      const oddEngine = bullmqQueue(odd);
      const ids = ['12345', 'evt:1:2', 'a:b'];
      for (const id of [...ids, ...ids]) {
        await oddEngine.enqueue({
          id,
          type: 'order.paid',
          timestamp: new Date().toISOString(),
          apiVersion: null,
          event: {},
          body: '{}',
        });
      }
      const jobs = await odd.getJobs(['waiting']);
      expect(jobs.map((j) => (j.data as { id: string }).id).sort()).toEqual([...ids].sort());
    } finally {
      await odd.close();
    }
  });

  it('Redis unreachable during a delivery: 503 queue_unavailable, so Polar retries; accepted once Redis is back', async () => {
    const proxy = await tcpProxy(url);
    const cutQueue = new Queue('unreachable', { connection: { host: '127.0.0.1', port: proxy.port }, prefix });
    cutQueue.on('error', () => undefined);
    const local: string[] = [];
    const cutServer = await serveRouter(
      createWebhooks({
        secret,
        logger: { warn: () => undefined, error: (m) => void local.push(m) },
        queue: bullmqQueue(cutQueue, { timeoutMs: 1000 }),
      }),
    );
    try {
      const first = single(`reachable-${run}`);
      const second = single(`unreachable-${run}`);
      expect(await post(cutServer.url, secret, first)).toBe(202);

      await proxy.cut();
      const started = Date.now();
      expect(await post(cutServer.url, secret, second)).toBe(503);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(local).toEqual([expect.stringContaining(`could not write "${second.type}" (webhook-id ${second.id})`)]);

      await proxy.mend();
      // Polar's retry of the same delivery, once Redis answers again.
      await waitFor(
        'the retry to be accepted',
        async () => (await post(cutServer.url, secret, second)) === 202,
        15_000,
      );
      expect((await cutQueue.getJobs(['waiting'])).map((j) => j.id).sort()).toEqual([first.id, second.id].sort());
    } finally {
      await cutServer.close();
      await cutQueue.close();
      await proxy.cut();
    }
  });
});
