/**
 * The React Router action (`polar-webhooks/react-router`, built) in a real React Router 7 app in
 * framework mode, served by Vite's dev server with React Router's own plugin on 127.0.0.1: a resource
 * route, a route whose middleware reads a copy of the body first, and `@polar-sh/remix`'s documented
 * `Webhooks()` usage with only the import changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionFunction, LoaderFunction } from 'react-router';
import { createReactRouterAction, Webhooks } from '../../src/adapters/react-router';
import { SECRET, deliveryScenarios, post, recordingWebhooks, sign, trapBody, type Call } from './helpers';
import { documentedUsageScenarios, provideRouters, startViteApp, type RunningViteApp } from './vite-apps';

// The actions fit React Router's own types for `export const action` (and `loader`).
const typed: (ActionFunction & LoaderFunction)[] = [
  createReactRouterAction(recordingWebhooks([])),
  Webhooks({ webhookSecret: SECRET }),
];
void typed;

const calls: Call[] = [];
let app: RunningViteApp | undefined;

function url(route: string): string {
  if (!app) throw new Error('the React Router app did not start');
  return `${app.url}${route}`;
}

beforeAll(async () => {
  provideRouters({ hook: recordingWebhooks(calls) });
  process.env.POLAR_WEBHOOK_SECRET = SECRET;
  const started = Date.now();
  app = await startViteApp('react-router-app', 'react-router');
  // The first request compiles the route: keep that out of the timed scenarios.
  await fetch(url('/hook'), { method: 'GET' });
  console.info(`React Router dev server ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await app?.close();
});

describe('React Router resource route action (Vite dev server)', () => {
  // React Router's dev server bridges the Node request into a stream that throws (an uncaught error in
  // the server) when a chunk arrives after the stream was cancelled: under a sender that never stops, the
  // dev server itself breaks, whatever the handler does. `react-router-serve` streams through its own bridge.
  deliveryScenarios(() => ({ url: url('/hook'), calls: () => calls, reset: () => (calls.length = 0) }), {
    endlessBody: false,
  });

  it('verifies the raw bytes when a middleware read a copy of the body first, as the fix says', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(url('/hook-after-middleware'), delivery)).status).toBe(202);
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });
});

describe("@polar-sh/remix's documented Webhooks() usage, import changed", () => {
  documentedUsageScenarios(() => url('/compat'));
});
