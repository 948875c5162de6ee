#!/usr/bin/env node
// @ts-check
// Builds spec/api/<version>.json, the JSON Schema of every webhook payload, for each API version.
//
//   node scripts/spec/build-versions.mjs            write the files
//   node scripts/spec/build-versions.mjs --check    exit 1 if a committed file differs from a fresh build
//   node scripts/spec/build-versions.mjs --out DIR  write into DIR instead
//
// Sources, newest wins: the overlay of a newer partial source (spec/overlays/<version>.json, for the
// versions it names), then @polar-sh/sdk's generated models of that version (node_modules), annotated
// from Polar's OpenAPI documents (spec/sources/openapi/, extracted by extract-openapi.mjs). A version
// without a document of its own (2027-01 at the mirror's commit) is annotated from the nearest older one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

import { readSdkModels } from './sdk-models.mjs';
import {
  API_DIR,
  API_VERSIONS,
  OPENAPI_DIR,
  OVERLAY_DIR,
  ROOT,
  SDK_DIR,
  SDK_RELEASE,
  jsonText,
  option,
  readJson,
} from './spec-sources.mjs';
import { buildVersionSchema } from './version-schema.mjs';

/** @typedef {import('./version-schema.mjs').SchemaSource} SchemaSource */

/**
 * The schema documents of every version, as the build makes them.
 * @param {{ withOverlays?: boolean }} [options] without overlays: the SDK's models alone (the history
 *   needs that state as the SDK's point in time)
 * @returns {Map<string, Record<string, unknown>>}
 */
export function buildAllVersions({ withOverlays = true } = {}) {
  /** @type {Map<string, SchemaSource>} */
  const documents = new Map();
  for (const version of API_VERSIONS) {
    const path = join(OPENAPI_DIR, `${version}.json`);
    if (!existsSync(path)) continue;
    const extract = readJson(path);
    const s = extract.source;
    documents.set(version, {
      key: `openapi-${version}`,
      description:
        `${s.repository}@${s.commit}:${s.path} (last changed ${s.lastChanged.date} in ` +
        `${s.lastChanged.commit.slice(0, 10)}; commit of ${s.commitDate}), components extracted into ` +
        `${relative(ROOT, path)}`,
      schemas: extract.schemas,
    });
  }
  /** @type {Map<string, { schemas: SchemaSource, appliesTo: string[] }>} */
  const overlays = new Map();
  for (const version of API_VERSIONS) {
    const path = join(OVERLAY_DIR, `${version}.json`);
    if (!existsSync(path)) continue;
    const overlay = readJson(path);
    const s = overlay.source;
    overlays.set(version, {
      appliesTo: overlay.appliesTo,
      schemas: {
        key: `openapi-${version}-newer`,
        description:
          `${s.repository}@${s.commit}:${s.path} (newer than the SDK's models; dated ${overlay.date} in ` +
          `the history, see ${relative(ROOT, path)}), only these models: ${Object.keys(overlay.schemas).join(', ')}`,
        schemas: overlay.schemas,
      },
    });
  }
  const wireOnly = readJson(join(OVERLAY_DIR, 'wire-only-fields.json'));
  /** @type {Map<string, Record<string, unknown>>} */
  const built = new Map();
  for (const version of API_VERSIONS) {
    const sdk = readSdkModels(SDK_DIR, version);
    if (sdk.packageVersion !== SDK_RELEASE.version)
      throw new Error(`node_modules has @polar-sh/sdk ${sdk.packageVersion}; the spec is built from ${SDK_RELEASE.version}`);
    // the version's own document, else the nearest older one
    const nearest = [...API_VERSIONS]
      .filter((v) => v <= version && documents.has(v))
      .map((v) => /** @type {SchemaSource} */ (documents.get(v)))
      .reverse()[0];
    const own =
      nearest && nearest.key !== `openapi-${version}`
        ? { ...nearest, description: `no ${version} document at that commit; the nearest older one: ${nearest.description}` }
        : nearest;
    const newer = [...overlays.values()].map((o) => ({ ...o, applies: o.appliesTo.includes(version) }));
    const replacements = withOverlays ? newer.find((o) => o.applies)?.schemas : undefined;
    const annotations = [...(own ? [own] : []), ...newer.filter((o) => !o.applies || !withOverlays).map((o) => o.schemas)];
    built.set(
      version,
      buildVersionSchema({
        version,
        sdk,
        sdkDescription:
          `@polar-sh/sdk@${sdk.packageVersion} (npm, published ${SDK_RELEASE.published}): ` +
          `dist/${version}/index.mjs.map, sourcesContent src/${version}/models.ts and src/${version}/webhooks.ts ` +
          `(sha256 ${sdk.sha256.slice(0, 16)})`,
        annotations,
        replacements,
        wireOnlyFields: { _about: wireOnly.about, ...wireOnly.fields },
      }),
    );
  }
  return built;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const out = /** @type {string} */ (option(argv, 'out', API_DIR));
  let stale = 0;
  for (const [version, schema] of buildAllVersions()) {
    const path = join(out, `${version}.json`);
    const text = jsonText(schema);
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
        console.error(`${relative(ROOT, path)} is out of date: run node scripts/spec/build-versions.mjs`);
        stale++;
      }
      continue;
    }
    mkdirSync(out, { recursive: true });
    writeFileSync(path, text);
    const defs = /** @type {Record<string, Record<string, unknown>>} */ (schema.$defs);
    /** @type {Record<string, number>} */
    const bySource = {};
    for (const def of Object.values(defs)) {
      const source = String(def['x-polar-source']);
      bySource[source] = (bySource[source] ?? 0) + 1;
    }
    console.log(`${relative(ROOT, path)}: ${Object.keys(defs).length} models`, bySource);
  }
  if (stale > 0) process.exit(1);
}
