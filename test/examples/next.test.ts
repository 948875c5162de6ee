/**
 * examples/next as its README says: `next build` (which also type-checks the app against the
 * built package's types) without the secret, then `next start` with POLAR_WEBHOOK_SECRET, on
 * 127.0.0.1. Both routes it shows, the App Router route and the Pages Router variant, answer
 * signed deliveries with 202 and run the handlers of lib/webhooks.ts, whose log lines the test
 * reads from the server's output; tampered deliveries get 403 and run nothing.
 *
 * `next build` is the slow part (tens of seconds), so it runs once for the whole file.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
let server: RunningProcess | undefined;
let testing: TestingModule;
let buildOutput = '';
let base = '';

function nextEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...extra };
  if (extra.POLAR_WEBHOOK_SECRET === undefined) delete env.POLAR_WEBHOOK_SECRET;
  return env;
}

beforeAll(async () => {
  example = await prepareExample('next');
  testing = await loadTesting(example);
  const next = path.join(example.dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  buildOutput = await runToCompletion(process.execPath, [next, 'build'], {
    cwd: example.dir,
    env: nextEnv(),
    timeoutMs: 170_000,
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = startProcess(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: example.dir,
    env: nextEnv({ POLAR_WEBHOOK_SECRET: SECRET }),
  });
  const running = server;
  await waitUntilServing(`${base}/api/polar-pages`, Date.now() + 60_000, () => running.output());
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await example?.remove();
});

function started(): RunningProcess {
  if (!server) throw new Error('next start is not running');
  return server;
}

describe('examples/next', () => {
  it('builds without the secret, type-checking the routes against the built package', () => {
    expect(buildOutput).toMatch(/Linting and checking validity of types|Checking validity of types/);
    expect(buildOutput).toContain('/api/webhooks/polar');
    expect(buildOutput).toContain('/api/polar-pages');
  });

  for (const [name, route] of [
    ['App Router route', '/api/webhooks/polar'],
    ['Pages Router route (bodyParser: false)', '/api/polar-pages'],
  ] as const) {
    describe(name, () => {
      it('answers 202 to a signed order.paid, and the handler logs it', async () => {
        const event = testing.createEvent('order.paid', { data: { id: randomUUID(), total_amount: 2500 } });
        const delivery = signed(testing, event);
        expect(await post(`${base}${route}`, delivery)).toEqual({ status: 202, text: '{"ok":true}' });
        await started().waitFor(
          new RegExp(
            `order\\.paid ${event.data.id} \\(webhook ${literal(delivery.id)}\\) 2500 ${event.data.currency} from ${literal(String(event.data.customer.email))}`,
          ),
        );
      });

      it('routes customer.state_changed and subscription.revoked, and acknowledges unknown types', async () => {
        const state = testing.createEvent('customer.state_changed', { data: { id: randomUUID() } });
        const stateDelivery = signed(testing, state);
        expect((await post(`${base}${route}`, stateDelivery)).status).toBe(202);
        const products = state.data.active_subscriptions.map((s) => s.product_id).join(', ');
        await started().waitFor(
          new RegExp(
            `customer\\.state_changed ${state.data.id} \\(webhook ${literal(stateDelivery.id)}\\) products \\[${literal(products)}\\]`,
          ),
        );

        const revoked = testing.createEvent('subscription.revoked', { data: { id: randomUUID() } });
        const revokedDelivery = signed(testing, revoked);
        expect((await post(`${base}${route}`, revokedDelivery)).status).toBe(202);
        await started().waitFor(
          new RegExp(`subscription\\.revoked ${revoked.data.id} \\(webhook ${literal(revokedDelivery.id)}\\)`),
        );

        const unknown = signed(testing, {
          type: 'order.teleported',
          timestamp: '2026-10-01T12:00:00Z',
          api_version: '2026-10',
          data: {},
        });
        expect((await post(`${base}${route}`, unknown)).status).toBe(202);
        await started().waitFor(
          new RegExp(`unknown event type order\\.teleported \\(webhook ${literal(unknown.id)}\\) acknowledged`),
        );
      });

      it('answers 403 to a tampered delivery, and no handler runs', async () => {
        const event = testing.createEvent('order.paid', { data: { id: randomUUID() } });
        const delivery = signed(testing, event);
        const changed = await post(`${base}${route}`, tampered(delivery));
        expect(changed.status).toBe(403);
        expect(JSON.parse(changed.text)).toMatchObject({ error: 'no_matching_signature' });
        // A later delivery's log line comes after anything the rejected one would have logged.
        const marker = signed(testing, {
          type: 'order.teleported',
          timestamp: new Date().toISOString(),
          api_version: '2026-10',
          data: {},
        });
        expect((await post(`${base}${route}`, marker)).status).toBe(202);
        await started().waitFor(
          new RegExp(`unknown event type order\\.teleported \\(webhook ${literal(marker.id)}\\)`),
        );
        expect(started().output()).not.toContain(event.data.id);
      });
    });
  }
});
