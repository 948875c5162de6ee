/**
 * What idempotency costs per delivery: `handle` with the memory store against `handle` without
 * idempotency (a ratio, in the same interleaved rounds), and with the Redis and PostgreSQL stores on
 * loopback (µs, and round trips). Round trips are counted at the socket: each client talks to its
 * server through a small TCP relay that counts the times the client speaks after the server did, so
 * a pipelined or batched exchange counts once and nothing the client library does is hidden.
 */
import net from 'node:net';
import { userInfo } from 'node:os';
import { median, summary } from './measure.mjs';
import { signedHeaders } from './deliveries.mjs';

const URL_ = 'http://127.0.0.1/webhooks';

/** Fresh deliveries of one body, each with a webhook id never used before, signed ahead of time. */
function supplyOf(name, key, body, count) {
  let made = 0;
  let used = 0;
  const list = [];
  const add = (n) => {
    for (let i = 0; i < n; i++) {
      const headers = signedHeaders(key, body, `msg_bench_${name}_${process.pid}_${made++}`);
      list.push({ 'content-type': 'application/json', 'user-agent': 'polar.sh webhooks', ...headers });
    }
  };
  add(count);
  return {
    /** Headers of the next fresh delivery (more are signed, outside any timing, when they run out). */
    next() {
      if (used === list.length) add(5000);
      return list[used++];
    },
    /** The same delivery every time: a duplicate once it has been handled. */
    first: () => list[0],
    get signedLate() {
      return Math.max(0, made - count);
    },
  };
}

/** A TCP relay to `port` that counts client round trips (client speaks after the server, or first). */
async function relay(port) {
  let flights = 0;
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    let last = 'server';
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk) => {
      if (last === 'server') flights++;
      last = 'client';
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      last = 'server';
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    flights: () => flights,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Whether something listens on host:port (a quick TCP connect). */
function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A seeded shuffle (the same round orders on every run). */
function shuffler(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (list) => {
    const out = list.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
}

/** Runs `n` awaited calls; the wall time and this process's CPU time per call, in nanoseconds. */
async function batch(c, n) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await c.fn();
  const wall = Number(process.hrtime.bigint() - start) / n;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: ((used.user + used.system) * 1000) / n };
}

/**
 * Interleaved rounds, like measure.mjs, but each batch also reads the process's CPU time: on a
 * machine shared with other work, the CPU a delivery costs holds much better than the wall time it
 * takes, and for the memory store (no I/O) it is the whole cost.
 */
async function measureBoth(cases, { rounds, batchMs, warmMs }) {
  for (const c of cases) {
    const deadline = Date.now() + warmMs;
    let n = 1;
    let perOp = 0;
    do {
      perOp = (await batch(c, n)).wall;
      if (n < 1 << 16) n *= 2;
    } while (Date.now() < deadline);
    c.iterations = Math.max(1, Math.round((batchMs * 1e6) / perOp));
    c.wall = [];
    c.cpu = [];
  }
  const shuffle = shuffler(0x5eed);
  for (let r = 0; r < rounds; r++) {
    for (const c of shuffle(cases)) {
      const { wall, cpu } = await batch(c, c.iterations);
      c.wall.push(wall);
      c.cpu.push(cpu);
    }
  }
}

/** Median, min and max of the per-round ratios of two cases' samples. */
function ratioOf(numerator, denominator) {
  return summary(numerator.map((value, i) => value / denominator[i]));
}

function withUser(url) {
  const parsed = new URL(url);
  if (parsed.username === '') parsed.username = process.env.PGUSER ?? userInfo().username;
  return parsed.href;
}

/**
 * The engines this run can reach, with a client for each and a way to clean up. An engine that is
 * not there is reported (its targets are skipped), not fatal: the other figures still mean something.
 */
