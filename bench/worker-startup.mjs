#!/usr/bin/env node
/**
 * Cold start of a Cloudflare Worker that imports the router (and the Hono adapter), in workerd
 * through Miniflare: each sample starts a fresh workerd with the bundled Worker and times the first
 * request to its answer. A Worker that imports nothing is measured alongside, interleaved; the
 * difference is what loading the package costs the start (workerd's own start is the same for
 * both). A measurement, not a test.
 *
 *   node bench/worker-startup.mjs [--runs 15] [--dist <dir>]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const argv = process.argv.slice(2);
const flag = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const runs = Number(flag('--runs') ?? 15);
const dist = flag('--dist') ? resolve(flag('--dist')) : join(ROOT, 'dist');

const ROUTER_WORKER = `
import { createWebhooks } from ${JSON.stringify(join(dist, 'index.js'))};
import { createHonoHandler } from ${JSON.stringify(join(dist, 'hono.js'))};
const webhooks = createWebhooks({ secret: 'whsec_' + btoa('0123456789abcdef0123456789abcdef') });
webhooks.on('order.paid', () => {});
const handler = createHonoHandler(webhooks);
export default { fetch: () => new Response(typeof handler) };
`;
const EMPTY_WORKER = `export default { fetch: () => new Response('function') };`;

async function bundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

async function sample(script) {
  const started = performance.now();
  const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01' });
  const response = await mf.dispatchFetch('http://localhost/');
  await response.text();
  const ms = performance.now() - started;
  await mf.dispose();
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const router = await bundle(ROUTER_WORKER);
const empty = await bundle(EMPTY_WORKER);
await sample(empty); // warm-up: workerd's binary in the file cache
const times = { router: [], empty: [] };
for (let i = 0; i < runs; i++) {
  times.router.push(await sample(router));
  times.empty.push(await sample(empty));
}
const deltas = times.router.map((t, i) => t - times.empty[i]);
console.log(`workerd cold start to first answer, ${runs} runs each (ms), dist: ${dist}`);
console.log(
  `  router + Hono adapter Worker (${(router.length / 1024).toFixed(1)} KB minified): median ${median(times.router).toFixed(1)}`,
);
console.log(`  empty Worker:                                   median ${median(times.empty).toFixed(1)}`);
console.log(`  what the package adds (median of per-run differences): ${median(deltas).toFixed(1)}`);
