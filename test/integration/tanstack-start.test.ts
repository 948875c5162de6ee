/**
 * The TanStack Start handler (`polar-webhooks/tanstack-start`, built) in a real TanStack Start app
 * (1.131, the newest that runs on Node 20), served by Vite's dev server with TanStack Start's own plugin
 * on 127.0.0.1: server routes, one behind a request middleware that reads the body first, and
 * `@polar-sh/tanstack-start`'s documented `Webhooks()` usage with only the import changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, deliveryScenarios, orderPaid, post, recordingWebhooks, sign, type Call } from './helpers';
import { documentedUsageScenarios, provideRouters, startViteApp, type RunningViteApp } from './vite-apps';

const calls: Call[] = [];
let app: RunningViteApp | undefined;

function url(route: string): string {
  if (!app) throw new Error('the TanStack Start app did not start');
  return `${app.url}${route}`;
}

beforeAll(async () => {
  provideRouters({ hook: recordingWebhooks(calls) });
  process.env.POLAR_WEBHOOK_SECRET = SECRET;
  const started = Date.now();
  app = await startViteApp('tanstack-start-app', 'tanstack-start');
  // The first request compiles the route: keep that out of the timed scenarios.
  await fetch(url('/api/hook'), { method: 'GET' });
  console.info(`TanStack Start dev server ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await app?.close();
});

describe('TanStack Start server route (Vite dev server)', () => {
  // TanStack Start hands the route h3's Fetch view of the Node request, whose stream throws (an uncaught
  // error in the server) when a chunk arrives after the stream was cancelled: under a sender that never
  // stops, the server's own bridge breaks, whatever the handler does.
  deliveryScenarios(() => ({ url: url('/api/hook'), calls: () => calls, reset: () => (calls.length = 0) }), {
    endlessBody: false,
  });

  it('answers 500 body_already_parsed, saying how to fix the middleware, when a middleware read the body', async () => {
    calls.length = 0;
    const answer = await post(url('/api/hook-after-middleware'), sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('request.clone()');
    expect(calls).toEqual([]);
  });
});

describe("@polar-sh/tanstack-start's documented Webhooks() usage, import changed", () => {
  documentedUsageScenarios(() => url('/api/compat'));
});
