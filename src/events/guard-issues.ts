/**
 * How the generated guards (`./generated/guards.ts`) explain a rejection: an issue sink is passed
 * down the payload, each failed check records `{ path, message }` in it, and the walk stops once the
 * list is full. The issues come out where zod's would, in the same order, with a union explained
 * by the member that came closest, so the guards alone can say why a payload was turned down.
 *
 * A full list stops the walk: a body of a million empty objects costs a hundred issues, not millions.
 *
 * @module
 */
import type { PayloadIssue } from '../errors';

/** One step of a path into a payload: a property name or an array index. */
export type PathKey = string | number;

/** The list one explanation fills, shared by every sink of that explanation. */
export interface IssueList {
  /** What was found, in the order the payload was walked. */
  readonly issues: PayloadIssue[];
  /** How many issues the list keeps. */
  readonly limit: number;
  /** Whether the walk found more than `limit` issues (and stopped). */
  more: boolean;
}

/** A place in the payload being explained: the path to it, and the list its issues go to. */
export interface IssueSink {
  readonly path: readonly PathKey[];
  readonly list: IssueList;
}

/** A generated guard: without a sink, whether the value passes; with one, why not (false once the list is full). */
export type Guard = (value: unknown, v: number, c?: IssueSink) => boolean;

/** How many issues one payload's explanation keeps before it stops looking. */
export const MAX_ISSUES = 100;

/** An empty sink at the root of a payload. */
export function createIssueSink(limit: number = MAX_ISSUES): IssueSink {
  return { path: [], list: { issues: [], limit, more: false } };
}

/** The sink one step further down. */
export function at(c: IssueSink, key: PathKey): IssueSink {
  return { path: [...c.path, key], list: c.list };
}

/** Records one issue; false when the list is full (which stops the walk). */
function record(list: IssueList, path: readonly PathKey[], message: string): boolean {
  if (list.issues.length >= list.limit) {
    list.more = true;
    return false;
  }
  list.issues.push({ path, message });
  return true;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

function message(expected: string, value: unknown): string {
  return value === undefined ? `Required: expected ${expected}` : `Expected ${expected}, received ${describe(value)}`;
}

/** `holder[key]` is not what was expected. Without a sink: false. */
export function fail(c: IssueSink | undefined, holder: unknown, key: PathKey, expected: string): boolean {
  return (
    c !== undefined && record(c.list, [...c.path, key], message(expected, (holder as Record<PathKey, unknown>)[key]))
  );
}

/** The value at the sink itself is not what was expected. Without a sink: false. */
export function failHere(c: IssueSink | undefined, value: unknown, expected: string): boolean {
  return c !== undefined && record(c.list, c.path, message(expected, value));
}

/** A tuple of the wrong length. Without a sink: false. */
export function failLength(c: IssueSink | undefined, value: readonly unknown[], length: number): boolean {
  return c !== undefined && record(c.list, c.path, `Expected ${length} items, received ${value.length}`);
}

/** A tag no branch knows, at `path` below the sink. Without a sink: false. */
export function failAt(c: IssueSink | undefined, path: readonly string[], value: unknown, expected: string): boolean {
  return c !== undefined && record(c.list, [...c.path, ...path], message(expected, value));
}

/** Every own enumerable symbol key of a record: records hold string keys only. Without a sink: false. */
export function failSymbols(c: IssueSink | undefined, value: object): boolean {
  if (c === undefined) return false;
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    if (!Object.prototype.propertyIsEnumerable.call(value, symbol)) continue;
    if (!record(c.list, [...c.path, String(symbol)], 'Invalid key: expected a string')) return false;
  }
  return true;
}

/**
 * Why no member of a plain union accepts `value`: when every member objects to the value itself,
 * one issue saying what each wanted; otherwise the issues of the member with the fewest (the first
 * of those), as parseEvent reads zod's `invalid_union`.
 */
export function explainUnion(c: IssueSink, value: unknown, v: number, members: readonly Guard[]): boolean {
  const branches: IssueList[] = [];
  for (const guard of members) {
    const list: IssueList = { issues: [], limit: c.list.limit, more: false };
    guard(value, v, { path: c.path, list });
    branches.push(list);
  }
  const depth = c.path.length;
  if (branches.every((branch) => branch.issues.every((issue) => issue.path.length === depth))) {
    const messages = [...new Set(branches.flatMap((branch) => branch.issues.map((issue) => issue.message)))];
    return record(c.list, c.path, messages.join('; or '));
  }
  let best = branches[0]!;
  for (const branch of branches) if (branch.issues.length < best.issues.length) best = branch;
  for (const issue of best.issues) if (!record(c.list, issue.path, issue.message)) return false;
  if (best.more) {
    c.list.more = true;
    return false;
  }
  return true;
}
