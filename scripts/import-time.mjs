#!/usr/bin/env node
// Cold import time of the BUILT package (run `npm run build` first) next to Polar's own SDKs:
// each sample is a fresh `node` process that times, from inside, how long loading the module
// takes (process start-up excluded). Samples of the candidates are interleaved so that machine
// noise hits them alike; the table shows the median and the spread. A measurement, not a test.
//
//   npm run import-time                 15 runs per module
//   npm run import-time -- --runs 31

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const CANDIDATES = [
  { name: 'polar-webhooks (import)', specifier: 'polar-webhooks', kind: 'esm' },
  { name: 'polar-webhooks (require)', specifier: 'polar-webhooks', kind: 'cjs' },
  { name: 'polar-webhooks/verify (import)', specifier: 'polar-webhooks/verify', kind: 'esm' },
  { name: 'polar-webhooks/next (import)', specifier: 'polar-webhooks/next', kind: 'esm' },
  // The share of the figures above that is zod's own (an app that uses zod already pays it).
  { name: 'zod/v4 alone (import)', specifier: 'zod/v4', kind: 'esm' },
  { name: '@polar-sh/sdk 1.0.1, /2026-10 (import)', specifier: '@polar-sh/sdk/2026-10', kind: 'esm' },
  { name: '@polar-sh/sdk 0.49.0, /webhooks (import)', specifier: 'polar-sdk-049/webhooks', kind: 'esm' },
];

function sampleOnce(candidate) {
  const spec = JSON.stringify(candidate.specifier);
  const code =
    candidate.kind === 'esm'
      ? `const t = performance.now(); await import(${spec}); process.stdout.write(String(performance.now() - t));`
      : `const t = performance.now(); require(${spec}); process.stdout.write(String(performance.now() - t));`;
  const args = candidate.kind === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  const out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return Number(out);
}

function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

function main() {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
    console.error('dist/ is missing: run `npm run build` first.');
    process.exit(2);
  }
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('--runs needs a whole number ≥ 1.');
    process.exit(2);
  }
  const samples = CANDIDATES.map(() => []);
  // One warm-up each (fills the OS file cache, as on any server that has run before), not counted.
  CANDIDATES.forEach((candidate) => sampleOnce(candidate));
  for (let run = 0; run < runs; run++) {
    CANDIDATES.forEach((candidate, i) => samples[i].push(sampleOnce(candidate)));
  }
  console.log(
    `Cold import, ${runs} fresh node ${process.version} processes each (ms, in-process, start-up excluded)\n`,
  );
  const rows = CANDIDATES.map((candidate, i) => {
    const sorted = [...samples[i]].sort((a, b) => a - b);
    return [candidate.name, quantile(sorted, 0.5), sorted[0], quantile(sorted, 0.9)];
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'module'.padEnd(width)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}  ${'p90'.padStart(8)}`);
  for (const [name, median, min, p90] of rows) {
    console.log(
      `${name.padEnd(width)}  ${median.toFixed(1).padStart(8)}  ${min.toFixed(1).padStart(8)}  ${p90.toFixed(1).padStart(8)}`,
    );
  }
}

main();
