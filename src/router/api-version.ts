/**
 * The router's side of API versions: a payload made in another version than the endpoint's
 * `apiVersion` is still read by its own version's schemas, and reported once per version, since it
 * usually means the endpoint's version was changed in Polar's dashboard.
 *
 * @module
 */
import type { ApiVersionMismatch } from '../events/parse';
import type { RouterState } from './state';

/** How many distinct payload versions are remembered for the report-once rule. */
const MAX_REPORTED = 32;

/** Reports a payload version that differs from the endpoint's, once per version. */
export function reportVersionMismatch(state: RouterState, mismatch: ApiVersionMismatch, id: string): void {
  const reported = state.config.reportedVersions;
  if (reported.has(mismatch.received) || reported.size >= MAX_REPORTED) return;
  reported.add(mismatch.received);
  try {
    state.config.logger.warn(
      `polar-webhooks: webhook-id ${id} was made in API version ${mismatch.received}, but this endpoint is set to ` +
        `${mismatch.expected}; it was read by ${mismatch.received}'s schemas and handled. If you changed the ` +
        "endpoint's version in Polar's dashboard, set apiVersion to match; events created before the change keep " +
        'their old shape when Polar redelivers them. Logged once per version.',
    );
  } catch {
    // A broken logger must not break the delivery.
  }
}
