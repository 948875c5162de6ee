#!/usr/bin/env node
// @ts-check
// Rebuilds spec/field-history.json, the history of every model and field of each API version, from
// a folder of snapshots exported by export-snapshots.mjs and the newest schemas in spec/api/.
//
//   node scripts/spec/field-history.mjs --snapshots <dir> [--out <file>] [--baseline YYYY-MM-DD]
//                                       [--newest <file>]
//
// --newest names the dated newest points of each version (JSON: { "<version>": [{ "date", "source",
// "file" }] }, files relative to it); by default they are the SDK's models (its publication date)
// and, for a version with an overlay, spec/api/<version>.json at the overlay's date.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { buildAllVersions } from './build-versions.mjs';
import { historyOf } from './history.mjs';
import { modelsOfV1Ts } from './read-v1-ts.mjs';
import { modelsOfSchemas } from './read-schemas.mjs';
import { refsOfShape, shapeText } from './type-shape.mjs';
import {
  API_DIR,
  API_VERSIONS,
  HISTORY_FILE,
  OVERLAY_DIR,
  ROOT,
  SDK_RELEASE,
  VERSIONED_DELIVERIES_SINCE,
  option,
  readJson,
  writeJson,
} from './spec-sources.mjs';

/** @typedef {import('./history.mjs').Snapshot} Snapshot */
/** @typedef {{ date: string, source: string, schemas: Record<string, unknown> }} NewestPoint */

/**
 * Which snapshots count for which version. The oldest version also validates every delivery made
 * before deliveries were versioned, so its chain is the whole unversioned past: v1.ts, which Polar
 * generates with the server's default version, 2026-04 (CURRENT_API_VERSION in server/polar/version.py;
 * scripts.generate_openapi without a version). Polar's docs/openapi/<version>.openapi.json are left
 * out of that chain: each of their versions is a subset of the v1.ts of the same day (they are
 * regenerated less often), so they would only add false gaps. Deliveries of a newer version exist
 * only since versioned deliveries began: its chain starts with the snapshot in force that day. For
 * 2026-10 that is v1.ts too: at every commit where both documents exist, 2026-04 and 2026-10 have
 * identical components, so until the mirror ends v1.ts describes both.
 */
export const CHAINS = {
  '2026-04': {
    sources: ['v1.ts'],
    start: undefined,
    why:
      'Every snapshot of v1.ts, then the newest points: this version also validates every delivery made before ' +
      'deliveries were versioned. Polar generates v1.ts for its default version, 2026-04. Its docs/openapi ' +
      'documents are left out: each of their versions is a subset of the v1.ts of the same day.',
  },
  '2026-10': {
    sources: ['v1.ts', 'openapi-2026-10'],
    start: VERSIONED_DELIVERIES_SINCE,
    why:
      `Deliveries of 2026-10 exist since ${VERSIONED_DELIVERIES_SINCE}: the snapshot in force that day, then the ` +
      'newest points. That snapshot is v1.ts: at every commit where both documents exist, 2026-04 and 2026-10 ' +
      'have identical components, so v1.ts describes both.',
  },
  '2027-01': {
    sources: ['openapi-2027-01'],
    start: VERSIONED_DELIVERIES_SINCE,
    why:
      'No snapshot of 2027-01 precedes the SDK (Polar\'s repository as mirrored has no 2027-01 document): the SDK\'s ' +
      'models, then the newer overlay.',
  },
};

/** The default baseline: see `baselineWhy` in the output. */
export const DEFAULT_BASELINE = '2025-06-01';

const ABOUT = [
  'The history of every model and field of each API version of Polar, for the generator: a field is',
  'required only if the newest schema (spec/api/<version>.json) requires it AND its date here is',
  '<= max(baseline, the model\'s `since`); otherwise it is optional (older events lack it).',
  'Made by scripts/spec/field-history.mjs from the versions of polarsource/polar',
  "clients/packages/client/src/v1.ts (openapi-typescript's rendering of the server's schema) and",
  'docs/openapi/<version>.openapi.json exported by scripts/spec/export-snapshots.mjs, then the SDK\'s',
  'models (@polar-sh/sdk) and, where one applies, the newer overlay as the newest points. A snapshot',
  'stands for what Polar sent from its date until the next one; of each snapshot only the models the',
  'webhook payloads reach count.',
  'Rule: `since` is the date of the first snapshot from which the model exists in every snapshot',
  "through the newest; a field's date is the first snapshot from which it is present (declared:",
  'the server serializes every declared field) in every snapshot through the newest. A model renamed',
  'over time is followed under its earlier names (`renamedFrom`: the name it had until that date).',
  '`typeChanges` lists fields whose type changed (`accepted`: every value of the old type is a value',
  'of the new one; `newestAccepts`: of the newest one — when false, payloads sent before that date can',
  'carry values the newest schema rejects; between two unions, `added`/`removed` members);',
  '`ownTypeChanges` the same for enum and union models; `removed` the fields its earlier selves had',
  'and the newest lacks (with the first snapshot without them); `gaps` the stretches in which a field',
  'was missing although it had been there before (Polar hid some deprecated fields from its schema for',
  'a while, e.g. with SkipJsonSchema, which still serializes them: such a field is optional here, to be',
  'safe). Per version, `chain` says which snapshots count and why.',
].join(' ');

