/**
 * The events layer's data as the tests read it, straight from the files (not through the code
 * under test): each API version's spec snapshot and fixtures, and the field history with its
 * rule, re-implemented here as an independent oracle.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** The versions with a snapshot in spec/api/, oldest first. */
export const SPEC_VERSIONS: readonly string[] = readdirSync(join(ROOT, 'spec', 'api'))
  .filter((f) => /^\d{4}-\d{2}\.json$/.test(f))
  .map((f) => f.slice(0, -5))
  .sort();

/** A spec snapshot, parsed: JSON Schema is untyped data, read by walking it. */
export type SpecDocument = Record<string, any>;

const specs = new Map<string, SpecDocument>();
/** spec/api/<version>.json, parsed (cached). */
export function specOf(version: string): SpecDocument {
  let spec = specs.get(version);
  if (!spec)
    specs.set(version, (spec = JSON.parse(readFileSync(join(ROOT, 'spec', 'api', `${version}.json`), 'utf8'))));
  return spec!;
}

/** fixtures/<version>/<type>.json as text. */
export function fixtureText(version: string, type: string): string {
  return readFileSync(join(ROOT, 'fixtures', version, `${type}.json`), 'utf8');
}

/** Every fixture of a version, parsed, by event type. */
export function fixturesOf(version: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    readdirSync(join(ROOT, 'fixtures', version))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(ROOT, 'fixtures', version, f), 'utf8'))]),
  );
}

interface ModelHistory {
  since: string;
  fields: Record<string, string>;
}
interface History {
  baseline: string;
  versions: Record<string, { models: Record<string, ModelHistory> }>;
}
export const history: History = JSON.parse(readFileSync(join(ROOT, 'spec', 'field-history.json'), 'utf8'));

/**
 * Whether `model.field` must be present in `version`, by the rule the brief states: the spec
 * requires it and the history dates it no later than max(baseline, the model's `since`). The
 * envelope's `api_version` never is (events from before versioning lack it).
 */
export function requiredByHistory(version: string, model: string, field: string): boolean {
  const def = specOf(version).$defs[model];
  if (!def?.required?.includes(field)) return false;
  if (field === 'api_version' && /^Webhook\w+Payload$/.test(model)) return false;
  const record = history.versions[version]?.models[model];
  const date = record?.fields[field];
  if (!record || !date) return false;
  const threshold = record.since > history.baseline ? record.since : history.baseline;
  return date <= threshold;
}

/** The date a field has been sent since, in `version`'s history. */
export function sentSince(version: string, model: string, field: string): string | undefined {
  return history.versions[version]?.models[model]?.fields[field];
}
