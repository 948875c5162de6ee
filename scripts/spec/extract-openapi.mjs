#!/usr/bin/env node
// @ts-check
// Extracts from Polar's per-version OpenAPI documents the component schemas the version build can
// use, into spec/sources/openapi/<version>.json, so that the build needs no copy of Polar's repository.
//
//   node scripts/spec/extract-openapi.mjs [--repo <polar git dir>] [--commit <rev>]
//
// Kept: every schema reachable from the webhook payloads (and WebhookEventType, WebhookFormat), and
// every schema named like a model the SDK's webhook payloads reach, with what those reach.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { reachableDeclarations, readSdkModels } from './sdk-models.mjs';
import { API_VERSIONS, DEFAULT_POLAR_REPO, OPENAPI_DIR, SDK_DIR, option, writeJson } from './spec-sources.mjs';
import { refsOf } from './version-schema.mjs';

const argv = process.argv.slice(2);
const repo = /** @type {string} */ (option(argv, 'repo', DEFAULT_POLAR_REPO));
const rev = /** @type {string} */ (option(argv, 'commit', 'HEAD'));

/** @param {string[]} args */
const git = (...args) =>
  execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });

const commit = git('rev-parse', `${rev}^{commit}`).trim();
const commitDate = git('show', '-s', '--format=%cs', commit).trim();
mkdirSync(OPENAPI_DIR, { recursive: true });

for (const version of API_VERSIONS) {
  const path = `docs/openapi/${version}.openapi.json`;
  let text;
  try {
    text = git('show', `${commit}:${path}`);
  } catch {
    console.log(`${version}: no ${path} at ${commit.slice(0, 10)}, skipped`);
    continue;
  }
  const document = JSON.parse(text);
  /** @type {Record<string, Record<string, unknown>>} */
  const schemas = document.components.schemas;
  const sdk = readSdkModels(SDK_DIR, version);
  const normal = (/** @type {string} */ n) => n.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  const sdkNames = new Set([...reachableDeclarations(sdk, sdk.payloads)].map(normal));
  const roots = Object.keys(schemas).filter(
    (n) => /^Webhook\w+Payload$/.test(n) || n === 'WebhookEventType' || n === 'WebhookFormat' || sdkNames.has(normal(n)),
  );
  /** @type {Set<string>} */
  const kept = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = /** @type {string} */ (queue.pop());
    if (kept.has(name) || !schemas[name]) continue;
    kept.add(name);
    queue.push(...refsOf(schemas[name]));
  }
  const lastChanged = git('log', '-1', '--format=%H %cs', commit, '--', path).trim().split(' ');
  const out = join(OPENAPI_DIR, `${version}.json`);
  writeJson(out, {
    about:
      `The component schemas of Polar's OpenAPI document for API version ${version} that the version ` +
      'build can use (those the webhook payloads reach, and those named like a model the SDK\'s payloads ' +
      'reach), unchanged. Written by scripts/spec/extract-openapi.mjs.',
    source: {
      repository: 'polarsource/polar',
      commit,
      commitDate,
      path,
      blob: git('rev-parse', `${commit}:${path}`).trim(),
      lastChanged: { commit: lastChanged[0], date: lastChanged[1] },
      openapiVersion: document.info?.version,
    },
    schemas: Object.fromEntries([...kept].sort().map((n) => [n, schemas[n]])),
  });
  console.log(`${version}: ${kept.size} of ${Object.keys(schemas).length} schemas → ${out}`);
}
