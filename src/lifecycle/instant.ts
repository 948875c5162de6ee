/**
 * Polar's date-times as whole microseconds since the epoch: the unit its server keeps them in. Two
 * changes of one subscription can land in the same millisecond, so milliseconds (`Date`) would tie
 * where Polar's own `modified_at` does not. Microseconds since 1970 stay below 2^53 until the year
 * 2255, so they are exact in a JavaScript number, a Lua number and a PostgreSQL `bigint` alike.
 *
 * @module
 */

/** `2026-09-21T14:13:19.816549Z`, `…+00:00`, or without a fraction; no zone reads as UTC. */
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The instant an ISO 8601 date-time names, in microseconds since the epoch; undefined for anything
 * else. Reads every format Polar sends: `Z` or `+00:00`, three or six fractional digits, or none.
 */
export function microsecondsOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO.exec(value);
  if (match === null) return undefined;
  const [, seconds, fraction = '', zone = 'Z'] = match;
  const ms = Date.parse(`${seconds}${zone.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number((fraction + '000000').slice(0, 6));
}

/** An instant in microseconds since the epoch, as ISO 8601 in UTC with six fractional digits. */
export function isoOfMicroseconds(microseconds: number): string {
  const ms = Math.floor(microseconds / 1000);
  const rest = microseconds - ms * 1000;
  return new Date(ms).toISOString().replace(/Z$/, `${String(rest).padStart(3, '0')}Z`);
}
