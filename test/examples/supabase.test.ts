/**
 * examples/supabase, the Supabase Edge Function, runs on Deno against the built package (its
 * `npm:polar-webhooks` imports resolved from a node_modules holding a copy of it, offline),
 * type-checks with `deno check`, and does what it claims: fulfils `order.paid` once per webhook id,
 * acknowledges unknown types, reports invalid payloads, rejects tampered deliveries before any handler
 * runs. The `@polar-sh/supabase` drop-in runs that package's documented usage with only the import
 * changed, and the handler hands background work to `EdgeRuntime.waitUntil` where there is one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseHandler } from '../../src/adapters/supabase';
import { createWebhooks } from '../../src/router/create-webhooks';
import { createSignedRequest } from '../../src/testing/index';
import { BIN } from '../runtimes/harness';
import {
  DIST,
  ROOT,
  SECRET,
  literal,
  loadTesting,
  post,
  runToCompletion,
  signed,
  startProcess,
  tampered,
  type PreparedExample,
  type RunningProcess,
  type TestingModule,
} from './helpers';

const deno = path.join(BIN, 'deno');
const FUNCTION = path.join('functions', 'polar-webhooks', 'index.ts');

/** The documented usage of `@polar-sh/supabase`, with only the import changed. */
const DROP_IN = `import { Webhooks } from "npm:polar-webhooks/supabase";

const handler = Webhooks({
  webhookSecret: Deno.env.get("POLAR_WEBHOOK_SECRET")!,
  onPayload: async (payload) => {
    console.log(\`drop-in got \${payload.type}\`);
  },
});

Deno.serve(handler);
`;

/**
 * Copies examples/supabase to a temporary project whose node_modules holds the built package (a
 * copy) and zod (a link), with a package.json so that Deno resolves `npm:` specifiers from there.
 */
async function prepareSupabase(): Promise<PreparedExample> {
  if (!existsSync(path.join(DIST, 'supabase.js'))) {
    throw new Error(`${path.join(DIST, 'supabase.js')} is missing: run \`npm run build\` first.`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'polar-webhooks-example-supabase-'));
  await cp(path.join(ROOT, 'examples', 'supabase'), dir, { recursive: true });
  const own = path.join(dir, 'node_modules', 'polar-webhooks');
  await mkdir(own, { recursive: true });
  await cp(path.join(ROOT, 'package.json'), path.join(own, 'package.json'));
  await cp(DIST, path.join(own, 'dist'), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules', 'zod'), path.join(dir, 'node_modules', 'zod'), 'dir');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  await writeFile(path.join(dir, 'drop-in.ts'), DROP_IN);
  return { dir, packageJson: {}, remove: () => rm(dir, { recursive: true, force: true }) };
}

let example: PreparedExample;
let testing: TestingModule;

function denoEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DENO_DIR: path.join(example.dir, '.deno'),
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
    // Deno.serve() listens where this says: a free port on loopback, for the test.
    DENO_SERVE_ADDRESS: 'tcp:127.0.0.1:0',
    ...extra,
  };
  if (extra.POLAR_WEBHOOK_SECRET === undefined) delete env.POLAR_WEBHOOK_SECRET;
  return env;
}

/** Runs a Deno script of the project offline, with only what an Edge Function needs. */
function startDeno(script: string, env: NodeJS.ProcessEnv): RunningProcess {
  const args = [
    'run',
    '--no-remote',
    '--cached-only',
    '--no-prompt',
    '--allow-env',
    '--allow-net=127.0.0.1',
    `--allow-read=${example.dir},${path.join(ROOT, 'node_modules')}`,
    script,
  ];
  return startProcess(deno, args, { cwd: example.dir, env: denoEnv(env) });
}

async function serving(process: RunningProcess): Promise<string> {
  const [, port] = await process.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  example = await prepareSupabase();
  testing = await loadTesting(example);
});

afterAll(async () => {
  await example?.remove();
});

