#!/usr/bin/env node
// @ts-check
// Generates src/events/generated/{types,schemas,guards,catalogue}.ts from the spec snapshots of every
// API version (spec/api/<version>.json) and the history of their fields (spec/field-history.json).
//
//   node scripts/generate-schemas.mjs              write the files
//   node scripts/generate-schemas.mjs --check      exit 1 if the committed files differ from a fresh run
//   node scripts/generate-schemas.mjs --out DIR    write into DIR instead (used by the tests)
//   node scripts/generate-schemas.mjs --spec DIR   read the snapshots from DIR instead of spec/
//
// How it works, by concern (scripts/generate/): read-snapshots.mjs reads the inputs; model.mjs
// turns one version's snapshot into declarations (and decides, from the history, which fields are
// required); versions.mjs finds what the versions share and names what they do not; order.mjs
// puts dependencies first; render-types, render-zod, render-guards and render-catalogue each
// write one file; generate.mjs walks the declarations once and hands each to every renderer.
//
// Mapping rules (why the output looks the way it does):
// - Objects are loose (unknown keys are kept: Polar sends fields its spec hides), enums are open
//   (`'a' | 'b' | (string & {})`, validated as plain strings), date-times and uuids are plain strings.
// - A field is required only where the version's spec requires it and the history says Polar has
//   always sent it (since the baseline, or since the model exists): old events are redelivered
//   unchanged, so a field added later is optional in zod and in TypeScript alike.
// - Tagged unions dispatch on their tag (see src/events/zod-helpers.ts) and fall back to the fields
//   their branches share when the tag is new. Unions without a tag take the first branch that matches.
// - Value constraints (minimum, pattern, lengths) are not enforced: they describe what Polar sends,
//   and checking them on every delivery would cost time without protecting the receiver.
// - Every declaration also gets a guard: plain code that accepts exactly what the schema accepts
//   and reports the same issues, which parseEvent runs instead of zod.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { generate } from './generate/generate.mjs';
import { readSnapshots } from './generate/read-snapshots.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string[]} argv
 * @param {string} flag
 * @returns {string | undefined}
 */
function option(argv, flag) {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** @param {string[]} argv */
function main(argv) {
  const check = argv.includes('--check');
  const outDir = resolve(option(argv, '--out') ?? join(ROOT, 'src', 'events', 'generated'));
  const specDir = resolve(option(argv, '--spec') ?? join(ROOT, 'spec'));
  const files = generate(readSnapshots(specDir));
  let stale = 0;
  for (const [file, text] of Object.entries(files)) {
    const target = join(outDir, file);
    if (check) {
      let current = '';
      try {
        current = readFileSync(target, 'utf8');
      } catch {}
      if (current !== text) {
        stale += 1;
        console.error(`${relative(ROOT, target)} is out of date: run \`npm run generate\`.`);
      }
    } else {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(target, text);
      console.log(`wrote ${relative(process.cwd(), target)}`);
    }
  }
  if (stale) process.exit(1);
}

main(process.argv.slice(2));
