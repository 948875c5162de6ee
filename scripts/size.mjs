#!/usr/bin/env node
// Size budgets of the BUILT package (run `npm run build` first): what an app pays, minified and
// gzipped, for what it imports. Each row bundles a one-line app with esbuild as an edge or
// browser bundler would (ESM build, tree shaking, "sideEffects": false honoured), then gzips it.
// zod is a peer dependency the app already has: it is kept out of the rows marked "zod external",
// and its own share is shown on a row of its own. Exits 1 when a row is over its budget.
//
//   npm run size              the table
//   npm run size -- --inputs  also which files each bundle keeps, largest first
//   npm run size -- --json    machine-readable

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KB = 1024;

/**
 * The rows. `target` is where the row should be; `budget` is what fails the check (a regression
 * guard a little above today's figure). Where they differ, the report says why. Most of the
 * verifier's bytes are its error messages, each saying how to fix the cause (a placeholder secret,
 * a misspelt option, a header that is not text): they are kept on purpose. The router's rows carry
 * what every router can do (idempotency, the time budget, background handlers, the queue hand-off,
 * capture); the row that matters for edge platforms is the Workers one: everything it loads.
 */
const ROWS = [
  {
    name: 'verifySignature + verifySignatureAsync',
    code: "export { verifySignature, verifySignatureAsync } from 'polar-webhooks';",
    zod: 'bundled',
    budget: 6.5 * KB,
    target: 2 * KB,
    mustNotContain: ['zod', 'events/generated', 'schemas'],
  },
  {
    name: 'polar-webhooks/verify (same functions)',
    code: "export { verifySignature, verifySignatureAsync } from 'polar-webhooks/verify';",
    zod: 'bundled',
    budget: 6.5 * KB,
    target: 2 * KB,
    mustNotContain: ['zod', 'events/generated', 'schemas'],
  },
  {
    // Validation needs no zod: the generated guards decide and explain. The budget is 15% over the
    // one-version figure before (17.57 KB, zod schemas included): the room three API versions may take.
    name: 'validateEvent + validateEventAsync',
    code: "export { validateEvent, validateEventAsync } from 'polar-webhooks';",
    zod: 'bundled',
    budget: 20.2 * KB,
    mustNotContain: ['zod', 'generated/schemas'],
  },
  {
    name: 'createWebhooks (router)',
    code: "export { createWebhooks } from 'polar-webhooks';",
    zod: 'external',
    budget: 27 * KB,
  },
  {
    name: 'polar-webhooks/express Webhooks',
    code: "export { Webhooks } from 'polar-webhooks/express';",
    zod: 'external',
    budget: 29 * KB,
  },
  {
    name: 'polar-webhooks/next Webhooks',
    code: "export { Webhooks } from 'polar-webhooks/next';",
    zod: 'external',
    budget: 29 * KB,
  },
  {
    name: 'polar-webhooks/hono Webhooks',
    code: "export { Webhooks } from 'polar-webhooks/hono';",
    zod: 'external',
    budget: 29 * KB,
  },
  {
    // What a Worker that routes with Hono deploys: the router, the adapter and everything they load.
    name: 'router + Hono adapter, for Workers (all it loads)',
    code: "export { createWebhooks } from 'polar-webhooks'; export { createHonoHandler } from 'polar-webhooks/hono';",
    zod: 'bundled',
    conditions: ['workerd', 'worker', 'browser'],
    budget: 30 * KB,
    mustNotContain: ['zod', 'generated/schemas'],
  },
  {
    name: 'polar-webhooks/testing signPayload',
    code: "export { signPayload } from 'polar-webhooks/testing';",
    zod: 'external',
    budget: 4 * KB,
    mustNotContain: ['zod', 'events/generated', 'schemas'],
  },
  {
    name: 'polar-webhooks/testing createEvent',
    code: "export { createEvent } from 'polar-webhooks/testing';",
    zod: 'external',
    budget: 28 * KB,
  },
];

const ZOD = /^zod(\/.*)?$/;

