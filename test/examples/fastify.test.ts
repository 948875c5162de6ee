/**
 * examples/fastify runs as its README says (`node server.mjs` with POLAR_WEBHOOK_SECRET and PORT)
 * against the built package, type-checks against the built package's types, and does what it
 * claims: fulfils `order.paid` once per webhook id, tracks access from `customer.state_changed` and
 * `subscription.revoked`, acknowledges unknown types, reports invalid payloads, and rejects
 * tampered deliveries before any handler runs, while its other routes keep Fastify's JSON parsing.
 * What ran is read from the server's log lines.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  SECRET,
  literal,
  loadTesting,
  post,
  prepareExample,
  runToCompletion,
  signed,
  startProcess,
  tampered,
  type PreparedExample,
  type RunningProcess,
  type TestingModule,
} from './helpers';

let example: PreparedExample;
let server: RunningProcess;
let testing: TestingModule;
let base = '';

const serverEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', ...extra };
  if (extra.POLAR_WEBHOOK_SECRET === undefined) delete env.POLAR_WEBHOOK_SECRET;
  return env;
};

beforeAll(async () => {
  example = await prepareExample('fastify');
  testing = await loadTesting(example);
  server = startProcess(process.execPath, ['server.mjs'], {
    cwd: example.dir,
    env: serverEnv({ POLAR_WEBHOOK_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1' }),
  });
  const [, port] = await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)/);
  base = `http://127.0.0.1:${port}`;
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

describe('examples/fastify', () => {
  it('type-checks against the built package (// @ts-check with the real Fastify and polar-webhooks types)', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--allowJs', '--checkJs', '--strict', '--skipLibCheck', '--target', 'es2022'];
    const args = [
      tsc,
      ...flags,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--types',
      'node',
      'server.mjs',
    ];
    await runToCompletion(process.execPath, args, { cwd: example.dir, env: process.env, timeoutMs: 60_000 });
  });

  it('fulfils a signed order.paid (202) and skips the retry of the same webhook id', async () => {
    const event = testing.createEvent('order.paid', { data: { id: randomUUID(), total_amount: 4900 } });
    const delivery = signed(testing, event);
    const answer = await post(`${base}/webhooks/polar`, delivery);
    expect(answer).toEqual({ status: 202, text: '{"ok":true}' });
    const line = `order.paid ${event.data.id} (webhook ${delivery.id})`;
    await server.waitFor(
      new RegExp(
        `${literal(line)} fulfilled: 4900 ${event.data.currency} from ${literal(String(event.data.customer.email))}`,
      ),
    );

    const retry = await post(`${base}/webhooks/polar`, delivery);
    expect(retry.status).toBe(202);
    await server.waitFor(new RegExp(`${literal(line)} already fulfilled, skipped`));
    expect(server.output().split(`${line} fulfilled`)).toHaveLength(2); // fulfilled exactly once
  });

  it('grants access from customer.state_changed and takes it away on subscription.revoked', async () => {
    const customerId = randomUUID();
    const state = testing.createEvent('customer.state_changed', { data: { id: customerId } });
    const products = state.data.active_subscriptions.map((s) => s.product_id);
    expect(products.length).toBeGreaterThan(0);
    const stateDelivery = signed(testing, state);
    expect((await post(`${base}/webhooks/polar`, stateDelivery)).status).toBe(202);
    await server.waitFor(
      new RegExp(
        `customer\\.state_changed ${customerId} \\(webhook ${literal(stateDelivery.id)}\\) ${products.length} active subscription\\(s\\), ` +
          `${state.data.granted_benefits.length} benefit\\(s\\)`,
      ),
    );
    const granted = await fetch(`${base}/customers/${customerId}/access`);
    expect(await granted.json()).toEqual({ customer: customerId, products: [...new Set(products)] });

    const revoked = testing.createEvent('subscription.revoked', {
      data: { customer_id: customerId, product_id: products[0] },
    });
    const revokedDelivery = signed(testing, revoked);
    expect((await post(`${base}/webhooks/polar`, revokedDelivery)).status).toBe(202);
    await server.waitFor(
      new RegExp(
        `subscription\\.revoked ${revoked.data.id} \\(webhook ${literal(revokedDelivery.id)}\\) customer ${customerId}`,
      ),
    );
    const after = (await (await fetch(`${base}/customers/${customerId}/access`)).json()) as { products: string[] };
    expect(after.products).not.toContain(products[0]);
  });

  it('acknowledges an event type it does not know (onUnknown logs it)', async () => {
    const delivery = signed(testing, {
      type: 'order.teleported',
      timestamp: '2026-10-01T12:00:00Z',
      api_version: '2026-10',
      data: { id: 'x' },
    });
    expect((await post(`${base}/webhooks/polar`, delivery)).status).toBe(202);
    await server.waitFor(
      new RegExp(`unknown event type order\\.teleported \\(webhook ${literal(delivery.id)}\\) acknowledged`),
    );
  });

  it('acknowledges a signed payload that breaks its schema, and onError logs it', async () => {
    const event = JSON.parse(JSON.stringify(testing.createEvent('order.paid'))) as { data: Record<string, unknown> };
    event.data.total_amount = 'lots';
    const delivery = signed(testing, event);
    expect((await post(`${base}/webhooks/polar`, delivery)).status).toBe(202);
    await server.waitFor(new RegExp(`webhook ${literal(delivery.id)} \\(order\\.paid\\) failed:`));
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

  it('keeps JSON parsing on its other routes', async () => {
    const response = await fetch(`${base}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'c1', text: 'called about the invoice' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ saved: { customer: 'c1', text: 'called about the invoice' }, count: 1 });
  });

  it('refuses to start without POLAR_WEBHOOK_SECRET, saying what to set', async () => {
    const bare = startProcess(process.execPath, ['server.mjs'], {
      cwd: example.dir,
      env: serverEnv({ PORT: '0', HOST: '127.0.0.1' }),
    });
    expect(await bare.exited()).toBe(1);
    expect(bare.output()).toContain('Set POLAR_WEBHOOK_SECRET');
  });
});
