/**
 * examples/better-auth as Cloudflare would run it: type-checked with its own tsconfig, bundled from
 * the `main` of its wrangler.toml with esbuild and wrangler's resolve conditions (Node built-ins left
 * to the runtime, as wrangler does under `nodejs_compat`, which Better Auth needs), then run in workerd
 * through Miniflare with the compatibility date and flags of its wrangler.toml and the secrets as
 * bindings. What the handlers did is read from the Worker's console output.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { build, type Plugin } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  SECRET,
  literal,
  loadTesting,
  prepareExample,
  runToCompletion,
  signed,
  tampered,
  type Delivery,
  type PreparedExample,
  type TestingModule,
} from './helpers';

/** The top-level `key = value` settings of wrangler.toml the test relies on. */
function readWranglerToml(file: string): { main: string; compatibilityDate: string; compatibilityFlags: string[] } {
  const top = readFileSync(file, 'utf8').split(/^\[/m)[0] ?? '';
  const value = (key: string): string | undefined => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(top)?.[1]?.trim();
  const text = (key: string): string => {
    const raw = value(key);
    if (raw === undefined || !/^".*"$/.test(raw)) throw new Error(`wrangler.toml: ${key} must be a quoted string`);
    return raw.slice(1, -1);
  };
  const flags = value('compatibility_flags');
  return {
    main: text('main'),
    compatibilityDate: text('compatibility_date'),
    compatibilityFlags: flags === undefined ? [] : (JSON.parse(flags) as string[]),
  };
}

const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/\//g, '\\/')).join('|')})(\\/.*)?$`);

/** Fails a bundle on any import of a Node built-in, as a Worker without nodejs_compat would. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: NODE_BUILTIN }, (args) => ({
      errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}` }],
    }));
  },
};

const CONDITIONS = ['workerd', 'worker', 'browser'];

let example: PreparedExample;
let config: ReturnType<typeof readWranglerToml>;
let testing: TestingModule;
let mf: Miniflare | undefined;
let logs = '';

const url = 'http://localhost/api/auth/polar/webhooks';

function worker(): Miniflare {
  if (!mf) throw new Error('the Worker did not start');
  return mf;
}

async function deliver(delivery: Delivery): Promise<{ status: number; text: string }> {
  const response = await worker().dispatchFetch(url, {
    method: 'POST',
    body: delivery.body,
    headers: delivery.headers,
  });
  return { status: response.status, text: await response.text() };
}

/** Waits until the Worker's console output matches `pattern`. */
async function waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(logs)) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the Worker's output:\n${logs}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  example = await prepareExample('better-auth');
  testing = await loadTesting(example);
  config = readWranglerToml(path.join(example.dir, 'wrangler.toml'));
  const result = await build({
    entryPoints: [path.join(example.dir, config.main)],
    absWorkingDir: example.dir,
    bundle: true,
    write: false,
    outfile: 'worker.js',
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: CONDITIONS,
    mainFields: ['browser', 'module', 'main'],
    external: ['node:*'],
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text ?? '';
  mf = new Miniflare({
    // Listed by hand: Better Auth's bundle holds dynamic imports Miniflare cannot follow by itself.
    modulesRoot: example.dir,
    modules: [{ type: 'ESModule', path: path.join(example.dir, 'worker.js'), contents: script }],
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    bindings: { POLAR_WEBHOOK_SECRET: SECRET, BETTER_AUTH_SECRET: randomBytes(32).toString('hex') },
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
      stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    },
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await example?.remove();
});

describe('examples/better-auth', () => {
  it('asks only for the Node.js compatibility Better Auth needs; polar-webhooks/better-auth needs none', async () => {
    expect(config.compatibilityFlags).toEqual(['nodejs_compat']);
    const ours = await build({
      stdin: { contents: "export * from 'polar-webhooks/better-auth';", resolveDir: example.dir },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      conditions: CONDITIONS,
      mainFields: ['browser', 'module', 'main'],
      logLevel: 'silent',
      plugins: [noNodeBuiltins],
    });
    expect(ours.outputFiles[0]?.text).toContain('polar-webhooks');
  });

  it('type-checks with its own tsconfig against the built package', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await runToCompletion(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: example.dir,
      env: process.env,
      timeoutMs: 60_000,
    });
  });

  it('serves Better Auth itself in workerd', async () => {
    const ok = await worker().dispatchFetch('http://localhost/api/auth/ok');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
  });

  it('answers 202 to a signed order.paid, and the handler logs it with the webhook id', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID(), total_amount: 3100 } });
    const delivery = signed(testing, event);
    expect(await deliver(delivery)).toEqual({ status: 202, text: '{"ok":true}' });
    await waitForLog(
      new RegExp(
        `order\\.paid ${event.data.id} \\(webhook ${literal(delivery.id)}\\) 3100 ${event.data.currency} for ${literal(String(event.data.customer.email))}$`,
        'm',
      ),
    );
  });

  it('routes customer.state_changed and subscription.revoked to their handlers', async () => {
    const state = testing.createEvent('customer.state_changed', { data: { id: randomUUID() } });
    const stateDelivery = signed(testing, state);
    expect((await deliver(stateDelivery)).status).toBe(202);
    const products = state.data.active_subscriptions.map((s) => s.product_id).join(', ');
    await waitForLog(
      new RegExp(
        `customer\\.state_changed ${state.data.id} \\(webhook ${literal(stateDelivery.id)}\\) products \\[${literal(products)}\\]`,
      ),
    );
    const revoked = testing.createEvent('subscription.revoked', { data: { id: randomUUID() } });
    const revokedDelivery = signed(testing, revoked);
    expect((await deliver(revokedDelivery)).status).toBe(202);
    await waitForLog(
      new RegExp(`subscription\\.revoked ${revoked.data.id} \\(webhook ${literal(revokedDelivery.id)}\\)`),
    );
  });

  it('answers 403 (not 400) to a tampered delivery or another secret, and no handler runs', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID() } });
    const delivery = signed(testing, event);
    const changed = await deliver(tampered(delivery));
    expect(changed.status).toBe(403);
    expect(JSON.parse(changed.text)).toMatchObject({ error: 'no_matching_signature' });
    expect((await deliver(signed(testing, event, `whsec_${randomBytes(32).toString('base64')}`))).status).toBe(403);
    // A later delivery's log line comes after anything the rejected ones would have logged.
    const marker = signed(testing, {
      type: 'order.teleported',
      timestamp: new Date().toISOString(),
      api_version: '2026-10',
      data: {},
    });
    expect((await deliver(marker)).status).toBe(202);
    await waitForLog(
      new RegExp(`unknown event type order\\.teleported \\(webhook ${literal(marker.id)}\\) acknowledged`),
    );
    expect(logs).not.toContain(event.data.id);
  });

  it('answers 405 with Allow: POST to a GET', async () => {
    const response = await worker().dispatchFetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
