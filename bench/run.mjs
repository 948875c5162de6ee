#!/usr/bin/env node
/**
 * `npm run bench`: polar-webhooks (the built package in dist/) against the floors that bound any
 * receiver and against the libraries users would otherwise pick, in one process, interleaved
 * rounds, medians with min/max. Exits non-zero when a target is missed. See bench/README.md.
 *
 *   node --expose-gc bench/run.mjs [--quick] [--only <regex>] [--skip-memory] [--skip-http] [--skip-stores] [--skip-queues] [--dist <dir>]
 */
import { spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

// The memory target needs explicit full GCs: start again with --expose-gc when it is missing.
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(child.status ?? 1);
}

function parseArgs(argv) {
  const args = {
    quick: false,
    only: undefined,
    skipMemory: false,
    skipHttp: false,
    skipStores: false,
    skipQueues: false,
    dist: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--skip-memory') args.skipMemory = true;
    else if (arg === '--skip-http') args.skipHttp = true;
    else if (arg === '--skip-stores') args.skipStores = true;
    else if (arg === '--skip-queues') args.skipQueues = true;
    else if (arg === '--only') args.only = new RegExp(argv[++i] ?? '', 'i');
    else if (arg === '--dist') args.dist = resolve(argv[++i] ?? '');
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'node --expose-gc bench/run.mjs [--quick] [--only <regex>] [--skip-memory] [--skip-http] [--skip-stores] [--skip-queues] [--dist <dir>]',
      );
      process.exit(0);
    } else throw new Error(`Unknown argument ${arg} (try --help).`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));

/** Run lengths. A full run stays under ~3 minutes on 2 cores; --quick under ~40 s. */
const PLAN = args.quick
  ? {
      rounds: 5,
      batchMs: 12,
      warmMs: 60,
      memoryValidations: 20_000,
      http: { rounds: 4, seconds: 0.5, warmSeconds: 0.5, connections: 4 },
      stores: { rounds: 5, batchMs: 15, warmMs: 60, deliveries: 15_000, counted: 200 },
      queues: { seconds: 1, connections: 4, rounds: 4, perRound: 500 },
    }
  : {
      rounds: 15,
      batchMs: 40,
      warmMs: 250,
      memoryValidations: 100_000,
      http: { rounds: 10, seconds: 0.5, warmSeconds: 1, connections: 4 },
      stores: { rounds: 15, batchMs: 40, warmMs: 250, deliveries: 45_000, counted: 1000 },
      queues: { seconds: 3, connections: 4, rounds: 8, perRound: 1000 },
    };

/** The targets, as ratios measured in the same run. */
const TARGETS = {
  verifyVsFloorA: 1.2,
  /** For order.paid in every API version. */
  validateVsFloorB: 1.2,
  validateSpeedupVsSdk1: 2,
  validateSpeedupVsSdk049: 8,
  validateAsyncVsFloorB: 3.5,
  heapDeltaBytes: 3 * 1024 * 1024,
  /** Rejecting a signed 1 MiB body of 340,000 empty order items: time and peak memory of the one call. */
  manyIssuesMs: 250,
  manyIssuesPeakBytes: 128 * 1024 * 1024,
  expressVsBare: 0.85,
  /** Ours against a route that only adds HMAC + decode + JSON.parse to express.raw(): no slower. */
  expressVsFloor: 1,
  /** Idempotency on the memory store, against none, on `handle`: a first delivery. */
  memoryStoreVsNone: 1.15,
  /** Round trips to Redis or PostgreSQL per first delivery (claim, commit) and per duplicate (claim). */
  storeFirstRoundTrips: 2,
  storeDuplicateRoundTrips: 1,
  /** The queue option's enqueue(job) against the engine's own bare add() / send() (writes per second). */
  enqueueVsBare: 0.8,
};

const { loadPayloads, keyOf, signedHeaders, standardSecret, API_VERSIONS, DEFAULT_VERSION } =
  await import('./lib/deliveries.mjs');
const { measure, pairedRatio, summary } = await import('./lib/measure.mjs');