const BASELINE_WHY = [
  'Events older than this are not expected any more: Polar archives webhook events after 90 days',
  '(WEBHOOK_EVENT_RETENTION_PERIOD, server/polar/config.py) and archived events cannot be redelivered',
  "(server/polar/webhook/schemas.py); the archive job arrived on 2025-09-10 (a5f4cdb2c4) and its first run",
  'archived everything older than 2025-06-12. 2025-06-01 keeps a margin before that. The earliest',
  'snapshot (v1.ts of 2025-02-10) is older still, so fields that appeared between then and the baseline',
  'stay required: no event that lacks them can reach a receiver from Polar today.',
].join(' ');

/**
 * The dated newest points of each version, from the project's own data.
 * @returns {Map<string, NewestPoint[]>}
 */
function defaultNewestPoints() {
  /** @type {Map<string, NewestPoint[]>} */
  const points = new Map();
  /** @type {Map<string, Record<string, unknown>> | undefined} */
  let sdkOnly;
  for (const version of API_VERSIONS) {
    const newest = readJson(join(API_DIR, `${version}.json`)).$defs;
    const overlayPath = join(OVERLAY_DIR, `${version}.json`);
    const overlay = existsSync(overlayPath) ? readJson(overlayPath) : undefined;
    if (overlay?.appliesTo?.includes(version)) {
      sdkOnly ??= buildAllVersions({ withOverlays: false });
      const sdk = /** @type {Record<string, unknown>} */ (sdkOnly.get(version)?.$defs);
      points.set(version, [
        { date: SDK_RELEASE.published, source: `sdk-${SDK_RELEASE.version}`, schemas: sdk },
        { date: overlay.date, source: 'overlay', schemas: newest },
      ]);
    } else {
      points.set(version, [{ date: SDK_RELEASE.published, source: `sdk-${SDK_RELEASE.version}`, schemas: newest }]);
    }
  }
  return points;
}

/**
 * @param {string} file
 * @returns {Map<string, NewestPoint[]>}
 */
function newestPointsFrom(file) {
  const spec = readJson(file);
  /** @type {Map<string, NewestPoint[]>} */
  const points = new Map();
  for (const [version, list] of Object.entries(spec)) {
    points.set(
      version,
      /** @type {{ date: string, source: string, file: string }[]} */ (list).map((p) => {
        const schema = readJson(resolve(dirname(file), p.file));
        return { date: p.date, source: p.source, schemas: schema.$defs ?? schema.components?.schemas ?? schema };
      }),
    );
  }
  return points;
}

/**
 * The snapshots of an export folder, parsed, oldest first.
 * @param {string} dir
 * @param {Set<string>} sources the sources any chain needs
 * @returns {{ manifest: any, snapshots: Snapshot[] }}
 */
function readSnapshots(dir, sources) {
  const manifest = readJson(join(dir, 'manifest.json'));
  /** @type {Snapshot[]} */
  const snapshots = [];
  // most models are the same from one snapshot to the next: keep one copy of each
  /** @type {Map<string, import('./type-shape.mjs').Shape>} */
  const shared = new Map();
  for (const entry of manifest.snapshots) {
    if (!sources.has(entry.source)) continue;
    const text = readFileSync(join(dir, entry.file), 'utf8');
    const parsed =
      entry.source === 'v1.ts' ? modelsOfV1Ts(text) : modelsOfSchemas(JSON.parse(text).components?.schemas ?? {});
    /** @type {Map<string, import('./type-shape.mjs').Shape>} */
    const models = new Map();
    for (const [name, shape] of webhookModels(parsed)) {
      const key = shapeText(shape);
      const known = shared.get(key);
      if (known) models.set(name, known);
      else {
        shared.set(key, shape);
        models.set(name, shape);
      }
    }
    snapshots.push({ date: entry.date, source: entry.source, commit: entry.commit, models });
  }
  return { manifest, snapshots };
}

/**
 * The models webhooks carry: those the `Webhook…Payload` models reach (and the event type and format
 * enums). A model outside them was not sent, and must not pass for the earlier self of one that is.
 * A snapshot without payload models is kept whole.
 * @param {Map<string, import('./type-shape.mjs').Shape>} models
 * @returns {Map<string, import('./type-shape.mjs').Shape>}
 */
