import { WebhookConfigurationError, WebhookVerificationError } from '../errors';

/** Default tolerance, in seconds, between the delivery's timestamp and the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const DIGITS = /^[0-9]{1,15}$/;

/** Reads a tolerance option, refusing values that would silently disable the check. */
export function readTolerance(tolerance: number | undefined): number {
  if (tolerance === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `options.tolerance must be a finite number of seconds ≥ 0 (got ${String(tolerance)}). ` +
        `Leave it out for the default of ${DEFAULT_TOLERANCE_SECONDS} s.`,
    );
  }
  return tolerance;
}

/** Reads `options.now`, the clock to verify against. */
export function readNow(now: Date | undefined): number {
  if (now === undefined) return Date.now();
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new WebhookConfigurationError(
      'invalid_option',
      'options.now must be a valid Date (or left out to use the current time).',
    );
  }
  return ms;
}

/**
 * Parses the `webhook-timestamp` header (Unix seconds, digits only) and checks it lies within
 * `tolerance` seconds of `nowMs`, in both directions.
 *
 * @returns The timestamp in Unix seconds.
 */
export function checkTimestamp(raw: string, nowMs: number, tolerance: number): number {
  if (!DIGITS.test(raw)) {
    throw new WebhookVerificationError(
      'malformed_timestamp',
      `The webhook-timestamp header must be whole Unix seconds written in digits only; got "${raw.slice(0, 40)}".`,
    );
  }
  const seconds = Number(raw);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (raw.length >= 13 && Math.abs(seconds / 1000 - nowSeconds) < 10 * 365 * 86400) {
    throw new WebhookVerificationError(
      'malformed_timestamp',
      `The webhook-timestamp "${raw}" looks like milliseconds; Standard Webhooks timestamps are Unix seconds. ` +
        'If you signed this request yourself, divide Date.now() by 1000 (signPayload from polar-webhooks/testing does it for you).',
    );
  }
  const age = nowSeconds - seconds;
  if (age > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `The delivery is ${age} s old, more than the ${tolerance} s tolerance: it may be a replay. ` +
        "If genuine deliveries fail this way, your server's clock is behind: sync it (NTP). " +
        'To re-verify a stored delivery, pass options.now with the time it arrived.',
    );
  }
  if (-age > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `The delivery is timestamped ${-age} s in the future, more than the ${tolerance} s tolerance. ` +
        "If genuine deliveries fail this way, your server's clock is ahead: sync it (NTP).",
    );
  }
  return seconds;
}
