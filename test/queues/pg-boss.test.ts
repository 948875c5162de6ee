/**
 * `polar-webhooks/pg-boss` on a real PostgreSQL: deliveries sent over HTTP to a real server running
 * the router with the queue option, processed by worker processes (separate processes, killed for
 * real), side effects counted in PostgreSQL by those processes. Everything lives in a pg-boss schema
 * of this run's own, dropped at the end.
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBossJobId, pgBossQueue, startPgBossWorker, type PgBossWebhookQueue } from '../../src/queues/pg-boss';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhooksLogger } from '../../src/router/types';
import { standardSecret } from '../helpers/deliveries';
import {
  DATABASE_URL,
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
const schema = `pgboss_test_${run}`;
const queueName = 'webhooks';
const secret = standardSecret();
const errors: string[] = [];
const logger: WebhooksLogger = { warn: () => undefined, error: (message) => void errors.push(message) };
const workerConfig: WorkerConfig = {
  engine: 'pg-boss',
  secret,
  databaseUrl: DATABASE_URL,
  schema,
  queueName,
  idempotency: true,
  leaseMs: 1500,
  concurrency: 20,
  maintenanceIntervalSeconds: 1,
};

let db: pg.Pool;
let boss: PgBoss;
let engine: PgBossWebhookQueue;
let server: Awaited<ReturnType<typeof serveRouter>>;
const workers: WorkerProcess[] = [];
const single = (id: string): TestDelivery => mixedDeliveries(1, () => id)[0] as TestDelivery;

/** How many times the handlers of each webhook id left their side effect, over every worker process. */
async function effects(): Promise<Record<string, number>> {
  const { rows } = await db.query<{ id: string; n: number }>(
    `SELECT id, sum(n)::int AS n FROM "${schema}".effects GROUP BY id`,
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.n]));
}

async function stateOf(webhookId: string, queue = queueName): Promise<{ state: string; output: unknown } | null> {
  return (await boss.getJobById(queue, await pgBossJobId(webhookId))) as { state: string; output: unknown } | null;
}

beforeAll(async () => {
  db = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  // The server only sends: no maintenance, no schedules. Failed jobs are archived after a second,
  // but only when the test asks (boss.archive()), to replay one from the archive.
  boss = new PgBoss({
    connectionString: DATABASE_URL,
    schema,
    supervise: false,
    schedule: false,
    max: 4,
    archiveFailedAfterSeconds: 1,
  });
  boss.on('error', (error) => errors.push(String(error)));
  await boss.start();
  await db.query(`CREATE TABLE "${schema}".effects (id text, pid int, n int NOT NULL, PRIMARY KEY (id, pid))`);
  await db.query(`CREATE TABLE "${schema}".flags (name text PRIMARY KEY)`);
  engine = pgBossQueue(boss, { name: queueName, schema, attempts: 3, retryDelaySeconds: 1, expireInSeconds: 4 });
  server = await serveRouter(createWebhooks({ secret, logger, queue: engine }));
  workers.push(...(await Promise.all([startWorker(workerConfig), startWorker(workerConfig)])));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await server?.close();
  await boss?.stop({ graceful: false, wait: true });
  if (db !== undefined) {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  }
});

/** Kills the worker that said it stalled on `id`, and starts another in its place. */
async function killStalled(kind: 'handler' | 'ack', id: string): Promise<WorkerProcess> {
  const stalled = await Promise.any(workers.map((w) => w.said((m) => m.stalled === kind && m.id === id, 15_000)));
  const victim = workers.find((w) => w.messages.includes(stalled)) as WorkerProcess;
  await victim.kill();
  workers.splice(workers.indexOf(victim), 1, await startWorker(workerConfig));
  return victim;
}

