#!/usr/bin/env node
// @ts-check
// Exports every version of Polar's model sources from a git checkout (or bare mirror) of
// polarsource/polar into a folder, for field-history.mjs to read. Never commit the folder.
//
//   node scripts/spec/export-snapshots.mjs --repo <polar git dir> --out <dir> [--rev <rev>]
//
// Exported, following the first parent of <rev> (main's own history, in the order it landed):
// every version of clients/packages/client/src/v1.ts (openapi-typescript's rendering of the server's
// schema) and of docs/openapi/<version>.openapi.json. The folder gets one file per version and a
// manifest.json listing them in that order, with commit and date.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { API_VERSIONS, DEFAULT_POLAR_REPO, ROOT, V1_TS_PATH, option, writeJson } from './spec-sources.mjs';

const argv = process.argv.slice(2);
const repo = /** @type {string} */ (option(argv, 'repo', DEFAULT_POLAR_REPO));
const out = option(argv, 'out');
const rev = /** @type {string} */ (option(argv, 'rev', 'HEAD'));
if (!out) {
  console.error('usage: node scripts/spec/export-snapshots.mjs --repo <polar git dir> --out <dir> [--rev <rev>]');
  process.exit(2);
}
const outDir = resolve(out);
if (outDir === ROOT || outDir.startsWith(`${ROOT}/`)) {
  console.error(`--out ${out} is inside the repository: export the snapshots somewhere else (e.g. /tmp/polar-snapshots)`);
  process.exit(2);
}

/** @param {string[]} args */
const git = (...args) =>
  execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });

const head = git('rev-parse', `${rev}^{commit}`).trim();
/** @type {{ path: string, source: string, dir: string, ext: string }[]} */
const tracked = [
  { path: V1_TS_PATH, source: 'v1.ts', dir: 'v1.ts', ext: 'ts' },
  ...API_VERSIONS.map((version) => ({
    path: `docs/openapi/${version}.openapi.json`,
    source: `openapi-${version}`,
    dir: `openapi-${version}`,
    ext: 'json',
  })),
];

// main's commits that touched any tracked file, oldest first, with their committer dates
const commits = git('log', '--first-parent', '--reverse', '--format=%H %cs', head, '--', ...tracked.map((t) => t.path))
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [commit, date] = line.split(' ');
    return { commit: /** @type {string} */ (commit), date: /** @type {string} */ (date) };
  });

rmSync(outDir, { recursive: true, force: true });
/** @type {{ file: string, source: string, path: string, commit: string, date: string }[]} */
const snapshots = [];
let sequence = 0;
for (const { commit, date } of commits) {
  const changed = new Set(git('diff-tree', '--root', '--no-commit-id', '--name-only', '-r', '-m', '--first-parent', commit).split('\n'));
  for (const t of tracked) {
    if (!changed.has(t.path)) continue;
    let text;
    try {
      text = git('show', `${commit}:${t.path}`);
    } catch {
      continue; // deleted in this commit
    }
    sequence++;
    const file = join(t.dir, `${String(sequence).padStart(4, '0')}-${date}-${commit.slice(0, 10)}.${t.ext}`);
    mkdirSync(join(outDir, t.dir), { recursive: true });
    writeFileSync(join(outDir, file), text);
    snapshots.push({ file, source: t.source, path: t.path, commit, date });
  }
}
writeJson(join(outDir, 'manifest.json'), {
  about:
    "Versions of Polar's model sources, exported by scripts/spec/export-snapshots.mjs for " +
    'scripts/spec/field-history.mjs. `snapshots` is in the order the commits landed on main.',
  repository: 'polarsource/polar',
  rev: head,
  revDate: git('show', '-s', '--format=%cs', head).trim(),
  snapshots,
});
/** @type {Record<string, number>} */
const bySource = {};
for (const s of snapshots) bySource[s.source] = (bySource[s.source] ?? 0) + 1;
console.log(`${snapshots.length} snapshots from ${head.slice(0, 10)} → ${outDir}`, bySource);