describe('examples/supabase on Deno', () => {
  let fn: RunningProcess;
  let base = '';

  beforeAll(async () => {
    fn = startDeno(FUNCTION, { POLAR_WEBHOOK_SECRET: SECRET });
    base = await serving(fn);
  });
  afterAll(() => fn?.stop());

  it('turns the JWT check off for the function, as Polar sends no Supabase JWT', () => {
    const config = readFileSync(path.join(example.dir, 'config.toml'), 'utf8');
    expect(config).toMatch(/\[functions\.polar-webhooks\][^[]*\n\s*verify_jwt\s*=\s*false/);
  });

  it('type-checks with deno check against the built package’s types', async () => {
    await runToCompletion(deno, ['check', '--no-remote', FUNCTION, 'drop-in.ts'], {
      cwd: example.dir,
      env: denoEnv({}),
      timeoutMs: 60_000,
    });
  });

  it('fulfils a signed order.paid (202) and skips the retry of the same webhook id', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID(), total_amount: 4900 } });
    const delivery = signed(testing, event);
    expect(await post(base, delivery)).toEqual({ status: 202, text: '{"ok":true}' });
    const line = `order.paid ${event.data.id} (webhook ${delivery.id})`;
    await fn.waitFor(new RegExp(`${literal(line)} fulfilled: 4900 ${event.data.currency}`));
    expect((await post(base, delivery)).status).toBe(202);
    await fn.waitFor(new RegExp(`${literal(line)} already fulfilled, skipped`));
    expect(fn.output().split(`${line} fulfilled`)).toHaveLength(2);
  });

  it('acknowledges an unknown event type (onUnknown) and a payload that breaks its schema (onError)', async () => {
    const unknown = signed(testing, { type: 'order.teleported', timestamp: new Date().toISOString(), data: {} });
    expect((await post(base, unknown)).status).toBe(202);
    await fn.waitFor(
      new RegExp(`unknown event type order\\.teleported \\(webhook ${literal(unknown.id)}\\) acknowledged`),
    );
    const event = JSON.parse(JSON.stringify(testing.createEvent('order.paid'))) as { data: Record<string, unknown> };
    event.data.total_amount = 'lots';
    const invalid = signed(testing, event);
    expect((await post(base, invalid)).status).toBe(202);
    await fn.waitFor(new RegExp(`webhook ${literal(invalid.id)} \\(order\\.paid\\) failed:`));
  });

  it('rejects a tampered delivery with 403 and other methods with 405, and no handler runs', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID() } });
    const changed = await post(base, tampered(signed(testing, event)));
    expect(changed.status).toBe(403);
    expect(JSON.parse(changed.text)).toMatchObject({ error: 'no_matching_signature' });
    const get = await fetch(base);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const marker = signed(testing, { type: 'order.teleported', timestamp: new Date().toISOString(), data: {} });
    expect((await post(base, marker)).status).toBe(202);
    await fn.waitFor(new RegExp(`\\(webhook ${literal(marker.id)}\\) acknowledged`));
    expect(fn.output()).not.toContain(event.data.id);
  });

  it('refuses to start without POLAR_WEBHOOK_SECRET, saying what to set', async () => {
    const bare = startDeno(FUNCTION, {});
    expect(await bare.exited()).not.toBe(0);
    expect(bare.output()).toContain('supabase secrets set POLAR_WEBHOOK_SECRET');
  });
});

describe('the @polar-sh/supabase drop-in', () => {
  it('runs the package’s documented usage on Deno with only the import changed', async () => {
    const fn = startDeno('drop-in.ts', { POLAR_WEBHOOK_SECRET: SECRET });
    try {
      const base = await serving(fn);
      const delivery = signed(testing, testing.createEvent('subscription.revoked'));
      expect((await post(base, delivery)).status).toBe(202);
      await fn.waitFor(/drop-in got subscription\.revoked/);
      expect((await post(base, tampered(signed(testing, testing.createEvent('order.paid'))))).status).toBe(403);
      expect(fn.output()).not.toContain('drop-in got order.paid');
    } finally {
      await fn.stop();
    }
  });

  it('keeps work after the answer alive with EdgeRuntime.waitUntil, on Supabase’s Edge Runtime', async () => {
    const kept: Promise<unknown>[] = [];
    const runtime = globalThis as { EdgeRuntime?: unknown };
    runtime.EdgeRuntime = { waitUntil: (work: Promise<unknown>) => void kept.push(work) };
    try {
      const seen: string[] = [];
      const webhooks = createWebhooks({ secret: SECRET, respond: 'after-verify' });
      webhooks.on('order.paid', async (_event, { id }) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push(id);
      });
      const event = testing.createEvent('order.paid');
      const response = await createSupabaseHandler(webhooks)(createSignedRequest({ event, secret: SECRET }));
      expect(response.status).toBe(202);
      expect(seen).toEqual([]);
      expect(kept).toHaveLength(1);
      await Promise.all(kept);
      expect(seen).toHaveLength(1);
    } finally {
      delete runtime.EdgeRuntime;
    }
  });
});
