/**
 * Idempotency across processes, for real: webhook servers in child processes (bundled from src),
 * sharing Redis (two on ioredis, two on node-redis) or PostgreSQL, receive copies of one delivery
 * over HTTP at once; one is killed with SIGKILL in the middle of a handler; a handler fails once.
 * Side effects are counted in the database, never in a process's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotencyTable, postgresStore } from '../../src/stores/postgres';
import { redisStore } from '../../src/stores/redis';
import type { IdempotencyStore } from '../../src/stores/types';
import { ROOT } from '../runtimes/harness';
import { SECRET, type SignedDelivery } from '../integration/helpers';
import type { ServerConfig } from './fixtures/server';
import {
  DATABASE_URL,
  REDIS_URL,
  connectIoRedis,
  createSchema,
  deleteKeys,
  orderDelivery,
  pgPool,
  runName,
  withUser,
} from './services';

const run = runName('processes');
const prefix = `${run}:`;
const outDir = join(ROOT, 'node_modules', '.cache', 'polar-webhooks-store-tests', run);
const bundle = join(outDir, 'server.mjs');
const LEASE_MS = 1500;

let pool: pg.Pool;
let redis: Redis;
let dropSchema: () => Promise<void>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await mkdir(outDir, { recursive: true });
  // The server as an app would run it: src bundled into one module, packages loaded from node_modules.
  await build({
    entryPoints: [join(ROOT, 'test/stores/fixtures/server.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  pool = pgPool();
  redis = connectIoRedis();
  ({ drop: dropSchema } = await createSchema(pool, run));
  await createIdempotencyTable(pool, { schema: run });
  await pool.query(
    `CREATE TABLE "${run}".effects (webhook_id text NOT NULL, pid int NOT NULL, kind text NOT NULL, at_ms float8 NOT NULL)`,
  );
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await dropSchema();
  await pool.end();
  await rm(outDir, { recursive: true, force: true });
});

/** A webhook server in its own process. */
interface Server {
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves when the server says a handler of `id` started (and hangs there). */
  started(id: string): Promise<void>;
  /** What it logged. */
  readonly logs: { level: string; message: string }[];
  kill(): Promise<void>;
}

async function startServer(store: ServerConfig['store'], waitMs: number): Promise<Server> {
  const config: ServerConfig = {
    store,
    secret: SECRET,
    redisUrl: REDIS_URL,
    databaseUrl: withUser(DATABASE_URL),
    prefix,
    schema: run,
    leaseMs: LEASE_MS,
    waitMs,
  };
  const child = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: { ...process.env, STORE_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const logs: { level: string; message: string }[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as { level: string; message: string });
    } catch {
      logs.push({ level: 'stderr', message: line });
    }
  });
  const started = new Map<string, () => void>();
  const startedIds = new Set<string>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${JSON.stringify(logs)}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const said = JSON.parse(line) as { event: string; port?: number; id?: string };
      if (said.event === 'ready') resolve(said.port as number);
      if (said.event === 'started') {
        startedIds.add(said.id as string);
        started.get(said.id as string)?.();
      }
    });
  });
  return {
    port,
    child,
    logs,
    started: (id) => (startedIds.has(id) ? Promise.resolve() : new Promise((resolve) => started.set(id, resolve))),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      children.delete(child);
    },
  };
}

/** An answer, and when it arrived (this machine's clock, which the servers share). */
interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly at: number;
}

/** Posts a delivery on a connection of its own. */
function post(port: number, delivery: SignedDelivery): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: delivery.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: string };
          resolve({ status: response.statusCode ?? 0, code: body.error, at: Date.now() });
        });
      },
    );
    request.on('error', reject);
    request.end(delivery.body);
  });
}

/** The side effects the handlers recorded for a webhook id, counted in PostgreSQL. */
async function effectsOf(id: string): Promise<{ attempt: number; done: number; doneAt: number[] }> {
  const { rows } = await pool.query<{ kind: string; at_ms: number }>(
    `SELECT kind, at_ms FROM "${run}".effects WHERE webhook_id = $1 ORDER BY at_ms`,
    [id],
  );
  const done = rows.filter((r) => r.kind === 'done');
  return { attempt: rows.length - done.length, done: done.length, doneAt: done.map((r) => r.at_ms) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `copies` copies of one delivery to the servers at once, round robin. */
function sendCopies(servers: readonly Server[], delivery: SignedDelivery, copies: number): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: copies }, (_, i) => post((servers[i % servers.length] as Server).port, delivery)),
  );
}

/** Every 2xx came after the one run of the handler had finished; every other answer is a 409. */
function expectPolicy(answers: readonly Answer[], doneAt: number, allowed: readonly number[]): void {
  for (const answer of answers) {
    expect(allowed).toContain(answer.status);
    if (answer.status === 409) expect(answer.code).toBe('delivery_in_progress');
    if (answer.status < 300) expect(answer.at).toBeGreaterThanOrEqual(doneAt);
  }
}

