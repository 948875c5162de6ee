// @ts-check
// Reading the generator's inputs: one JSON Schema snapshot per API version (`<dir>/api/<version>.json`)
// and the history of every field (`<dir>/field-history.json`).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A JSON Schema node as the snapshots hold it (a subset of JSON Schema 2020-12 with OpenAPI's
 * `discriminator`).
 *
 * @typedef {{ [key: string]: any }} SchemaNode
 */

/**
 * One API version's snapshot.
 *
 * @typedef {object} Snapshot
 * @property {string} version `YYYY-MM`.
 * @property {string} file Path relative to the spec folder.
 * @property {string} sha First 12 hex digits of the file's SHA-256.
 * @property {SchemaNode} defs Every $def by name.
 * @property {Record<string, string>} eventTypes Event type → payload $def name.
 */

/**
 * When a model, and each of its fields, has been present in every snapshot of Polar's schema
 * through the newest (dates as `YYYY-MM-DD`).
 *
 * @typedef {object} ModelHistory
 * @property {string} since
 * @property {Record<string, string>} fields
 * @property {Record<string, TypeChange | TypeChange[]>} [typeChanges] How a field's type changed, and when.
 */

/**
 * A change of one field's type, as spec/field-history.json records it.
 *
 * @typedef {object} TypeChange
 * @property {string} [date] The first snapshot with the new type.
 * @property {string} [from] The type before, as TypeScript text.
 * @property {string} [to] The type after.
 */

/**
 * @typedef {object} VersionHistory
 * @property {Record<string, ModelHistory>} models
 */

/**
 * @typedef {object} History
 * @property {string} baseline The oldest date that counts: events older than this are not expected.
 * @property {Record<string, VersionHistory>} versions
 * @property {string} sha
 */

/**
 * @typedef {object} Inputs
 * @property {Snapshot[]} snapshots Oldest version first.
 * @property {History} history
 */

const VERSION = /^\d{4}-\d{2}$/;

/** @param {string} text */
const sha12 = (text) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * Parses one snapshot's text and checks what the generator relies on.
 *
 * @param {string} version
 * @param {string} file
 * @param {string} text
 * @returns {Snapshot}
 */
export function parseSnapshot(version, file, text) {
  const spec = JSON.parse(text);
  const defs = spec.$defs;
  const eventTypes = spec['x-event-types'];
  if (!defs || typeof defs !== 'object') throw new Error(`${file}: no $defs`);
  if (!eventTypes || typeof eventTypes !== 'object') throw new Error(`${file}: no x-event-types`);
  for (const [type, payload] of Object.entries(eventTypes)) {
    if (!defs[payload]) throw new Error(`${file}: x-event-types names ${payload} for ${type}, which is not in $defs`);
  }
  return { version, file, sha: sha12(text), defs, eventTypes };
}

/**
 * Parses the history's text.
 *
 * @param {string} text
 * @returns {History}
 */
export function parseHistory(text) {
  const history = JSON.parse(text);
  if (typeof history.baseline !== 'string' || !history.versions) {
    throw new Error('field-history.json: expected { baseline, versions: { <version>: { models } } }');
  }
  return { baseline: history.baseline, versions: history.versions, sha: sha12(text) };
}

/**
 * Reads every snapshot and the history from a spec folder.
 *
 * @param {string} dir The folder holding `api/<version>.json` and `field-history.json`.
 * @returns {Inputs}
 */
export function readSnapshots(dir) {
  const apiDir = join(dir, 'api');
  const versions = readdirSync(apiDir)
    .filter((f) => f.endsWith('.json') && VERSION.test(f.slice(0, -5)))
    .map((f) => f.slice(0, -5))
    .sort();
  if (versions.length === 0) throw new Error(`${apiDir}: no <YYYY-MM>.json snapshots`);
  const snapshots = versions.map((version) =>
    parseSnapshot(version, `api/${version}.json`, readFileSync(join(apiDir, `${version}.json`), 'utf8')),
  );
  const history = parseHistory(readFileSync(join(dir, 'field-history.json'), 'utf8'));
  for (const { version } of snapshots) {
    if (!history.versions[version]) throw new Error(`field-history.json has no history for ${version}`);
  }
  return { snapshots, history };
}
