/**
 * The queue option: how fast Polar gets its answer, and what the hand-off costs.
 *
 * - Answer latency (p50, p99) of polar-webhooks/express under autocannon, each server in a child
 *   process of its own: with handlers that take 200 ms run inline, and in queue mode on BullMQ and on
 *   pg-boss (answered once the job is written; no worker runs, the handlers never enter the request).
 * - Enqueue throughput: `enqueue(job)` of polar-webhooks/bullmq and /pg-boss against the engine's
 *   own bare `queue.add()` / `boss.send()` of the same job with the same options, 32 writes in
 *   flight, in interleaved rounds (the ratio is the median of per-round ratios).
 *
 * Needs Redis and PostgreSQL (`REDIS_URL`, `DATABASE_URL`, defaults on 127.0.0.1). Every run writes
 * under a key prefix and a pg-boss schema of its own, removed at the end.
 *
 * Run as `node queues.mjs --serve` it is one of those servers, configured over IPC.
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './measure.mjs';

const SELF = fileURLToPath(import.meta.url);
const IN_FLIGHT = 32;

/** Where the services are: REDIS_URL and DATABASE_URL, with pg's missing-user quirk filled in. */
export function services() {
  const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const database = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
  if (database.username === '') database.username = process.env.PGUSER ?? userInfo().username;
  return { redis: { host: redis.hostname, port: Number(redis.port || 6379) }, databaseUrl: database.href };
}

// ---------------------------------------------------------------------------------------------
// The server side (a child process).

async function serve(config) {
  const { createWebhooks } = await import(config.index);
  const { createExpressMiddleware } = await import(config.express);
  const express = (await import('express')).default;
  let queue;
  let close = async () => undefined;
  if (config.mode === 'bullmq') {
    const { Queue } = await import('bullmq');
    const { bullmqQueue } = await import(config.bullmq);
    const bull = new Queue('latency', { connection: config.redis, prefix: config.prefix });
    queue = bullmqQueue(bull);
    close = () => bull.close();
  } else if (config.mode === 'pg-boss') {
    const PgBoss = (await import('pg-boss')).default;
    const { pgBossQueue } = await import(config.pgBoss);
    const boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: config.schema,
      supervise: false,
      schedule: false,
    });
    boss.on('error', (error) => process.send?.({ error: String(error) }));
    await boss.start();
    queue = pgBossQueue(boss, { name: 'latency', schema: config.schema });
    close = () => boss.stop({ graceful: false, wait: true });
  }
  const webhooks = createWebhooks({ secret: config.secret, ...(queue === undefined ? {} : { queue }) });
  let handled = 0;
  webhooks.on('order.paid', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    handled++;
  });
  webhooks.onError((error) => process.send?.({ error: String(error) }));
  const app = express();
  app.post('/webhooks', createExpressMiddleware(webhooks));
  const listener = app.listen(0, '127.0.0.1', () => process.send?.({ listening: listener.address().port }));
  process.on('message', (message) => {
    if (message?.report) process.send?.({ report: { handled } });
    // autocannon drops its connections when a run ends, requests still in flight: let them finish
    // before the engine closes, so none of them fails on a closed client.
    if (message?.stop) listener.close(() => setTimeout(() => void close().finally(() => process.exit(0)), 500));
  });
}

if (process.argv[2] === '--serve') process.once('message', (config) => void serve(config));

// ---------------------------------------------------------------------------------------------
// The measuring side.

