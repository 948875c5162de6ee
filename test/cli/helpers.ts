/**
 * Shared by the bin's tests: run the BUILT bin (dist/cli.js) as a user would, a real router on
 * 127.0.0.1 that records what its handlers saw, secrets, and a signer independent of ours (node:crypto).
 */
import { execFile } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { CreateWebhooksOptions, WebhookContext, WebhookRouter } from '../../src/router/types';
import { ROOT } from '../runtimes/harness';

/** The built bin. */
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Throws with the fix when the bin has not been built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(
      'dist/cli.js is missing: the bin tests run the built bin. Run `npm run build` first (npm test does).',
    );
  }
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (signs with the standard key). */
export const standardSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** A legacy secret of the `whsec_` shape: `whsec_` + 43 characters (signs with the whole secret's bytes). */
export const legacySecret = (): string => `whsec_${randomBytes(32).toString('base64').slice(0, 43)}`;

/** What a run of the bin gave. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node dist/cli.js …args` in a plain environment (no colour variables, no secret) plus `env`,
 * its stdout and stderr pipes (so: not a terminal).
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base = { ...process.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'POLAR_WEBHOOK_SECRET', 'TERM']) delete base[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...base, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** One delivery the receiver's router got: verified, and, when its payload parsed, handled. */
export interface Received {
  readonly type: string;
  readonly id: string;
  readonly triggered: boolean | undefined;
  readonly timestamp: Date;
  readonly apiVersionHeader: string | undefined;
  readonly body: string;
  readonly event: Record<string, unknown>;
}

/** A router on a real HTTP server. */
export interface Receiver {
  readonly url: string;
  readonly router: WebhookRouter;
  /** Every delivery that reached a handler (`onAny`), in order of arrival. */
  readonly received: Received[];
  /** Every failure after verification (`onError`): invalid payloads, handler errors. */
  readonly errors: unknown[];
  /** Every answer's status, in order. */
  readonly statuses: number[];
  close(): Promise<void>;
}

/**
 * Starts `createWebhooks(options)` behind `node:http` on 127.0.0.1, its raw body passed to
 * `respond`. `fail` names the event types (or webhook ids) whose handler throws.
 */
export async function startReceiver(
  options: CreateWebhooksOptions,
  fail: { types?: readonly string[]; ids?: readonly string[] } = {},
): Promise<Receiver> {
  const received: Received[] = [];
  const errors: unknown[] = [];
  const statuses: number[] = [];
  const bodies = new Map<string, { body: string; apiVersion: string | undefined }>();
  const router = createWebhooks({ logger: { warn: () => undefined, error: () => undefined }, ...options });
  router.onAny((event, context: WebhookContext) => {
    const raw = bodies.get(context.id);
    received.push({
      type: event.type,
      id: context.id,
      triggered: context.triggered,
      timestamp: context.timestamp,
      apiVersionHeader: raw?.apiVersion,
      body: raw?.body ?? '',
      event: event as unknown as Record<string, unknown>,
    });
    if (fail.types?.includes(event.type) || fail.ids?.includes(context.id)) {
      throw new Error(`the test handler fails for ${event.type} ${context.id}`);
    }
  });
  router.onError((error) => {
    errors.push(error);
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const id = req.headers['webhook-id'];
      const apiVersion = req.headers['webhook-api-version'];
      if (typeof id === 'string') {
        bodies.set(id, {
          body: body.toString('utf8'),
          apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined,
        });
      }
      void router.respond({ method: req.method ?? 'GET', body, headers: req.headers }).then((answer) => {
        statuses.push(answer.status);
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/polar`,
    router,
    received,
    errors,
    statuses,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs like Polar, with node:crypto (independent of the library): `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. */
export function signIndependently(
  body: string | Uint8Array,
  key: Uint8Array | string,
  options: { id?: string; seconds?: number } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const seconds = options.seconds ?? Math.floor(Date.now() / 1000);
  const mac = createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key)
    .update(`${id}.${seconds}.`)
    .update(body)
    .digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': `v1,${mac}` };
}

/** The standard key of a `whsec_` secret: base64-decode of what follows the prefix. */
export const standardKey = (secret: string): Buffer => Buffer.from(secret.slice('whsec_'.length), 'base64');