// ---------------------------------------------------------------------------------------------
// The package under test, as built.

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Where an entry point of the package comes from: by default the package itself, resolved by name
 * through its `exports` map to the build in dist/ (exactly what an app gets); with `--dist <dir>`, a
 * build elsewhere (a scratch copy under study).
 */
function entry(sub) {
  if (args.dist !== undefined) return pathToFileURL(join(args.dist, `${sub}.js`)).href;
  return sub === 'index' ? 'polar-webhooks' : `polar-webhooks/${sub}`;
}

const DIST = args.dist ?? join(ROOT, 'dist');
if (!existsSync(join(DIST, 'index.js'))) {
  console.error(
    `${join(DIST, 'index.js')} is missing: build the package first (npm run build), or use npm run bench, which does.`,
  );
  process.exit(2);
}
if (args.dist === undefined && newestMtime(join(ROOT, 'src')) > statSync(join(DIST, 'index.js')).mtimeMs) {
  console.warn('warning: src/ changed since dist/ was built; these figures are for the old build (npm run build).\n');
}
const lib = await import(entry('index'));

// The alternatives, each as its users call it.
const { webhooks: sdk1 } = await import('@polar-sh/sdk/2026-10');
const { validateEvent: sdk049ValidateEvent } = await import('polar-sdk-049/webhooks.js');
const { Webhook: StandardWebhook } = await import('standardwebhooks');
const { Webhook: SvixWebhook } = await import('svix');

// ---------------------------------------------------------------------------------------------
// Deliveries: one secret string for everybody; each library gets the delivery signed with the
// key its own scheme derives from that string, on its fastest path:
// - ours, standardwebhooks, svix, floors: the Standard Webhooks key (base64 after whsec_);
// - @polar-sh/sdk 1.0.1 tries the UTF-8 key first, @polar-sh/sdk 0.49 knows only that one: legacy key.

const SECRET = standardSecret();
const STANDARD_KEY = keyOf(SECRET, 'standard');
const LEGACY_KEY = keyOf(SECRET, 'legacy');
const URL_ = 'http://127.0.0.1/webhooks';

const payloads = loadPayloads();
let deliveryCounter = 0;
let signedAt = 0;

function sign(payload) {
  const id = `msg_bench${String(++deliveryCounter).padStart(8, '0')}`;
  payload.standard = { body: payload.body, headers: signedHeaders(STANDARD_KEY, payload.body, id) };
  payload.legacy = { body: payload.body, headers: signedHeaders(LEGACY_KEY, payload.body, id) };
  payload.requestHeaders = {
    'content-type': 'application/json',
    'user-agent': 'polar.sh webhooks',
    ...payload.standard.headers,
  };
}

/** Re-signs every delivery when its timestamp nears the 300 s tolerance. */
function freshen(force = false) {
  const nowMs = Date.now();
  if (!force && nowMs - signedAt < 120_000) return;
  signedAt = nowMs;
  for (const payload of payloads) sign(payload);
}
freshen(true);

// ---------------------------------------------------------------------------------------------
// Cases. `check(result)` runs once before timing and throws unless the call truly succeeded.

const JSON_TYPE = 'application/json; charset=utf-8';
const handledTypes = [...new Set(payloads.map((p) => p.type))];
let handlerCalls = 0;
const webhooks =
  typeof lib.createWebhooks === 'function'
    ? lib.createWebhooks({ secret: SECRET })
    : { handle: () => Promise.reject(new Error('the package does not export createWebhooks')) };
webhooks.on?.(handledTypes, () => {
  handlerCalls++;
});

function expectType(payload) {
  return (result) => {
    if (result?.type !== payload.type) throw new Error(`returned ${JSON.stringify(result)?.slice(0, 200)}`);
  };
}

