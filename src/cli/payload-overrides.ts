import { UsageError } from './usage-error';

/** One `--set path=value`: where, and the value (JSON when it parses as JSON, else the text itself). */
export interface FieldOverride {
  readonly text: string;
  readonly path: readonly string[];
  readonly value: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys that would reach an object's prototype instead of the payload. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads `data.total_amount=4200`: the path is split on dots (a number indexes an array), the value is
 * read as JSON (`4200`, `true`, `null`, `"42"`, `{"a":1}`) and otherwise taken as text (`a@b.co`).
 *
 * @throws {@link UsageError} without `=`, or with an empty or unsafe path.
 */
export function parseFieldOverride(text: string): FieldOverride {
  const equals = text.indexOf('=');
  const path = equals > 0 ? text.slice(0, equals).split('.') : [];
  if (path.length === 0 || path.some((part) => part === '' || FORBIDDEN.has(part))) {
    throw new UsageError(
      `--set ${JSON.stringify(text)}: expected path=value, the path in dots from the payload's root, e.g. ` +
        '--set data.total_amount=4200 or --set data.customer.email=jane@example.com.',
    );
  }
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself, so that emails and ids need no quoting.
  }
  return { text, path, value };
}

/** Sets one field, making the objects on its way when they are missing. */
export function applyFieldOverride(payload: Json, override: FieldOverride): void {
  let target: unknown = payload;
  const { path } = override;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const container = target as Json | unknown[];
    let next: unknown = Array.isArray(container) ? container[Number(key)] : container[key];
    if (typeof next !== 'object' || next === null) {
      next = {};
      if (Array.isArray(container)) {
        if (!/^\d+$/.test(key)) throw notAnIndex(override, key);
        container[Number(key)] = next;
      } else container[key] = next;
    }
    target = next;
  }
  const last = path[path.length - 1] as string;
  if (Array.isArray(target)) {
    if (!/^\d+$/.test(last)) throw notAnIndex(override, last);
    target[Number(last)] = override.value;
  } else (target as Json)[last] = override.value;
}

function notAnIndex(override: FieldOverride, key: string): UsageError {
  return new UsageError(`--set ${override.text}: "${key}" is an array there; index it with a number (e.g. .0.).`);
}

/** Merges `source` into `target` as `createEvent` merges overrides: objects key by key, anything else replaced. */
export function mergeOverrides(target: Json, source: Json): void {
  for (const [key, value] of Object.entries(source)) {
    if (FORBIDDEN.has(key)) continue;
    const current = target[key];
    if (isObject(value) && isObject(current)) mergeOverrides(current, value);
    else target[key] = structuredClone(value);
  }
}

/** Reads the JSON object of `--file`. */
export function readOverrideFile(text: string, file: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (!isObject(value)) {
    throw new UsageError(
      `--file ${file} must hold a JSON object: the fields to change, from the payload's root ` +
        '(e.g. {"data": {"total_amount": 4200}}), or a whole payload.',
    );
  }
  return value;
}