async function measure(row) {
  const result = await build({
    stdin: { contents: row.code, resolveDir: ROOT, loader: 'js', sourcefile: 'app.js' },
    bundle: true,
    write: false,
    outfile: 'app.min.js',
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: row.conditions ?? ['worker', 'browser'],
    mainFields: ['module', 'main'],
    minify: true,
    metafile: true,
    logLevel: 'silent',
    plugins:
      row.zod === 'external'
        ? [
            {
              name: 'zod-external',
              setup: (b) => b.onResolve({ filter: ZOD }, (a) => ({ path: a.path, external: true })),
            },
          ]
        : [],
  });
  const output = result.outputFiles[0].contents;
  const inputs = Object.entries(result.metafile.outputs['app.min.js'].inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([file, info]) => ({ file, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { min: output.length, gzip: gzipSync(output, { level: 9 }).length, inputs };
}

function kb(bytes) {
  return `${(bytes / KB).toFixed(2)} KB`;
}

async function main() {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
    console.error('dist/ is missing: run `npm run build` first.');
    process.exit(2);
  }
  const args = new Set(process.argv.slice(2));
  const measured = [];
  for (const row of ROWS) {
    try {
      measured.push({ row, ...(await measure(row)) });
    } catch (error) {
      measured.push({
        row,
        min: Number.NaN,
        gzip: Number.NaN,
        inputs: [],
        error: error.message.split('\n').slice(0, 3).join(' '),
      });
    }
  }

  const rows = measured.map((m) => {
    const base = m.row.minus === undefined ? undefined : measured[m.row.minus];
    const min = base ? m.min - base.min : m.min;
    const gzip = base ? m.gzip - base.gzip : m.gzip;
    const leaked = (m.row.mustNotContain ?? []).filter((needle) => m.inputs.some((i) => i.file.includes(needle)));
    const over = !(gzip <= m.row.budget);
    const error = m.error ?? base?.error;
    const zod = base ? '' : m.row.zod;
    return {
      name: m.row.name,
      zod,
      min,
      gzip,
      budget: m.row.budget,
      target: m.row.target,
      over,
      leaked,
      error,
      inputs: m.inputs,
    };
  });

  if (args.has('--json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const header = ['bundle', 'zod', 'min', 'min+gz', 'budget', 'target', ''];
    const lines = rows.map((r) => [
      r.name,
      r.zod,
      kb(r.min),
      kb(r.gzip),
      kb(r.budget),
      r.target === undefined ? '' : kb(r.target),
      r.error
        ? 'BUILD FAILED'
        : r.over
          ? 'OVER BUDGET'
          : r.leaked.length
            ? `LEAK: ${r.leaked.join(', ')}`
            : r.target !== undefined && r.gzip > r.target
              ? 'over target'
              : 'ok',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const format = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(format(header));
    for (const line of lines) console.log(format(line));
    if (args.has('--inputs')) {
      for (const r of rows) {
        if (r.zod === '') continue;
        console.log(`\n${r.name} (zod ${r.zod}):`);
        for (const input of r.inputs.slice(0, 15)) console.log(`  ${String(input.bytes).padStart(8)}  ${input.file}`);
      }
    }
  }
  const failed = rows.filter((r) => r.over || r.leaked.length > 0);
  for (const r of failed) {
    if (r.error) {
      console.error(`\n${r.name}: the bundle failed: ${r.error}`);
    } else if (r.leaked.length > 0) {
      console.error(
        `\n${r.name}: ${r.leaked.join(', ')} reached a bundle that does not use them. A module-level statement with side ` +
          'effects (a call or `new` at the top level) in a chunk this import needs refers to them; make it lazy or ' +
          'mark it /* @__PURE__ */. Run with --inputs to see what each bundle keeps.',
      );
    } else {
      console.error(`\n${r.name}: ${kb(r.gzip)} min+gz is over its budget of ${kb(r.budget)}.`);
    }
  }
  process.exit(failed.length > 0 ? 1 : 0);
}

await main();