function floorA(delivery) {
  const h = delivery.headers;
  const mac = createHmac('sha256', STANDARD_KEY)
    .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${delivery.body}`)
    .digest();
  if (!timingSafeEqual(mac, Buffer.from(h['webhook-signature'].slice(3), 'base64')))
    throw new Error('floor A: no match');
  return mac;
}

function casesFor(p) {
  const list = [
    { name: 'floor A: node:crypto HMAC + timingSafeEqual', key: 'floorA', fn: () => floorA(p.standard) },
    {
      name: 'floor B: floor A + JSON.parse',
      key: 'floorB',
      fn: () => {
        floorA(p.standard);
        return JSON.parse(p.standard.body);
      },
      check: expectType(p),
    },
    {
      name: 'verifySignature',
      key: 'verify',
      fn: () => lib.verifySignature(p.standard.body, p.standard.headers, SECRET),
      check: (r) => {
        if (r?.id !== p.standard.headers['webhook-id']) throw new Error(`returned ${JSON.stringify(r)}`);
      },
    },
    {
      name: 'verifySignatureAsync',
      key: 'verifyAsync',
      async: true,
      fn: () => lib.verifySignatureAsync(p.standard.body, p.standard.headers, SECRET),
      check: (r) => {
        if (r?.id !== p.standard.headers['webhook-id']) throw new Error(`returned ${JSON.stringify(r)}`);
      },
    },
    {
      name: 'validateEvent',
      key: 'validate',
      fn: () => lib.validateEvent(p.standard.body, p.standard.headers, SECRET),
      check: expectType(p),
    },
    {
      name: 'validateEventAsync',
      key: 'validateAsync',
      async: true,
      fn: () => lib.validateEventAsync(p.standard.body, p.standard.headers, SECRET),
      check: expectType(p),
    },
    {
      name: 'floor R: new Request(body, headers)',
      key: 'request',
      fn: () => new Request(URL_, { method: 'POST', headers: p.requestHeaders, body: p.body }),
    },
    {
      name: 'floor C: Request → text → floor B → Response',
      key: 'floorC',
      async: true,
      fn: async () => {
        const request = new Request(URL_, { method: 'POST', headers: p.requestHeaders, body: p.body });
        const body = await request.text();
        const h = request.headers;
        const mac = createHmac('sha256', STANDARD_KEY)
          .update(`${h.get('webhook-id')}.${h.get('webhook-timestamp')}.${body}`)
          .digest();
        if (!timingSafeEqual(mac, Buffer.from(h.get('webhook-signature').slice(3), 'base64')))
          throw new Error('floor C: no match');
        JSON.parse(body);
        return new Response('{"ok":true}', { status: 202, headers: { 'content-type': JSON_TYPE } });
      },
      check: (r) => {
        if (r.status !== 202) throw new Error(`answered ${r.status}`);
      },
    },
    {
      name: 'createWebhooks().handle(new Request)',
      key: 'handle',
      async: true,
      fn: () => webhooks.handle(new Request(URL_, { method: 'POST', headers: p.requestHeaders, body: p.body })),
      check: async (r) => {
        const before = handlerCalls;
        if (r.status !== 202) throw new Error(`answered ${r.status} ${await r.text()}`);
        await webhooks.handle(new Request(URL_, { method: 'POST', headers: p.requestHeaders, body: p.body }));
        if (handlerCalls !== before + 1) throw new Error('answered 202 without calling the handler');
      },
    },
    {
      name: '@polar-sh/sdk 1.0.1 validateEvent',
      key: 'sdk1',
      async: true,
      fn: () => sdk1.validateEvent(p.legacy.body, p.legacy.headers, SECRET),
      check: expectType(p),
    },
    {
      name: '@polar-sh/sdk 0.49 validateEvent',
      key: 'sdk049',
      fn: () => sdk049ValidateEvent(p.legacy.body, p.legacy.headers, SECRET),
      check: expectType(p),
    },
    {
      name: 'standardwebhooks verify (parses JSON)',
      key: 'standardwebhooks',
      fn: (() => {
        const wh = new StandardWebhook(SECRET);
        return () => wh.verify(p.standard.body, p.standard.headers);
      })(),
      check: expectType(p),
    },
    {
      name: 'svix verify (parses JSON)',
      key: 'svix',
      fn: (() => {
        const wh = new SvixWebhook(SECRET);
        return () => wh.verify(p.standard.body, p.standard.headers);
      })(),
      check: expectType(p),
    },
  ];
  return list.map((c) => ({ ...c, payload: p.name, id: `${p.name} / ${c.name}` }));
}

const allCases = payloads.flatMap(casesFor);
const cases = [];
const unavailable = [];
for (const c of allCases) {
  if (args.only && !args.only.test(c.id)) continue;
  try {
    const result = c.async ? await c.fn() : c.fn();
    await c.check?.(result);
    cases.push(c);
  } catch (error) {
    unavailable.push({
      id: c.id,
      payload: c.payload,
      key: c.key,
      reason: String(error?.message ?? error)
        .split('\n')[0]
        .slice(0, 160),
    });
  }
}
const ourKeys = new Set(['verify', 'verifyAsync', 'validate', 'validateAsync', 'handle']);
const broken = unavailable.filter((u) => ourKeys.has(u.key) || u.key.startsWith('floor') || u.key === 'request');
for (const u of unavailable) console.log(`not measured: ${u.id}: ${u.reason}`);
if (broken.length > 0) {
  console.error('\npolar-webhooks failed on a valid delivery (see above): nothing to measure.');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Micro-benchmarks.

/** A progress line, on terminals only (logs and pipes get the results alone). */
function progress(text) {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${text}`);
}