function startServer(config) {
  const child = fork(SELF, ['--serve'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const errors = [];
  child.on('message', (message) => {
    if (message?.error) errors.push(message.error);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ${config.mode} server exited early (code ${code})`)));
    child.on('message', function onListening(message) {
      if (message?.listening === undefined) return;
      child.off('message', onListening);
      resolve({ child, port: message.listening, errors });
    });
    child.send(config);
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.send({ stop: true });
    setTimeout(() => child.kill(), 5000).unref();
  });
}

/** autocannon on one server, each request signed anew with an id of its own. */
async function latency(port, request, seconds, connections, who) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const { headers, body } = request();
          return { ...req, headers, body };
        },
      },
    ],
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result['2xx'] === 0) {
    throw new Error(
      `${who}: ${result['2xx']} accepted, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { p50: result.latency.p50, p99: result.latency.p99, requests: result['2xx'] };
}

/** `total` calls of `fn(i)`, `IN_FLIGHT` at a time; resolves to calls per second. */
async function rate(fn, total) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Interleaved rounds of ours against bare; each round writes `perRound` fresh jobs with each. */
async function compare(ours, bare, rounds, perRound) {
  await rate(ours, Math.min(200, perRound));
  await rate(bare, Math.min(200, perRound));
  const oursRates = [];
  const bareRates = [];
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first, so neither always runs on a warmer (or busier) server.
    let o;
    let b;
    if (r % 2 === 0) {
      o = await rate(ours, perRound);
      b = await rate(bare, perRound);
    } else {
      b = await rate(bare, perRound);
      o = await rate(ours, perRound);
    }
    oursRates.push(o);
    bareRates.push(b);
    ratios.push(o / b);
  }
  return { ours: spread(oursRates), bare: spread(bareRates), ratio: spread(ratios) };
}

/**
 * Runs both measurements.
 *
 * @param {object} options
 * @param {string} options.index - Specifier of the package's main entry.
 * @param {string} options.express - Specifier of its Express entry.
 * @param {string} options.bullmq - Specifier of its BullMQ entry.
 * @param {string} options.pgBoss - Specifier of its pg-boss entry.
 * @param {string} options.secret - The endpoint secret.
 * @param {(id?: string) => { headers: Record<string, string>, body: string }} options.request - A freshly signed order.paid request.
 * @param {object} options.job - A WebhookJob (the order.paid delivery as the queue option writes it).
 * @param {{ seconds: number, connections: number, rounds: number, perRound: number }} options.plan
 */
export async function measureQueues({ index, express, bullmq, pgBoss, secret, request, job, plan }) {
  const run = randomBytes(4).toString('hex');
  const prefix = `polar-webhooks-bench-${run}`;
  const schema = `pgboss_bench_${run}`;
  const { redis, databaseUrl } = services();
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const PgBoss = (await import('pg-boss')).default;
  const { bullmqQueue } = await import(bullmq);
  const { pgBossQueue } = await import(pgBoss);

  const client = new Redis(redis);
  const boss = new PgBoss({ connectionString: databaseUrl, schema, supervise: false, schedule: false, max: 16 });
  boss.on('error', () => undefined);
  const bull = new Queue('throughput', { connection: redis, prefix });
  const result = { latency: {}, throughput: {} };
  try {
    await boss.start();

    // Answer latency, one server at a time.
    for (const mode of ['inline', 'bullmq', 'pg-boss']) {
      const server = await startServer({
        mode,
        index,
        express,
        bullmq,
        pgBoss,
        secret,
        redis,
        prefix,
        databaseUrl,
        schema,
      });
      try {
        await latency(server.port, request, Math.min(1, plan.seconds), plan.connections, mode);
        result.latency[mode] = await latency(server.port, request, plan.seconds, plan.connections, mode);
        if (server.errors.length > 0) throw new Error(`${mode}: ${server.errors[0]}`);
      } finally {
        await stop(server.child);
      }
    }

    // Enqueue throughput: ours against the engine's own call, the same job and options.
    const fresh = () => ({ ...job, id: `msg_${randomUUID()}` });
    const ours = bullmqQueue(bull);
    const jobOptions = {
      attempts: 10,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 86400 },
      removeOnFail: false,
    };
    result.throughput.bullmq = await compare(
      () => ours.enqueue(fresh()),
      () => {
        const j = fresh();
        return bull.add(j.type, j, { ...jobOptions, jobId: j.id });
      },
      plan.rounds,
      plan.perRound,
    );
    const oursPg = pgBossQueue(boss, { name: 'throughput', schema });
    await boss.createQueue('throughput-bare', { name: 'throughput-bare', policy: 'standard' });
    const sendOptions = { retryLimit: 9, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 };
    result.throughput.pgBoss = await compare(
      () => oursPg.enqueue(fresh()),
      () => boss.send('throughput-bare', fresh(), sendOptions),
      plan.rounds,
      plan.perRound,
    );
  } finally {
    await bull.close();
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
    await client.quit();
    const pg = (await import('pg')).default;
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  }
  return result;
}
