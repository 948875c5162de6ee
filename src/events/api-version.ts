/**
 * Polar's API versions, and which one's schemas validate a delivery.
 *
 * Each endpoint is pinned to one version (endpoints created without a choice are on the oldest).
 * Since Polar versioned its webhooks, every payload says its version (`api_version`, also sent as
 * the `webhook-api-version` header); events created before that say nothing. Polar stores each
 * event's payload when the event happens and sends that string unchanged on every retry and
 * redelivery, so a payload keeps the shape of the version it was made in.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { API_VERSIONS } from './generated/catalogue';

export { API_VERSIONS } from './generated/catalogue';

/** One of Polar's API versions this package has schemas for, e.g. `'2026-10'`. */
export type PolarApiVersion = (typeof API_VERSIONS)[number];

/**
 * The version of endpoints created without a choice, and of events from before Polar versioned
 * its webhooks: the oldest.
 */
export const DEFAULT_API_VERSION: (typeof API_VERSIONS)[0] = API_VERSIONS[0];

const NEWEST: PolarApiVersion = API_VERSIONS[API_VERSIONS.length - 1]!;
const KNOWN: ReadonlySet<string> = new Set(API_VERSIONS);
const DATED = /^\d{4}-\d{2}(?:-\d{2})?$/;

/** Whether `value` is one of the versions this package has schemas for. */
export function isPolarApiVersion(value: unknown): value is PolarApiVersion {
  return typeof value === 'string' && KNOWN.has(value);
}

/**
 * The version whose schemas read a payload that says it is in `version`: that version when known;
 * for a dated version this package does not know, the newest known version not after it (a version
 * newer than every known one is read by the newest, one older than all by the oldest); for anything
 * else, and for no version at all (events from before versioning), the oldest.
 */
export function resolveApiVersion(version: string | null | undefined): PolarApiVersion {
  if (typeof version !== 'string') return DEFAULT_API_VERSION;
  if (KNOWN.has(version)) return version as PolarApiVersion;
  if (!DATED.test(version)) return DEFAULT_API_VERSION;
  if (version > NEWEST) return NEWEST;
  let found: PolarApiVersion = DEFAULT_API_VERSION;
  for (const known of API_VERSIONS) if (known <= version) found = known;
  return found;
}

/**
 * Checks an `apiVersion` option: `undefined`, or one of {@link API_VERSIONS}.
 *
 * @throws {@link WebhookConfigurationError} `invalid_option`, naming the valid values.
 */
export function checkApiVersionOption(value: unknown, where: string): PolarApiVersion | undefined {
  if (value === undefined || isPolarApiVersion(value)) return value;
  throw new WebhookConfigurationError(
    'invalid_option',
    `${where}: apiVersion must be one of ${API_VERSIONS.map((v) => `'${v}'`).join(', ')} (the version your ` +
      `endpoint is set to in Polar's dashboard), got ${typeof value === 'string' ? `'${value}'` : String(value)}.`,
  );
}