const started = Date.now();
const load = [os.loadavg()[0]];
console.log(
  `polar-webhooks bench (${args.quick ? 'quick' : 'full'}): ${cases.length} cases, ${PLAN.rounds} interleaved rounds of ~${PLAN.batchMs} ms per case; ` +
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${load[0].toFixed(2)}`,
);
console.log(`payloads: ${payloads.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(1)} KB`).join(', ')}`);
console.log(
  'µs/op: median of the rounds (min, max); ÷ floor B: time relative to floor B, lower is better; ' +
    'sdk 1.0.1 ÷: times faster than @polar-sh/sdk 1.0.1, higher is better (both: median of per-round ratios)\n',
);

await measure(cases, {
  rounds: PLAN.rounds,
  batchMs: PLAN.batchMs,
  warmMs: PLAN.warmMs,
  beforeRound: () => freshen(),
  afterRound: (r) => progress(`round ${r + 1}/${PLAN.rounds}`),
});
progress('');
load.push(os.loadavg()[0]);

const byId = new Map(cases.map((c) => [`${c.payload}|${c.key}`, c]));
const get = (payload, key) => byId.get(`${payload}|${key}`);

const rows = [];
for (const p of payloads) {
  const floorB = get(p.name, 'floorB');
  const sdk = get(p.name, 'sdk1');
  console.log(`${p.name} (${p.bytes.toLocaleString('en-US')} B)`);
  console.log(
    `  ${'case'.padEnd(46)} ${'ops/s'.padStart(9)} ${'µs/op'.padStart(9)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'÷ floor B'.padStart(9)} ${'sdk 1.0.1 ÷'.padStart(11)}`,
  );
  for (const c of cases.filter((x) => x.payload === p.name)) {
    const s = summary(c.samples);
    const vsFloorB = floorB ? pairedRatio(c, floorB).median : undefined;
    const speedupVsSdk1 = sdk ? pairedRatio(sdk, c).median : undefined;
    const row = {
      payload: p.name,
      bytes: p.bytes,
      case: c.name,
      key: c.key,
      iterations: c.iterations,
      opsPerSec: 1e9 / s.median,
      usPerOp: { median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 },
      samplesNs: c.samples.map((v) => Math.round(v)),
      vsFloorB,
      speedupVsSdk1,
    };
    rows.push(row);
    console.log(
      `  ${c.name.padEnd(46)} ${Math.round(row.opsPerSec).toLocaleString('en-US').padStart(9)} ${row.usPerOp.median.toFixed(1).padStart(9)} ` +
        `${row.usPerOp.min.toFixed(1).padStart(8)} ${row.usPerOp.max.toFixed(1).padStart(8)} ${(vsFloorB === undefined ? '' : `${vsFloorB.toFixed(2)}×`).padStart(9)} ` +
        `${(speedupVsSdk1 === undefined ? '' : `${speedupVsSdk1.toFixed(2)}×`).padStart(11)}`,
    );
  }
  const handle = get(p.name, 'handle');
  const request = get(p.name, 'request');
  if (handle && request) {
    const net = (summary(handle.samples).median - summary(request.samples).median) / 1000;
    console.log(`  handle minus Request construction: ${net.toFixed(1)} µs/op`);
  }
  console.log('');
}

