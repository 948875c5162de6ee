/**
 * The Next.js adapter in a real Next.js app, built with `next build` and served with `next start`
 * on 127.0.0.1: an App Router route on the Node.js runtime, one on the Edge runtime, a Pages Router
 * API route (body parser off, and on), and the `Webhooks()` drop-in.
 *
 * How the app finds the library: it imports `polar-webhooks` and `polar-webhooks/next`, which its
 * next.config.mjs aliases to the BUILT files in this repository's dist/, so run `npm run build`
 * first (`npm test` does; the POLAR_WEBHOOKS_DIST variable points the test at another build).
 * The app's sources (test/integration/next-app/) are copied to a temporary directory whose node_modules links to the repository's, and built there
 * once per run; nothing is written to the source tree and no network is used.
 *
 * The routes' handlers cannot share memory with this process (nor with each other: each runtime
 * loads its own copy), so they report each call to a small collector server that this test runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNextPagesHandler } from '../../src/adapters/next';
import {
  SECRET,
  deliveryScenarios,
  freePort,
  listen,
  orderPaid,
  post,
  recordingWebhooks,
  sign,
  type Call,
} from './helpers';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = process.env.POLAR_WEBHOOKS_DIST ?? path.join(root, 'dist');
const appSource = fileURLToPath(new URL('./next-app', import.meta.url));
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

const calls: Call[] = [];
let base = '';
let appDir = '';
let nextProcess: ChildProcess | undefined;
let closeCollector: () => Promise<void> = async () => undefined;
let buildLog = '';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (buildLog += d.toString()));
    child.stderr.on('data', (d: Buffer) => (buildLog += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`next ${args[0]} exited ${code}:\n${buildLog}`)),
    );
  });
}

async function waitUntilServing(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await fetch(url, { method: 'GET' });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`next start did not answer in time:\n${buildLog}`, { cause: error });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  if (!existsSync(path.join(dist, 'next.js')) || !existsSync(path.join(dist, 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before this test (npm test does it first).');
  }
  const collector = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      calls.push(JSON.parse(text) as Call);
      res.end('ok');
    });
  });
  const started = await listen(collector);
  closeCollector = started.close;

  appDir = await mkdtemp(path.join(os.tmpdir(), 'polar-webhooks-next-'));
  await cp(appSource, appDir, { recursive: true });
  await symlink(path.join(root, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    POLAR_WEBHOOKS_DIST: dist,
  };
  delete env.POLAR_WEBHOOK_SECRET; // the build must not need the secret
  const buildStart = Date.now();
  await run(['build'], env);
  console.info(`next build took ${Math.round((Date.now() - buildStart) / 1000)} s`);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  nextProcess = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir,
    env: { ...env, POLAR_WEBHOOK_SECRET: SECRET, POLAR_TEST_COLLECTOR_URL: started.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  nextProcess.stdout?.on('data', (d: Buffer) => (buildLog += d.toString()));
  nextProcess.stderr?.on('data', (d: Buffer) => (buildLog += d.toString()));
  await waitUntilServing(`${base}/api/pages`, Date.now() + 60_000);
});

afterAll(async () => {
  if (nextProcess?.pid !== undefined && nextProcess.exitCode === null) {
    nextProcess.kill('SIGTERM');
    await once(nextProcess, 'exit');
  }
  await closeCollector();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

function target(route: string, urlPath: string) {
  return () => ({
    url: `${base}${urlPath}`,
    calls: () => calls.filter((call) => call.route === route),
    reset: () => (calls.length = 0),
  });
}

describe('App Router route, Node.js runtime', () => {
  deliveryScenarios(target('app-node', '/api/node'));
});

describe('App Router route, Edge runtime', () => {
  // `next start` reads an Edge route's whole request body before running it.
  deliveryScenarios(target('app-edge', '/api/edge'), { streamsBody: false });
});

describe('Pages Router API route with bodyParser: false', () => {
  // `next start` reads ahead of a Pages route and resets the connection of a sender that never
  // stops, which can lose the 413 in transit; the same handler behind plain node:http (below)
  // proves it answers an endless body.
  deliveryScenarios(target('pages', '/api/pages'), { endlessBody: false, serverOwnsConnection: true });
});

describe('Pages Router handler behind plain node:http', () => {
  const pagesCalls: Call[] = [];
  let url = '';
  let close: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const handler = createNextPagesHandler(recordingWebhooks(pagesCalls));
    ({ url, close } = await listen(http.createServer((req, res) => void handler(req, res))));
  });
  afterAll(() => close());
  deliveryScenarios(() => ({ url, calls: () => pagesCalls, reset: () => (pagesCalls.length = 0) }));
});

describe('Pages Router API route with the body parser left on', () => {
  it('answers 500 body_already_parsed, saying how to turn the parser off', async () => {
    calls.length = 0;
    const answer = await post(`${base}/api/pages-parsed`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('export const config = { api: { bodyParser: false } }');
    expect(calls).toEqual([]);
  });
});

describe('Webhooks() drop-in on the Edge runtime', () => {
  it('calls onOrderPaid with the typed payload', async () => {
    calls.length = 0;
    const event = orderPaid({ via: 'compat' });
    const answer = await post(`${base}/api/compat`, sign(JSON.stringify(event)));
    expect(answer.status).toBe(202);
    expect(calls).toEqual([
      expect.objectContaining({
        route: 'compat',
        type: 'order.paid',
        data: expect.objectContaining({ metadata: { via: 'compat' } }),
      }),
    ]);
  });
});
