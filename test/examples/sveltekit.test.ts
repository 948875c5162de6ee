/**
 * examples/sveltekit as its README says: type-checked (`svelte-kit sync` + tsc) against the built
 * package, built with `vite build` (adapter-node) without the secret, then served with `node build`
 * and POLAR_WEBHOOK_SECRET. It does what it claims: fulfils `order.paid` once per webhook id, tracks
 * access from `customer.state_changed` and `subscription.revoked`, acknowledges unknown types, and
 * rejects tampered deliveries before any handler runs. What ran is read from the server's log lines.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  SECRET,
  freePort,
  literal,
  loadTesting,
  post,
  prepareExample,
  runToCompletion,
  signed,
  startProcess,
  tampered,
  waitUntilServing,
  type PreparedExample,
  type RunningProcess,
  type TestingModule,
} from './helpers';

let example: PreparedExample;
let server: RunningProcess;
let testing: TestingModule;
let base = '';

/** The environment without POLAR_WEBHOOK_SECRET, as a build machine has it. */
function withoutSecret(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.POLAR_WEBHOOK_SECRET;
  return env;
}

beforeAll(async () => {
  example = await prepareExample('sveltekit');
  testing = await loadTesting(example);
  const started = Date.now();
  const vite = path.join(example.dir, 'node_modules', 'vite', 'bin', 'vite.js');
  await runToCompletion(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: example.dir,
    env: withoutSecret(),
    timeoutMs: 120_000,
  });
  console.info(`vite build of examples/sveltekit took ${Date.now() - started} ms`);
  const port = await freePort();
  server = startProcess(process.execPath, ['build'], {
    cwd: example.dir,
    env: { ...withoutSecret(), POLAR_WEBHOOK_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1' },
  });
  base = `http://127.0.0.1:${port}`;
  await server.waitFor(/Listening on/);
  await waitUntilServing(`${base}/`, Date.now() + 20_000, () => server.output());
});

afterAll(async () => {
  await server?.stop();
  await example?.remove();
});

/** Sends a valid delivery and waits for its log line, so that everything logged before it is in. */
async function flushLog(): Promise<void> {
  const marker = signed(testing, {
    type: 'order.teleported',
    timestamp: new Date().toISOString(),
    api_version: '2026-10',
    data: {},
  });
  expect((await post(`${base}/webhooks/polar`, marker)).status).toBe(202);
  await server.waitFor(new RegExp(`unknown event type order\\.teleported \\(webhook ${literal(marker.id)}\\)`));
}

describe('examples/sveltekit', () => {
  it('type-checks against the built package (svelte-kit sync, then tsc with its tsconfig)', async () => {
    const kit = path.join(example.dir, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js');
    await runToCompletion(process.execPath, [kit, 'sync'], { cwd: example.dir, env: process.env, timeoutMs: 60_000 });
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await runToCompletion(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: example.dir,
      env: process.env,
      timeoutMs: 60_000,
    });
  });

  it('serves its home route', async () => {
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toBe('Polar webhooks: POST /webhooks/polar');
  });

  it('fulfils a signed order.paid (202) and skips the retry of the same webhook id', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID(), total_amount: 2500 } });
    const delivery = signed(testing, event);
    expect(await post(`${base}/webhooks/polar`, delivery)).toEqual({ status: 202, text: '{"ok":true}' });
    const line = `order.paid ${event.data.id} (webhook ${delivery.id})`;
    await server.waitFor(
      new RegExp(
        `${literal(line)} fulfilled: 2500 ${event.data.currency} from ${literal(String(event.data.customer.email))}`,
      ),
    );
    expect((await post(`${base}/webhooks/polar`, delivery)).status).toBe(202);
    await server.waitFor(new RegExp(`${literal(line)} already fulfilled, skipped`));
    expect(server.output().split(`${line} fulfilled`)).toHaveLength(2);
  });

  it('grants access from customer.state_changed and takes it away on subscription.revoked', async () => {
    const customerId = randomUUID();
    const state = testing.createEvent('customer.state_changed', { data: { id: customerId } });
    const products = [...new Set(state.data.active_subscriptions.map((s) => s.product_id))];
    expect(products.length).toBeGreaterThan(0);
    const stateDelivery = signed(testing, state);
    expect((await post(`${base}/webhooks/polar`, stateDelivery)).status).toBe(202);
    await server.waitFor(
      new RegExp(`customer\\.state_changed ${customerId} \\(webhook ${literal(stateDelivery.id)}\\)`),
    );
    expect(await (await fetch(`${base}/customers/${customerId}/access`)).json()).toEqual({
      customer: customerId,
      products,
    });

    const revoked = testing.createEvent('subscription.revoked', {
      data: { customer_id: customerId, product_id: products[0] },
    });
    const revokedDelivery = signed(testing, revoked);
    expect((await post(`${base}/webhooks/polar`, revokedDelivery)).status).toBe(202);
    await server.waitFor(
      new RegExp(`subscription\\.revoked ${revoked.data.id} \\(webhook ${literal(revokedDelivery.id)}\\)`),
    );
    const after = (await (await fetch(`${base}/customers/${customerId}/access`)).json()) as { products: string[] };
    expect(after.products).not.toContain(products[0]);
  });

  it('rejects a tampered body or a foreign signature with 403, and no handler runs', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID() } });
    const delivery = signed(testing, event);
    const changed = await post(`${base}/webhooks/polar`, tampered(delivery));
    expect(changed.status).toBe(403);
    expect(JSON.parse(changed.text)).toMatchObject({ error: 'no_matching_signature' });
    const foreign = signed(testing, event, `whsec_${randomBytes(32).toString('base64')}`);
    expect((await post(`${base}/webhooks/polar`, foreign)).status).toBe(403);
    await flushLog();
    expect(server.output()).not.toContain(event.data.id);
  });
});