// ---------------------------------------------------------------------------------------------
// Targets.

const results = [];
function target(name, measured, pass, detail) {
  results.push({ name, measured, pass, detail });
}
function ratioTarget(name, num, den, limit, kind) {
  if (!num || !den) {
    // Filtered out by --only: skipped. Otherwise a contender failed its check: the target is missed.
    if (args.only) target(name, undefined, undefined, 'not measured (--only)');
    else target(name, undefined, false, 'not measured: a contender failed on this payload (see "not measured" above)');
    return;
  }
  const r = pairedRatio(num, den);
  const fmt = (x) => `${x.toFixed(2)}×`;
  if (kind === 'at most') {
    target(name, r, r.median <= limit, `${fmt(r.median)} (rounds ${fmt(r.min)}–${fmt(r.max)}), target ≤ ${limit}×`);
  } else {
    target(name, r, r.median >= limit, `${fmt(r.median)} (rounds ${fmt(r.min)}–${fmt(r.max)}), target ≥ ${limit}×`);
  }
}

const OP = `order.paid ${DEFAULT_VERSION}`;
ratioTarget(
  'verifySignature ÷ floor A (order.paid)',
  get(OP, 'verify'),
  get(OP, 'floorA'),
  TARGETS.verifyVsFloorA,
  'at most',
);
// each API version's order.paid is read by that version's schemas
for (const version of API_VERSIONS) {
  const name = `order.paid ${version}`;
  ratioTarget(
    `validateEvent ÷ floor B (${name})`,
    get(name, 'validate'),
    get(name, 'floorB'),
    TARGETS.validateVsFloorB,
    'at most',
  );
}
ratioTarget(
  'validateEvent speed-up vs @polar-sh/sdk 1.0.1 (order.paid)',
  get(OP, 'sdk1'),
  get(OP, 'validate'),
  TARGETS.validateSpeedupVsSdk1,
  'at least',
);
ratioTarget(
  'validateEvent speed-up vs @polar-sh/sdk 0.49 (order.paid)',
  get(OP, 'sdk049'),
  get(OP, 'validate'),
  TARGETS.validateSpeedupVsSdk049,
  'at least',
);
ratioTarget(
  'validateEventAsync ÷ floor B (order.paid)',
  get(OP, 'validateAsync'),
  get(OP, 'floorB'),
  TARGETS.validateAsyncVsFloorB,
  'at most',
);

let memory;
if (args.skipMemory) {
  target('heap after validations', undefined, undefined, 'skipped (--skip-memory)');
} else {
  const { heapAfterValidations } = await import('./lib/memory.mjs');
  progress(`memory: ${PLAN.memoryValidations.toLocaleString('en-US')} validations…`);
  memory = await heapAfterValidations(
    lib,
    payloads.map((p) => ({ body: p.body, bytes: p.bytes, large: p.name.includes('large') })),
    PLAN.memoryValidations,
  );
  const mb = (b) => `${(b / 1024 / 1024).toFixed(2)} MB`;
  progress('');
  console.log(
    `memory: ${memory.validations.toLocaleString('en-US')} validations (${memory.rejected} forged, rejected) in ${memory.seconds.toFixed(1)} s; ` +
      `heap ${mb(memory.heapBefore)} → ${mb(memory.heapAfter)}, rss ${mb(memory.rssBefore)} → ${mb(memory.rssAfter)}`,
  );
  target(
    `heap growth after ${memory.validations.toLocaleString('en-US')} validations`,
    memory.heapDelta,
    memory.heapDelta <= TARGETS.heapDeltaBytes,
    `${mb(memory.heapDelta)}, target ≤ ${mb(TARGETS.heapDeltaBytes)}`,
  );
}