async function engines(storesLib, { redisUrl, databaseUrl, tag }) {
  const found = { missing: [] };
  if (await reachable(redisUrl)) {
    const { Redis } = await import('ioredis');
    const prefix = `polar-webhooks-bench:${tag}:`;
    const clients = [];
    const client = (url = redisUrl) => {
      const made = new Redis(url, { maxRetriesPerRequest: 1 });
      made.on('error', () => undefined);
      clients.push(made);
      return made;
    };
    const main = client();
    found.redis = {
      url: redisUrl,
      store: (c = main) => storesLib.redisStore(c, { prefix }),
      client,
      dispose(c) {
        clients.splice(clients.indexOf(c), 1);
        c.disconnect();
      },
      async close() {
        let cursor = '0';
        do {
          const [next, keys] = await main.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await main.del(...keys);
        } while (cursor !== '0');
        for (const c of clients) c.disconnect();
      },
    };
  } else found.missing.push(`Redis (${redisUrl})`);
  if (await reachable(databaseUrl)) {
    const { default: pg } = await import('pg');
    const schema = `polar_bench_${tag}`;
    const pools = [];
    const pool = (url = databaseUrl) => {
      const made = new pg.Pool({ connectionString: withUser(url), max: 4 });
      made.on('error', () => undefined);
      pools.push(made);
      return made;
    };
    const main = pool();
    await main.query(`CREATE SCHEMA "${schema}"`);
    await storesLib.createIdempotencyTable(main, { schema });
    found.postgres = {
      url: databaseUrl,
      // No background prune: it would add a statement a minute to the counts.
      store: (p = main) => storesLib.postgresStore(p, { schema, pruneIntervalMs: 0 }),
      client: pool,
      dispose(p) {
        pools.splice(pools.indexOf(p), 1);
        return p.end();
      },
      async close() {
        await main.query(`DROP SCHEMA "${schema}" CASCADE`);
        for (const p of pools) await p.end();
      },
    };
  } else found.missing.push(`PostgreSQL (${databaseUrl})`);
  return found;
}

/**
 * Measures idempotency's cost per delivery of `body` (an order.paid) and returns the rows, the
 * round-trip counts and the targets.
 *
 * @param {object} options
 * @param {any} options.lib - The package's main entry.
 * @param {any} options.storesLib - Its `stores` entry.
 * @param {string} options.secret
 * @param {Buffer} options.key - The HMAC key the secret derives (Standard Webhooks).
 * @param {string} options.body
 * @param {{ rounds: number, batchMs: number, warmMs: number, deliveries: number, counted: number }} options.plan
 * @param {{ memoryRatio: number, firstRoundTrips: number, duplicateRoundTrips: number }} options.targets
 */
