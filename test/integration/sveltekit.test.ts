/**
 * The SvelteKit handler (`polar-webhooks/sveltekit`, built) in a real SvelteKit 2 app, served by
 * Vite's dev server on 127.0.0.1: `+server.js` routes, a `handle` hook that reads the body first, and
 * `@polar-sh/sveltekit`'s documented `Webhooks()` usage with only the import changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestHandler } from '@sveltejs/kit';
import { createSvelteKitHandler, Webhooks } from '../../src/adapters/sveltekit';
import { SECRET, deliveryScenarios, orderPaid, post, recordingWebhooks, sign, type Call } from './helpers';
import { documentedUsageScenarios, provideRouters, startViteApp, type RunningViteApp } from './vite-apps';

// The handlers fit SvelteKit's own type for `export const POST`.
const typed: RequestHandler[] = [createSvelteKitHandler(recordingWebhooks([])), Webhooks({ webhookSecret: SECRET })];
void typed;

const calls: Call[] = [];
let app: RunningViteApp | undefined;

function url(route: string): string {
  if (!app) throw new Error('the SvelteKit app did not start');
  return `${app.url}${route}`;
}

beforeAll(async () => {
  provideRouters({ hook: recordingWebhooks(calls) });
  process.env.POLAR_WEBHOOK_SECRET = SECRET;
  const started = Date.now();
  app = await startViteApp('sveltekit-app', 'sveltekit');
  // The first request compiles the route: keep that out of the timed scenarios.
  await fetch(url('/hook'), { method: 'GET' });
  console.info(`SvelteKit dev server ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await app?.close();
});

describe('SvelteKit +server.js route (Vite dev server)', () => {
  // SvelteKit's Node request bridge (getRequest, in dev and in adapter-node) destroys the connection when
  // the body stream is cancelled, and never drains a body left unread after the answer: how a refused
  // body's connection ends is SvelteKit's, out of the handler's reach.
  deliveryScenarios(() => ({ url: url('/hook'), calls: () => calls, reset: () => (calls.length = 0) }), {
    serverOwnsConnection: true,
    endlessBody: false,
  });

  it('answers 500 body_already_parsed, saying how to fix the hook, when a handle hook read the body', async () => {
    calls.length = 0;
    const answer = await post(url('/hook-after-hook'), sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('src/hooks.server.ts');
    expect(answer.json.message).toContain('event.request.clone()');
    expect(calls).toEqual([]);
  });
});

describe("@polar-sh/sveltekit's documented Webhooks() usage, import changed", () => {
  documentedUsageScenarios(() => url('/compat'));
});
