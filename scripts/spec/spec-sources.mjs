// @ts-check
// Where the spec data comes from and where it goes: the paths and the facts about Polar's sources
// that the scripts under scripts/spec/ share.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Polar's API versions, oldest first. Endpoints created without a choice are on the oldest. */
export const API_VERSIONS = /** @type {const} */ (['2026-04', '2026-10', '2027-01']);

/** Where the built per-version schemas go. */
export const API_DIR = join(ROOT, 'spec', 'api');

/** The extracts of Polar's OpenAPI documents the build reads (see extract-openapi.mjs). */
export const OPENAPI_DIR = join(ROOT, 'spec', 'sources', 'openapi');

/** Newer partial sources and carried-over data, applied by the build. */
export const OVERLAY_DIR = join(ROOT, 'spec', 'overlays');

/** The history of every field. */
export const HISTORY_FILE = join(ROOT, 'spec', 'field-history.json');

/** The installed SDK whose generated models are the newest complete source. */
export const SDK_DIR = join(ROOT, 'node_modules', '@polar-sh', 'sdk');

/** The SDK release the data is built from, and when npm published it (registry `time`). */
export const SDK_RELEASE = { version: '1.0.1', published: '2026-09-30' };

/** A local git mirror of polarsource/polar, the default for the scripts that read Polar's history. */
export const DEFAULT_POLAR_REPO = '/work/.mirror/polarsource+polar/repo';

/** The file in Polar's repository that holds openapi-typescript's rendering of the server's schema. */
export const V1_TS_PATH = 'clients/packages/client/src/v1.ts';

/**
 * The first day deliveries carried an API version (`webhook-api-version`, `api_version`): before
 * it, every delivery had the one unversioned shape, which the oldest version stands for.
 */
export const VERSIONED_DELIVERIES_SINCE = '2026-09-04';

/**
 * Reads a JSON file.
 * @param {string} path
 * @returns {any}
 */
export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The bytes a JSON file of ours is written as: two-space indents and a final newline, so that a
 * rebuild gives the same bytes and diffs stay readable.
 * @param {unknown} value
 */
export function jsonText(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes a JSON file as {@link jsonText} renders it.
 * @param {string} path
 * @param {unknown} value
 */
export function writeJson(path, value) {
  writeFileSync(path, jsonText(value));
}

/**
 * The value following `--name` on the command line, or the fallback.
 * @param {string[]} argv
 * @param {string} name
 * @param {string} [fallback]
 * @returns {string | undefined}
 */
export function option(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}