export async function benchStores({ lib, storesLib, secret, key, body, plan, targets }) {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const found = await engines(storesLib, {
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test',
    tag,
  });
  let handled = 0;
  const routerWith = (store) => {
    const webhooks = lib.createWebhooks({
      secret,
      ...(store === undefined ? {} : { idempotency: { store, onDuplicate: () => undefined } }),
    });
    webhooks.on('order.paid', () => {
      handled++;
    });
    return webhooks;
  };
  const request = (headers) => new Request(URL_, { method: 'POST', headers, body });

  const cases = [];
  const addCase = (name, keyName, store, { duplicate = false, deliveries = plan.deliveries } = {}) => {
    const webhooks = routerWith(store);
    const supply = supplyOf(keyName, key, body, duplicate ? 1 : deliveries);
    cases.push({
      id: name,
      name,
      key: keyName,
      async: true,
      supply,
      duplicate,
      webhooks,
      fn: duplicate ? () => webhooks.handle(request(supply.first())) : () => webhooks.handle(request(supply.next())),
    });
  };
  addCase('handle, no idempotency', 'none', undefined);
  addCase('handle + memoryStore, first delivery', 'memoryFirst', storesLib.memoryStore());
  addCase('handle + memoryStore, duplicate', 'memoryDuplicate', storesLib.memoryStore(), { duplicate: true });
  const network = Math.max(2000, Math.round(plan.deliveries / 4));
  if (found.redis) {
    addCase('handle + redisStore (ioredis), first delivery', 'redisFirst', found.redis.store(), {
      deliveries: network,
    });
    addCase('handle + redisStore (ioredis), duplicate', 'redisDuplicate', found.redis.store(), { duplicate: true });
  }
  if (found.postgres) {
    addCase('handle + postgresStore (pg), first delivery', 'postgresFirst', found.postgres.store(), {
      deliveries: network,
    });
    addCase('handle + postgresStore (pg), duplicate', 'postgresDuplicate', found.postgres.store(), { duplicate: true });
  }

  // Every case must really do its work before it is timed: 202, and the handler ran (or, for a
  // duplicate, did not run again).
  for (const c of cases) {
    const before = handled;
    const response = await c.fn();
    if (response.status !== 202) throw new Error(`${c.name}: answered ${response.status} ${await response.text()}`);
    if (handled !== before + 1) throw new Error(`${c.name}: answered 202 without calling the handler`);
    if (c.duplicate) {
      await c.fn();
      if (handled !== before + 1) throw new Error(`${c.name}: a duplicate ran the handler again`);
    }
  }

  await measureBoth(cases, { rounds: plan.rounds, batchMs: plan.batchMs, warmMs: plan.warmMs });
  const byKey = new Map(cases.map((c) => [c.key, c]));
  const none = byKey.get('none');
  const rows = cases.map((c) => {
    const wall = summary(c.wall);
    return {
      case: c.name,
      key: c.key,
      iterations: c.iterations,
      usPerOp: { median: wall.median / 1000, min: wall.min / 1000, max: wall.max / 1000 },
      cpuUsPerOp: median(c.cpu) / 1000,
      vsNone: ratioOf(c.wall, none.wall).median,
      cpuVsNone: ratioOf(c.cpu, none.cpu).median,
      extraUs: (wall.median - median(none.wall)) / 1000,
      extraCpuUs: (median(c.cpu) - median(none.cpu)) / 1000,
      signedLate: c.supply.signedLate,
    };
  });

  // Round trips, counted at the socket, over `plan.counted` deliveries of each kind.
  const roundTrips = {};
  for (const [engine, label] of [
    ['redis', 'redisStore (ioredis)'],
    ['postgres', 'postgresStore (pg)'],
  ]) {
    const e = found[engine];
    if (!e) continue;
    const port = Number(new URL(e.url).port);
    const counter = await relay(port);
    const url = new URL(e.url);
    url.port = String(counter.port);
    const client = e.client(url.href);
    try {
      const webhooks = routerWith(e.store(client));
      const supply = supplyOf(`${engine}Counted`, key, body, plan.counted + 1);
      // Connect, and let the store send its script or prepare its statements, before counting.
      const warm = await webhooks.handle(request(supply.next()));
      if (warm.status !== 202) throw new Error(`${label}: answered ${warm.status}`);
      await webhooks.handle(request(supply.next()));
      let start = counter.flights();
      for (let i = 0; i < plan.counted - 1; i++) await webhooks.handle(request(supply.next()));
      const first = (counter.flights() - start) / (plan.counted - 1);
      start = counter.flights();
      for (let i = 0; i < plan.counted; i++) await webhooks.handle(request(supply.first()));
      const duplicate = (counter.flights() - start) / plan.counted;
      roundTrips[engine] = { label, first, duplicate, deliveries: plan.counted };
    } finally {
      await e.dispose(client);
      await counter.close();
    }
  }

  for (const e of [found.redis, found.postgres]) await e?.close();

  const results = [];
  const memory = rows.find((r) => r.key === 'memoryFirst');
  const cpu = ratioOf(byKey.get('memoryFirst').cpu, none.cpu);
  results.push({
    name: 'handle + memoryStore ÷ handle without idempotency (first delivery, CPU time, order.paid)',
    measured: cpu,
    pass: cpu.median <= targets.memoryRatio,
    detail:
      `${cpu.median.toFixed(2)}× (rounds ${cpu.min.toFixed(2)}–${cpu.max.toFixed(2)}; +${memory.extraCpuUs.toFixed(1)} µs CPU; ` +
      `wall time ${memory.vsNone.toFixed(2)}×), target ≤ ${targets.memoryRatio}×`,
  });
  for (const [engine, label] of [
    ['redis', 'redisStore'],
    ['postgres', 'postgresStore'],
  ]) {
    const counted = roundTrips[engine];
    if (!counted) {
      const why = `skipped: ${found.missing.join(', ')} not reachable`;
      results.push({
        name: `${label}: round trips per first delivery`,
        measured: undefined,
        pass: undefined,
        detail: why,
      });
      results.push({ name: `${label}: round trips per duplicate`, measured: undefined, pass: undefined, detail: why });
      continue;
    }
    results.push({
      name: `${label}: round trips per first delivery`,
      measured: counted.first,
      pass: counted.first <= targets.firstRoundTrips,
      detail: `${counted.first.toFixed(2)} (${counted.deliveries} deliveries, counted at the socket), target ≤ ${targets.firstRoundTrips}`,
    });
    results.push({
      name: `${label}: round trips per duplicate`,
      measured: counted.duplicate,
      pass: counted.duplicate <= targets.duplicateRoundTrips,
      detail: `${counted.duplicate.toFixed(2)} (${counted.deliveries} duplicates, counted at the socket), target ≤ ${targets.duplicateRoundTrips}`,
    });
  }
  return { rows, roundTrips, missing: found.missing, targets: results };
}