let manyIssues;
if (args.only && !args.only.test('many issues')) {
  target('rejecting 340,000 empty order items', undefined, undefined, 'not measured (--only)');
} else {
  const { measureManyIssues, EMPTY_ITEMS } = await import('./lib/many-issues.mjs');
  progress('many issues: one signed 1 MiB body of empty order items…');
  manyIssues = measureManyIssues(entry('index'), join(ROOT, 'fixtures', DEFAULT_VERSION, 'order.paid.json'), ROOT);
  progress('');
  const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `many issues: a signed ${(manyIssues.bytes / 1024 / 1024).toFixed(2)} MiB order.paid with ${EMPTY_ITEMS.toLocaleString('en-US')} empty items: ` +
      `${manyIssues.code} with ${manyIssues.issues.toLocaleString('en-US')} issues in ${manyIssues.ms.toFixed(0)} ms, peak memory +${mb(manyIssues.peakDeltaBytes)}`,
  );
  target(
    'rejecting 340,000 empty order items (1 MiB, signed): time',
    manyIssues.ms,
    manyIssues.code === 'invalid_payload' && manyIssues.ms <= TARGETS.manyIssuesMs,
    `${manyIssues.ms.toFixed(0)} ms, ${manyIssues.issues} issues kept, target ≤ ${TARGETS.manyIssuesMs} ms`,
  );
  target(
    'rejecting 340,000 empty order items (1 MiB, signed): peak memory',
    manyIssues.peakDeltaBytes,
    manyIssues.peakDeltaBytes <= TARGETS.manyIssuesPeakBytes,
    `+${mb(manyIssues.peakDeltaBytes)} resident, target ≤ ${mb(TARGETS.manyIssuesPeakBytes)}`,
  );
}

let http;
if (args.skipHttp) {
  target('Express adapter ÷ bare Express 5 (requests/s)', undefined, undefined, 'skipped (--skip-http)');
} else if (!existsSync(join(DIST, 'express.js'))) {
  target('Express adapter ÷ bare Express 5 (requests/s)', undefined, false, `${join(DIST, 'express.js')} is missing`);
} else {
  const { compareExpress } = await import('./lib/http.mjs');
  const order = payloads.find((p) => p.name === OP);
  progress('http: Express 5 routes under autocannon…');
  http = await compareExpress({
    express: entry('express'),
    index: entry('index'),
    secret: SECRET,
    key: STANDARD_KEY.toString('base64'),
    request: () => {
      const headers = signedHeaders(STANDARD_KEY, order.body, `msg_http${++deliveryCounter}`);
      return { headers: { 'content-type': 'application/json', ...headers }, body: order.body };
    },
    ...PLAN.http,
  });
  progress('');
  const rps = (x) => Math.round(x).toLocaleString('en-US');
  console.log(
    `http (order.paid, ${http.connections} connections, ${PLAN.http.rounds} × ${PLAN.http.seconds} s per server, interleaved):`,
  );
  for (const [name, label] of [
    ['bare', 'bare: express.raw() → 202'],
    ['floor', 'floor: express.raw() + HMAC + decode + JSON.parse'],
    ['ours', 'polar-webhooks/express'],
  ]) {
    const side = http[name];
    const ratio =
      name === 'bare' ? '' : `  ${(name === 'ours' ? http.ratio : http.floorRatio).median.toFixed(2)}× bare`;
    console.log(
      `  ${label.padEnd(52)} ${rps(side.median).padStart(7)} req/s (runs ${rps(Math.min(...side.runs))}–${rps(Math.max(...side.runs))}), ` +
        `server CPU ${side.cpuUsPerRequest.toFixed(0)} µs/request${ratio}`,
    );
  }
  const r = http.ratio;
  target(
    'Express adapter ÷ bare Express 5 (requests/s, order.paid)',
    r,
    r.median >= TARGETS.expressVsBare,
    `${r.median.toFixed(2)}× (runs ${r.min.toFixed(2)}–${r.max.toFixed(2)}), target ≥ ${TARGETS.expressVsBare}×` +
      (http.floorRatio.median < TARGETS.expressVsBare
        ? ` — unreachable here: the floor route, which verifies and parses nothing more than HMAC + JSON.parse, reaches ${http.floorRatio.median.toFixed(2)}×`
        : ''),
  );
  const vsFloor = http.ratio.median / http.floorRatio.median;
  target(
    'Express adapter ÷ floor route (requests/s, order.paid)',
    { median: vsFloor },
    vsFloor >= TARGETS.expressVsFloor,
    `${vsFloor.toFixed(2)}× (verify + full validation + dispatch against HMAC + JSON.parse alone), target ≥ ${TARGETS.expressVsFloor}×`,
  );
}
load.push(os.loadavg()[0]);