export function webhookModels(models) {
  const roots = [...models.keys()].filter(
    (name) => /^Webhook\w+Payload$/.test(name) || name === 'WebhookEventType' || name === 'WebhookFormat',
  );
  if (roots.length === 0) return models;
  /** @type {Map<string, import('./type-shape.mjs').Shape>} */
  const kept = new Map();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = /** @type {string} */ (queue.pop());
    const shape = models.get(name);
    if (kept.has(name) || !shape) continue;
    kept.set(name, shape);
    queue.push(...refsOfShape(shape));
  }
  return kept;
}

/**
 * The chain of one version: its sources' snapshots (from the one in force at its start, if it has
 * one), then its newest points.
 * @param {Snapshot[]} snapshots all parsed snapshots, oldest first
 * @param {{ sources: string[], start: string | undefined }} rule
 * @param {NewestPoint[]} newest
 * @returns {Snapshot[]}
 */
export function chainOf(snapshots, rule, newest) {
  const own = snapshots.filter((s) => rule.sources.includes(s.source));
  let from = 0;
  if (rule.start !== undefined) {
    const start = rule.start;
    const inForce = own.map((s) => s.date <= start).lastIndexOf(true);
    from = inForce < 0 ? own.findIndex((s) => s.date > start) : inForce;
    if (from < 0) from = own.length;
  }
  return [
    ...own.slice(from),
    ...newest.map((p) => ({ date: p.date, source: p.source, models: modelsOfSchemas(p.schemas) })),
  ];
}

/**
 * How many fields the newest schema requires, and how many stay required by the history.
 * @param {Record<string, unknown>} schemas the newest $defs
 * @param {Record<string, import('./history.mjs').ModelHistory>} models
 * @param {string} baseline
 */
export function requiredCounts(schemas, models, baseline) {
  let spec = 0;
  let history = 0;
  for (const [name, def] of Object.entries(schemas)) {
    const required = /** @type {{ required?: string[] }} */ (def).required ?? [];
    const model = models[name];
    for (const field of required) {
      spec++;
      const date = model?.fields[field];
      const limit = model && model.since > baseline ? model.since : baseline;
      if (date !== undefined && date <= limit) history++;
    }
  }
  return { spec, history };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const dir = option(argv, 'snapshots');
  if (!dir) {
    console.error('usage: node scripts/spec/field-history.mjs --snapshots <dir> [--out <file>] [--baseline YYYY-MM-DD] [--newest <file>]');
    process.exit(2);
  }
  const out = /** @type {string} */ (option(argv, 'out', HISTORY_FILE));
  const baseline = /** @type {string} */ (option(argv, 'baseline', DEFAULT_BASELINE));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(baseline)) throw new Error(`--baseline ${baseline}: not YYYY-MM-DD`);
  const newestFile = option(argv, 'newest');
  const newest = newestFile ? newestPointsFrom(newestFile) : defaultNewestPoints();
  const versions = API_VERSIONS.filter((v) => newest.has(v));
  const needed = new Set(versions.flatMap((v) => CHAINS[v].sources));
  const { manifest, snapshots } = readSnapshots(dir, needed);

  /** @type {Record<string, unknown>} */
  const out_versions = {};
  for (const version of versions) {
    const rule = CHAINS[version];
    const points = /** @type {NewestPoint[]} */ (newest.get(version));
    const chain = chainOf(snapshots, rule, points);
    const models = historyOf(chain);
    /** @type {Record<string, number>} */
    const bySource = {};
    for (const s of chain) bySource[s.source] = (bySource[s.source] ?? 0) + 1;
    const first = /** @type {Snapshot} */ (chain[0]);
    const last = /** @type {Snapshot} */ (chain[chain.length - 1]);
    out_versions[version] = {
      chain: rule.why,
      snapshots: { count: chain.length, first: first.date, last: last.date, bySource },
      models,
    };
    const counts = requiredCounts(/** @type {NewestPoint} */ (points[points.length - 1]).schemas, models, baseline);
    console.log(
      `${version}: ${chain.length} snapshots (${first.date} … ${last.date}), ${Object.keys(models).length} models; ` +
        `required: ${counts.spec} by the newest schema, ${counts.history} by history`,
    );
  }
  writeJson(out, {
    about: ABOUT,
    baseline,
    baselineWhy: BASELINE_WHY,
    sources: {
      repository: manifest.repository,
      rev: manifest.rev,
      revDate: manifest.revDate,
      newest: newestFile ? relative(ROOT, resolve(newestFile)) : 'spec/api/<version>.json and the SDK (see build-versions.mjs)',
    },
    versions: out_versions,
  });
  console.log(`→ ${relative(ROOT, resolve(out))}`);
}
