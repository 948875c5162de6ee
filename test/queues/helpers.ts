/**
 * Shared by the queue engines' tests: the servers they run against, worker processes (bundled from
 * the sources, started and killed as separate processes), signed deliveries of mixed event types,
 * an HTTP server running the router, and a TCP proxy that can make a database unreachable without
 * touching the shared server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { build } from 'esbuild';
import { EVENT_TYPES } from '../../src/events/catalogue';
import type { WebhookRouter } from '../../src/router/types';
import { createEvent } from '../../src/testing/fixtures';
import { delivery } from '../helpers/deliveries';
import type { WorkerConfig } from './worker';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * The test database, with a user in the URL: when it names none, libpq takes the operating system's
 * user, but pg takes `$USER`, which CI may not set.
 */
export const DATABASE_URL = (() => {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
  if (url.username === '') url.username = process.env.PGUSER ?? userInfo().username;
  return url.href;
})();

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');

/** A name no other run shares: queue names, key prefixes and schemas are made of it. */
export function runId(): string {
  return randomBytes(5).toString('hex');
}

/** Polls `check` until it returns something other than undefined or false, or throws after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, 50));
  }
}

let bundled: Promise<string> | undefined;

/**
 * The worker script, bundled from the sources by esbuild into node_modules/.cache (where its
 * packages resolve), so that worker processes run the code under test without a build of dist/.
 */
function workerScript(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(ROOT, 'node_modules', '.cache', 'polar-webhooks-queue-tests');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `worker-${process.pid}-${runId()}.mjs`);
    await build({
      entryPoints: [join(HERE, 'worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    process.once('exit', () => rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundled;
}

/** A worker process, with what it said. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every JSON line it wrote to stdout. */
  readonly messages: Record<string, unknown>[];
  /** What it wrote to stderr (warnings, handler failures), for failure messages. */
  stderr(): string;
  /** Resolves with the first message `match` accepts (already said, or said later). */
  said(match: (message: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown>>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts a worker process and waits until its engine's worker runs. */
export async function startWorker(config: WorkerConfig): Promise<WorkerProcess> {
  const script = await workerScript();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, QUEUE_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let err = '';
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    let newline: number;
    while ((newline = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, newline);
      out = out.slice(newline + 1);
      try {
        messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        err += `stdout: ${line}\n`;
      }
      for (const listener of listeners) listener();
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ended = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const worker: WorkerProcess = {
    child,
    messages,
    stderr: () => err,
    said(match, ms) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = messages.find(match);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`worker ${child.pid} did not say what was awaited within ${ms} ms; stderr:\n${err}`));
        }, ms);
        const gone = () => {
          cleanup();
          reject(new Error(`worker ${child.pid} exited (${child.exitCode ?? child.signalCode}); stderr:\n${err}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(look);
          child.off('exit', gone);
        };
        listeners.add(look);
        child.once('exit', gone);
        look();
      });
    },
    kill: ended('SIGKILL'),
    stop: ended('SIGTERM'),
  };
  await worker.said((m) => m.ready === true, 20_000);
  return worker;
}

/** One delivery to send: its webhook id, body, and a fresh signature each time it is sent. */
export interface TestDelivery {
  readonly id: string;
  readonly type: string;
  readonly body: string;
}

/** `count` deliveries cycling through every event type, with `id` made by `idOf`. */
export function mixedDeliveries(count: number, idOf: (i: number) => string): TestDelivery[] {
  const bodies = new Map<string, string>();
  const list: TestDelivery[] = [];
  for (let i = 0; i < count; i++) {
    const type = EVENT_TYPES[i % EVENT_TYPES.length] as (typeof EVENT_TYPES)[number];
    let body = bodies.get(type);
    if (body === undefined) {
      body = JSON.stringify(createEvent(type));
      bodies.set(type, body);
    }
    list.push({ id: idOf(i), type, body });
  }
  return list;
}

/** The deliveries, with `share` of them sent a second time (as Polar does), in a shuffled order. */
export function withDuplicates(list: readonly TestDelivery[], share: number): TestDelivery[] {
  const copies = list.filter((_, i) => i % Math.round(1 / share) === 0);
  const all = [...list, ...copies];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j] as TestDelivery, all[i] as TestDelivery];
  }
  return all;
}

/** POSTs a delivery, signed now (every copy is signed anew, as Polar signs each retry), and returns the status. */
export async function post(url: string, secret: string, item: TestDelivery): Promise<number> {
  const signed = delivery(secret, 'standard', item.body, { id: item.id });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Sends every delivery, `concurrency` at a time; resolves to the status of each, in order. */
export async function postAll(
  url: string,
  secret: string,
  list: readonly TestDelivery[],
  concurrency: number,
): Promise<number[]> {
  const statuses = new Array<number>(list.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) {
        const i = next++;
        statuses[i] = await post(url, secret, list[i] as TestDelivery);
      }
    }),
  );
  return statuses;
}

/** The router behind a real HTTP server (`@hono/node-server`, which hands it Fetch requests). */
export async function serveRouter(webhooks: WebhookRouter): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: (request) => webhooks.handle(request), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/polar`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A TCP proxy to `target` on a port of its own: `cut()` closes the port and drops every connection
 * (the database is unreachable, as far as its clients can tell), `mend()` opens it again.
 */
export async function tcpProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; mend(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const host = target.hostname;
  const targetPort = Number(target.port);
  let server: net.Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await open();
  return {
    port,
    async cut() {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    mend: open,
  };
}