let stores;
if (args.skipStores) {
  target('idempotency stores', undefined, undefined, 'skipped (--skip-stores)');
} else if (args.only && !args.only.test(`${OP} / idempotency`)) {
  target('idempotency stores', undefined, undefined, 'not measured (--only)');
} else {
  const { benchStores } = await import('./lib/stores.mjs');
  progress('stores: idempotency on memory, Redis and PostgreSQL…');
  stores = await benchStores({
    lib,
    storesLib: await import(entry('stores')),
    secret: SECRET,
    key: STANDARD_KEY,
    body: payloads.find((p) => p.name === OP).body,
    plan: PLAN.stores,
    targets: {
      memoryRatio: TARGETS.memoryStoreVsNone,
      firstRoundTrips: TARGETS.storeFirstRoundTrips,
      duplicateRoundTrips: TARGETS.storeDuplicateRoundTrips,
    },
  });
  progress('');
  console.log(`idempotency (${OP}, ${PLAN.stores.rounds} interleaved rounds; Redis and PostgreSQL on loopback):`);
  console.log(
    `  ${'case'.padEnd(50)} ${'µs/op'.padStart(9)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'÷ none'.padStart(7)} ` +
      `${'CPU µs'.padStart(7)} ${'÷ none'.padStart(7)}`,
  );
  for (const row of stores.rows) {
    console.log(
      `  ${row.case.padEnd(50)} ${row.usPerOp.median.toFixed(1).padStart(9)} ${row.usPerOp.min.toFixed(1).padStart(8)} ` +
        `${row.usPerOp.max.toFixed(1).padStart(8)} ${`${row.vsNone.toFixed(2)}×`.padStart(7)} ` +
        `${row.cpuUsPerOp.toFixed(1).padStart(7)} ${`${row.cpuVsNone.toFixed(2)}×`.padStart(7)}`,
    );
  }
  for (const counted of Object.values(stores.roundTrips)) {
    console.log(
      `  ${counted.label}: ${counted.first.toFixed(2)} round trips per first delivery, ${counted.duplicate.toFixed(2)} per duplicate (counted at the socket)`,
    );
  }
  for (const missing of stores.missing) console.log(`  not measured: ${missing} does not answer`);
  for (const t of stores.targets) target(t.name, t.measured, t.pass, t.detail);
}
load.push(os.loadavg()[0]);