describe.sequential('polar-webhooks/pg-boss on PostgreSQL, with worker processes', () => {
  it('1,000 deliveries (10% duplicates) over HTTP: every event processed exactly once, none lost, the queue drained', async () => {
    const unique = mixedDeliveries(909, (i) => `msg_${run}_${i}`);
    const sent = withDuplicates(unique, 0.1);
    expect(sent).toHaveLength(1000);

    const statuses = await postAll(server.url, secret, sent, 16);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);

    const states = async () => {
      const { rows } = await db.query<{ state: string; n: number }>(
        `SELECT state, count(*)::int AS n FROM "${schema}".job WHERE name = $1 GROUP BY state`,
        [queueName],
      );
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    };
    await waitFor('the queue to drain', async () => (await states()).completed === unique.length, 40_000);
    // One job per webhook id, all completed: PostgreSQL refused every duplicate.
    expect(await states()).toEqual({ completed: unique.length });

    const seen = await effects();
    expect(Object.keys(seen).sort()).toEqual(unique.map((d) => d.id).sort());
    expect(Object.entries(seen).filter(([, n]) => n !== 1)).toEqual([]);
    const { rows: perWorker } = await db.query<{ pid: number }>(`SELECT DISTINCT pid FROM "${schema}".effects`);
    expect(perWorker).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('a poison event fails after its attempts, with the error; replay, once fixed, completes it (from the job table and from the archive)', async () => {
    const poison = single(`poison-${run}`);
    const archived = single(`poison-archived-${run}`);
    expect(await post(server.url, secret, poison)).toBe(202);
    expect(await post(server.url, secret, archived)).toBe(202);

    const failedOf = async (id: string) => (await engine.listFailed()).find((f) => f.id === id);
    const failed = await waitFor('the poison job to fail', () => failedOf(poison.id), 30_000);
    expect(failed).toMatchObject({
      id: poison.id,
      jobId: await pgBossJobId(poison.id),
      type: poison.type,
      attempts: 3,
      error: expect.stringContaining(`the warehouse API refused webhook ${poison.id}`),
      job: { id: poison.id, type: poison.type, body: poison.body },
    });
    expect(failed.stack).toContain('WebhookHandlerError');
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect((await effects())[poison.id]).toBeUndefined();

    // A copy Polar sends now is refused as a duplicate of the failed job.
    expect(await post(server.url, secret, poison)).toBe(202);
    expect((await stateOf(poison.id))?.state).toBe('failed');

    // pg-boss archives the other failed job (as it does after archiveFailedAfterSeconds): it is still listed.
    await waitFor('the second poison job to fail', () => failedOf(archived.id), 30_000);
    await new Promise((r) => setTimeout(r, 1100));
    await boss.archive();
    expect(await stateOf(archived.id)).toBeNull();
    expect(await failedOf(archived.id)).toMatchObject({ attempts: 3, error: expect.stringContaining('warehouse') });

    await db.query(`INSERT INTO "${schema}".flags (name) VALUES ('fixed')`);
    expect((await engine.replay([poison.id, archived.id, 'msg-never-sent'])).sort()).toEqual(
      [poison.id, archived.id].sort(),
    );
    await waitFor(
      'the replayed jobs to complete',
      async () => {
        const [a, b] = await Promise.all([stateOf(poison.id), stateOf(archived.id)]);
        return a?.state === 'completed' && b?.state === 'completed';
      },
      15_000,
    );
    const seen = await effects();
    expect([seen[poison.id], seen[archived.id]]).toEqual([1, 1]);
    expect((await engine.listFailed()).map((f) => f.id)).toEqual([]);
    expect(await engine.replay()).toEqual([]);
  });

  it('a worker killed (SIGKILL) inside a handler: the job expires, is retried, and completes once', async () => {
    const item = single(`stall-handler-${run}`);
    expect(await post(server.url, secret, item)).toBe(202);
    const victim = await killStalled('handler', item.id);
    expect(victim.child.signalCode).toBe('SIGKILL');

    await waitFor('the job to complete', async () => (await stateOf(item.id))?.state === 'completed', 30_000);
    expect((await effects())[item.id]).toBe(1);
    expect((await stateOf(item.id))?.output).toEqual({ kind: 'handled' });
  });

  it('a worker killed after its handlers ran but before pg-boss heard: the retry finds the id done (idempotency), the side effect stays single', async () => {
    const item = single(`stall-ack-${run}`);
    expect(await post(server.url, secret, item)).toBe(202);
    await killStalled('ack', item.id);

    await waitFor('the job to complete', async () => (await stateOf(item.id))?.state === 'completed', 30_000);
    expect((await stateOf(item.id))?.output).toEqual({ kind: 'duplicate' });
    expect((await effects())[item.id]).toBe(1);
  });

  it('a fleet starting at once: eight pg-boss clients create the same new queue together, and every worker starts', async () => {
    const fleet = Array.from({ length: 8 }, () => {
      const member = new PgBoss({ connectionString: DATABASE_URL, schema, supervise: false, schedule: false, max: 1 });
      member.on('error', () => undefined);
      return member;
    });
    await Promise.all(fleet.map((member) => member.start()));
    const router = createWebhooks({ secret, logger });
    try {
      for (let round = 0; round < 3; round++) {
        const name = `fleet-${round}`;
        const started = await Promise.all(fleet.map((member) => startPgBossWorker(router, member, { name })));
        expect(started).toHaveLength(8);
        await Promise.all(started.map((worker) => worker.stop()));
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".queue WHERE name = $1`, [name]);
        expect(rows[0].n).toBe(1);
      }
    } finally {
      await Promise.all(fleet.map((member) => member.stop({ graceful: false, wait: true })));
    }
  });

  it('PostgreSQL unreachable during a delivery: 503 queue_unavailable, so Polar retries; accepted once it is back', async () => {
    const proxy = await tcpProxy(new URL(DATABASE_URL));
    const through = new URL(DATABASE_URL);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const cutBoss = new PgBoss({ connectionString: through.href, schema, supervise: false, schedule: false, max: 2 });
    cutBoss.on('error', () => undefined);
    await cutBoss.start();
    const local: string[] = [];
    const cutServer = await serveRouter(
      createWebhooks({
        secret,
        logger: { warn: () => undefined, error: (m) => void local.push(m) },
        queue: pgBossQueue(cutBoss, { name: 'unreachable', schema, timeoutMs: 1000 }),
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
      await waitFor(
        'the retry to be accepted',
        async () => (await post(cutServer.url, secret, second)) === 202,
        15_000,
      );
      expect((await stateOf(first.id, 'unreachable'))?.state).toBe('created');
      expect((await stateOf(second.id, 'unreachable'))?.state).toBe('created');
    } finally {
      await cutServer.close();
      await cutBoss.stop({ graceful: false, wait: true });
      await proxy.cut();
    }
  });
});