function scenarios(name: string, kinds: readonly ServerConfig['store'][], probe: () => IdempotencyStore): void {
  describe(`across processes, on ${name}`, () => {
    let patient: Server[] = [];
    let impatient: Server[] = [];
    beforeAll(async () => {
      patient = await Promise.all(kinds.map((kind) => startServer(kind, 5000)));
      impatient = await Promise.all(kinds.map((kind) => startServer(kind, 200)));
    });
    afterAll(async () => {
      await Promise.all([...patient, ...impatient].map((server) => server.kill()));
    });

    it('50 copies at once to 4 processes: the handler runs once, and every copy is answered 202 after it succeeded', async () => {
      const delivery = orderDelivery({ sleep_ms: 300 });
      const answers = await sendCopies(patient, delivery, 50);
      const effects = await effectsOf(delivery.id);
      expect(effects).toMatchObject({ attempt: 1, done: 1 });
      expectPolicy(answers, effects.doneAt[0] as number, [202]);
      // Later copies are duplicates, on any process.
      expect((await post((patient[3] as Server).port, delivery)).status).toBe(202);
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 1 });
    });

    it('copies that wait in vain are answered 409, never 2xx before the first succeeded', async () => {
      const delivery = orderDelivery({ sleep_ms: 1500 });
      const answers = await sendCopies(impatient, delivery, 50);
      const effects = await effectsOf(delivery.id);
      expect(effects).toMatchObject({ attempt: 1, done: 1 });
      expectPolicy(answers, effects.doneAt[0] as number, [202, 409]);
      expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(1);
      expect(answers.filter((a) => a.status === 409).length).toBeGreaterThanOrEqual(40);
      // Polar's retry, once the first has succeeded: acknowledged, and nothing runs again.
      expect((await post((impatient[1] as Server).port, delivery)).status).toBe(202);
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 1 });
    });

    it('a process killed (SIGKILL) in the middle of a handler: nothing is marked done; after the lease, a redelivery runs it', async () => {
      const victim = await startServer(kinds[0] as ServerConfig['store'], 5000);
      const delivery = orderDelivery({ mode: 'hang-first' });
      const lost = post(victim.port, delivery).catch((error: Error) => error);
      await victim.started(delivery.id);
      await victim.kill();
      expect(await lost).toBeInstanceOf(Error);
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 0 });
      // The dead process' claim still holds the id until its lease lapses; it is not done.
      expect(await probe().claim(`polar:${delivery.id}`, 'probe', 60_000)).toBe('busy');
      await sleep(LEASE_MS + 300);
      const answer = await post((patient[1] as Server).port, delivery);
      expect(answer).toMatchObject({ status: 202 });
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 2, done: 1 });
      expect((await post((patient[2] as Server).port, delivery)).status).toBe(202);
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 2, done: 1 });
    });

    it('a handler that throws once: 500, the id is free at once, and the next delivery runs it and succeeds', async () => {
      const delivery = orderDelivery({ mode: 'fail-first' });
      expect(await post((patient[0] as Server).port, delivery)).toMatchObject({ status: 500, code: 'handler_failed' });
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 0 });
      const store = probe();
      expect(await store.claim(`polar:${delivery.id}`, 'probe', 60_000)).toBe('claimed');
      await store.release(`polar:${delivery.id}`, 'probe');
      expect(await post((patient[3] as Server).port, delivery)).toMatchObject({ status: 202 });
      expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 2, done: 1 });
    });

    if (kinds.includes('postgres')) {
      it('transactional inbox: a process killed with the transaction open leaves neither the row nor the done mark', async () => {
        const victim = await startServer('postgres', 5000);
        const delivery = orderDelivery({ mode: 'inbox-hang-first' });
        const lost = post(victim.port, delivery).catch((error: Error) => error);
        await victim.started(delivery.id);
        // Inside the open transaction, the row and the done mark are written: nobody else sees them.
        expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 0 });
        await victim.kill();
        expect(await lost).toBeInstanceOf(Error);
        await sleep(LEASE_MS + 300);
        expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 0 });
        const { rows } = await pool.query(`SELECT done FROM "${run}".polar_webhook_deliveries WHERE key = $1`, [
          `polar:${delivery.id}`,
        ]);
        expect(rows).toEqual([{ done: false }]);
        expect(await post((patient[2] as Server).port, delivery)).toMatchObject({ status: 202 });
        expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 2, done: 1 });
        expect(await post((patient[0] as Server).port, delivery)).toMatchObject({ status: 202 });
        expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 2, done: 1 });
      });

      it('transactional inbox: a handler that throws after commitWith rolls both back; the retry commits both once', async () => {
        const delivery = orderDelivery({ mode: 'inbox-fail-first' });
        expect(await post((patient[1] as Server).port, delivery)).toMatchObject({
          status: 500,
          code: 'handler_failed',
        });
        expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 1, done: 0 });
        expect(await post((patient[0] as Server).port, delivery)).toMatchObject({ status: 202 });
        expect(await effectsOf(delivery.id)).toMatchObject({ attempt: 2, done: 1 });
      });

      it('50 copies at once with the transactional inbox: one transaction commits, every copy is answered per the policy', async () => {
        const delivery = orderDelivery({ mode: 'inbox' });
        const answers = await sendCopies(patient, delivery, 50);
        const effects = await effectsOf(delivery.id);
        expect(effects).toMatchObject({ attempt: 1, done: 1 });
        expectPolicy(answers, effects.doneAt[0] as number, [202]);
      });
    }
  });
}

let redisProbe: IdempotencyStore | undefined;
scenarios(
  'Redis (2 processes on ioredis, 2 on node-redis)',
  ['ioredis', 'node-redis', 'ioredis', 'node-redis'],
  () => (redisProbe ??= redisStore(redis, { prefix })),
);
let pgProbe: IdempotencyStore | undefined;
scenarios('PostgreSQL (4 processes)', ['postgres', 'postgres', 'postgres', 'postgres'], () => {
  return (pgProbe ??= postgresStore(pool, { schema: run }));
});