let queues;
if (args.skipQueues) {
  target('queue option: enqueue ÷ bare engine write', undefined, undefined, 'skipped (--skip-queues)');
} else if (args.only && !args.only.test(`${OP} / queue`)) {
  target('queue option: enqueue ÷ bare engine write', undefined, undefined, 'not measured (--only)');
} else {
  const { measureQueues } = await import('./lib/queues.mjs');
  const order = payloads.find((p) => p.name === OP);
  progress('queues: answer latency and enqueue throughput on BullMQ and pg-boss…');
  try {
    queues = await measureQueues({
      index: entry('index'),
      express: entry('express'),
      bullmq: entry('bullmq'),
      pgBoss: entry('pg-boss'),
      secret: SECRET,
      request: () => {
        const headers = signedHeaders(STANDARD_KEY, order.body, `msg_queue${++deliveryCounter}`);
        return { headers: { 'content-type': 'application/json', ...headers }, body: order.body };
      },
      job: {
        id: 'msg_queue',
        type: order.type,
        timestamp: new Date().toISOString(),
        apiVersion: JSON.parse(order.body).api_version ?? null,
        event: JSON.parse(order.body),
        body: order.body,
      },
      plan: PLAN.queues,
    });
  } catch (error) {
    if (!/ECONNREFUSED|ENOTFOUND|connect/i.test(String(error?.message ?? error))) throw error;
    progress('');
    target('queue option: enqueue ÷ bare engine write', undefined, undefined, `not measured: ${error.message}`);
  }
  progress('');
  if (queues !== undefined) {
    const ms = (x) => `${x.toFixed(1)} ms`.padStart(9);
    console.log(
      `queues (${OP}, ${PLAN.queues.connections} connections, ${PLAN.queues.seconds} s per server): answer latency`,
    );
    for (const [mode, label] of [
      ['inline', 'inline: handlers that take 200 ms, run in the request'],
      ['bullmq', 'queue option on BullMQ (answered once the job is written)'],
      ['pg-boss', 'queue option on pg-boss (answered once the job is written)'],
    ]) {
      const l = queues.latency[mode];
      console.log(`  ${label.padEnd(58)} p50 ${ms(l.p50)}  p99 ${ms(l.p99)}  (${l.requests} requests)`);
    }
    const perSecond = (x) => Math.round(x).toLocaleString('en-US').padStart(7);
    console.log(
      `  enqueue throughput (${PLAN.queues.rounds} interleaved rounds of ${PLAN.queues.perRound} writes, 32 in flight):`,
    );
    for (const [key, label, bare] of [
      ['bullmq', 'polar-webhooks/bullmq enqueue', 'queue.add()'],
      ['pgBoss', 'polar-webhooks/pg-boss enqueue', 'boss.send()'],
    ]) {
      const t = queues.throughput[key];
      console.log(
        `  ${label.padEnd(32)} ${perSecond(t.ours.median)} jobs/s; bare ${bare.padEnd(12)} ${perSecond(t.bare.median)} jobs/s; ` +
          `${t.ratio.median.toFixed(2)}× (rounds ${t.ratio.min.toFixed(2)}–${t.ratio.max.toFixed(2)})`,
      );
      target(
        `queue option: ${label} ÷ bare ${bare} (writes/s)`,
        t.ratio,
        t.ratio.median >= TARGETS.enqueueVsBare,
        `${t.ratio.median.toFixed(2)}× (rounds ${t.ratio.min.toFixed(2)}–${t.ratio.max.toFixed(2)}), target ≥ ${TARGETS.enqueueVsBare}×`,
      );
    }
  }
}
load.push(os.loadavg()[0]);

console.log('\ntargets');
for (const t of results) {
  const verdict = t.pass === undefined ? 'SKIP' : t.pass ? 'PASS' : 'MISS';
  console.log(`  ${verdict}  ${t.name}: ${t.detail}`);
}
const missed = results.filter((t) => t.pass === false);
const seconds = (Date.now() - started) / 1000;
console.log(
  `\n${missed.length === 0 ? 'all measured targets met' : `${missed.length} target(s) missed`} (${seconds.toFixed(0)} s; load average ${load.map((x) => x.toFixed(2)).join(' → ')})`,
);

// ---------------------------------------------------------------------------------------------
// Figures on disk (bench/results/ is git-ignored).

const out = join(HERE, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'latest.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      mode: args.quick ? 'quick' : 'full',
      only: args.only?.source,
      dist: DIST,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      loadAverage: load,
      plan: PLAN,
      payloads: payloads.map((p) => ({ name: p.name, type: p.type, bytes: p.bytes })),
      rows,
      unavailable,
      targets: results,
      memory,
      manyIssues,
      http,
      stores,
      queues,
      pass: missed.length === 0,
    },
    null,
    2,
  )}\n`,
);
console.log(`figures written to ${join('bench', 'results', 'latest.json')}`);
process.exit(missed.length === 0 ? 0 : 1);
