/**
 * Shared by the tests of the frameworks that run on Vite (SvelteKit, React Router, TanStack Start, and
 * Astro, which brings its own dev server): copy a test app to a temporary directory whose node_modules
 * links to the repository's, and serve it with Vite's dev server (the framework's own plugin and
 * request pipeline) on 127.0.0.1. A production build takes minutes; the dev server takes a request
 * through the same framework code. Also the scenarios of an official adapter's documented usage.
 *
 * The app's route modules import `polar-webhooks/<entry>`, which the app's config aliases to a copy of
 * the BUILT files in dist/ (run `npm run build` first; POLAR_WEBHOOKS_DIST points at another build),
 * named by POLAR_WEBHOOKS_DIST in the app's environment. They run in this process, so the test hands
 * them its router through {@link TEST_ROUTERS}.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { WebhookRouter } from '../../src/router/types';
import { freePort, orderPaid, post, sign } from './helpers';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The built package the test apps import. */
export const DIST = process.env.POLAR_WEBHOOKS_DIST ?? path.join(root, 'dist');

/** Where a test app's route modules find the routers the test made: `globalThis[TEST_ROUTERS][name]`. */
export const TEST_ROUTERS = '__polarWebhooksTestRouters';

/** Hands routers to the test app's route modules, by name. */
export function provideRouters(routers: Record<string, WebhookRouter>): void {
  (globalThis as Record<string, unknown>)[TEST_ROUTERS] = routers;
}

/** A test app served by Vite's dev server. */
export interface RunningViteApp {
  /** The base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The temporary copy of the app. */
  readonly dir: string;
  /** Stops the server and deletes the copy. */
  close(): Promise<void>;
}

/** A temporary copy of a test app. */
export interface TestAppCopy {
  /** The copy's directory. */
  readonly dir: string;
  /** Deletes the copy. */
  remove(): Promise<void>;
}

/**
 * Copies `test/integration/<name>` to a temporary directory, with node_modules linked to the
 * repository's and a copy of dist/ named by POLAR_WEBHOOKS_DIST. Fails when dist/ lacks `entry`.
 */
export async function copyTestApp(name: string, entry: string): Promise<TestAppCopy> {
  if (!existsSync(path.join(DIST, `${entry}.js`))) {
    throw new Error(`${path.join(DIST, `${entry}.js`)} is missing: run \`npm run build\` before this test.`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `polar-webhooks-${name}-`));
  await cp(fileURLToPath(new URL(`./${name}`, import.meta.url)), dir, { recursive: true });
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // A copy, not a link: a rebuild of dist/ while the app runs must not pull files from under it.
  const dist = path.join(dir, 'polar-webhooks-dist');
  await cp(DIST, dist, { recursive: true });
  process.env.POLAR_WEBHOOKS_DIST = dist;
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Copies `test/integration/<name>` (see {@link copyTestApp}) and serves it with Vite's dev server,
 * configured by its own vite.config.js.
 */
export async function startViteApp(name: string, entry: string): Promise<RunningViteApp> {
  const { dir, remove } = await copyTestApp(name, entry);
  const { createServer } = await import('vite');
  const port = await freePort();
  // SvelteKit reads svelte.config.js from the working directory, not from Vite's root. Test files
  // run in worker processes of their own, so this changes nothing for other tests.
  const cwd = process.cwd();
  process.chdir(dir);
  const leave = async (): Promise<void> => {
    process.chdir(cwd);
    await remove();
  };
  const server = await createServer({
    root: dir,
    configFile: path.join(dir, 'vite.config.js'),
    logLevel: 'error',
    clearScreen: false,
    // Vite's cache would go to node_modules/.vite, the repository's own through the link.
    cacheDir: path.join(dir, '.vite'),
    // Nothing is served to a browser: no client dependencies to discover and pre-bundle.
    optimizeDeps: { noDiscovery: true, include: [] },
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
  }).catch(async (error: unknown) => {
    await leave();
    throw error;
  });
  const close = async (): Promise<void> => {
    await server.close();
    await leave();
  };
  try {
    await server.listen();
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, dir, close };
}

/** What a test app's `Webhooks()` route records, in `globalThis[COMPAT_CALLS]`. */
export interface CompatCall {
  readonly handler: string;
  readonly type: string;
  readonly id?: string;
}

/** Where a test app's `Webhooks()` route records its handlers' calls. */
export const COMPAT_CALLS = '__polarWebhooksTestCompatCalls';

/**
 * The `it` blocks for a test app's route that runs an official adapter's documented `Webhooks()`
 * usage with only the import changed (its `onPayload` and `onOrderPaid` push to {@link COMPAT_CALLS}).
 */
export function documentedUsageScenarios(url: () => string): void {
  const calls: CompatCall[] = [];
  (globalThis as Record<string, unknown>)[COMPAT_CALLS] = calls;

  it('answers 202 and calls onPayload and onOrderPaid with the typed payload', async () => {
    calls.length = 0;
    const event = orderPaid();
    const answer = await post(url(), sign(JSON.stringify(event)));
    expect(answer.status).toBe(202);
    const id = (event.data as { id: string }).id;
    expect(calls).toEqual(
      expect.arrayContaining([
        { handler: 'onPayload', type: 'order.paid' },
        { handler: 'onOrderPaid', type: 'order.paid', id },
      ]),
    );
    expect(calls).toHaveLength(2);
  });

  it('answers 403 to a delivery signed with another secret, and no handler runs', async () => {
    calls.length = 0;
    const delivery = sign(JSON.stringify(orderPaid()), { secret: `whsec_${randomBytes(32).toString('base64')}` });
    const answer = await post(url(), delivery);
    expect(answer.status).toBe(403);
    expect(answer.json.error).toBe('no_matching_signature');
    expect(calls).toEqual([]);
  });
}
