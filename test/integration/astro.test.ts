/**
 * The Astro handler (`polar-webhooks/astro`, built) in a real Astro 5 app, served by Astro's own dev
 * server (`dev()` from the astro package) on 127.0.0.1: on-demand endpoints, middleware that reads the
 * body first, and `@polar-sh/astro`'s documented `Webhooks()` usage (secret from `astro:env/server`)
 * with only the import changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRoute } from 'astro';
import { createAstroHandler, Webhooks } from '../../src/adapters/astro';
import { SECRET, deliveryScenarios, freePort, orderPaid, post, recordingWebhooks, sign, type Call } from './helpers';
import { copyTestApp, documentedUsageScenarios, provideRouters, type TestAppCopy } from './vite-apps';

// The handlers fit Astro's own type for `export const POST`.
const typed: APIRoute[] = [createAstroHandler(recordingWebhooks([])), Webhooks({ webhookSecret: SECRET })];
void typed;

const calls: Call[] = [];
let app: TestAppCopy | undefined;
let server: { stop(): Promise<void> } | undefined;
let base = '';

beforeAll(async () => {
  provideRouters({ hook: recordingWebhooks(calls) });
  process.env.POLAR_WEBHOOK_SECRET = SECRET;
  const started = Date.now();
  app = await copyTestApp('astro-app', 'astro');
  const { dev } = await import('astro');
  const port = await freePort();
  server = await dev({
    root: app.dir,
    logLevel: 'error',
    telemetry: false,
    server: { host: '127.0.0.1', port },
    devToolbar: { enabled: false },
    // Vite's cache would go to node_modules/.vite, the repository's own through the link.
    vite: { cacheDir: `${app.dir}/.vite`, optimizeDeps: { noDiscovery: true, include: [] }, server: { watch: null } },
  } as Parameters<typeof dev>[0]);
  base = `http://127.0.0.1:${port}`;
  await fetch(`${base}/hook`, { method: 'GET' });
  console.info(`Astro dev server ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await server?.stop();
  await app?.remove();
});

describe('Astro endpoint, rendered on demand (astro dev)', () => {
  // `astro dev` reads a request's whole body before any route runs (the production Node adapter streams
  // it), so only complete oversized bodies can be tried here.
  deliveryScenarios(() => ({ url: `${base}/hook`, calls: () => calls, reset: () => (calls.length = 0) }), {
    streamsBody: false,
  });

  it('answers 500 body_already_parsed, saying how to fix the middleware, when middleware read the body', async () => {
    calls.length = 0;
    const answer = await post(`${base}/hook-after-middleware`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain('src/middleware.ts');
    expect(calls).toEqual([]);
  });
});

describe("@polar-sh/astro's documented Webhooks() usage, import changed", () => {
  documentedUsageScenarios(() => `${base}/compat`);
});
