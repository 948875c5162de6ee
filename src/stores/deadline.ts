/**
 * A bound on how long a store's round trip may take. Clients of Redis and PostgreSQL queue commands
 * while they reconnect, for longer than Polar waits for an answer (10 s); a store that does not
 * answer soon must fail the delivery with a 503, so that Polar retries it, instead of hanging it.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';

/** Default of every store's `timeoutMs`: far above a loopback round trip, far below Polar's 10 s. */
export const DEFAULT_STORE_TIMEOUT_MS = 2000;

/** Settles like `work`, or rejects once `ms` milliseconds have passed without an answer. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not answer within ${ms} ms (the store's timeoutMs).`));
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** A store option that is a positive whole number of milliseconds, or its default. */
export function storeMilliseconds(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} must be a positive whole number of milliseconds (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}
