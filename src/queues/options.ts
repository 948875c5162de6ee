/**
 * What the queue engines share: their options checked when they are built (a wrong value throws
 * there, with how to fix it, instead of failing every delivery later), and a bound on how long a
 * write may take.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';

/**
 * Default `timeoutMs` of every engine: Redis and PostgreSQL clients queue commands while they
 * reconnect, for longer than Polar waits for an answer (10 s). A write that is not confirmed by then
 * is answered 503, so that Polar retries it; if it did land after all, the retry is a duplicate,
 * which the engine drops by its job id.
 */
export const DEFAULT_ENQUEUE_TIMEOUT_MS = 5000;

/** An option that must be a whole number of at least `min`, or its default. */
export function wholeNumber(where: string, name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} must be a whole number ≥ ${min} (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}

/** An option that must be a number of at least `min`, or its default. */
export function atLeast(where: string, name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} must be a number ≥ ${min} (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}

/** An option that must be a boolean, or its default. */
export function flag(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} must be true or false (got ${String(value)}); leave it out for ${String(fallback)}.`,
    );
  }
  return value;
}

/** An option that must be a non-empty string made of `pattern`, or its default. */
export function name(where: string, option: string, value: unknown, fallback: string, pattern: RegExp): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${option} must be a string matching ${String(pattern)} (got ${JSON.stringify(value)}); leave it out for "${fallback}".`,
    );
  }
  return value;
}

/** Throws `invalid_argument` unless `value` is an object with every method in `methods`: what it must be, said plainly. */
export function argument(where: string, what: string, value: unknown, methods: readonly string[]): void {
  const missing =
    value === null || (typeof value !== 'object' && typeof value !== 'function')
      ? methods[0]
      : methods.find((method) => typeof (value as Record<string, unknown>)[method] !== 'function');
  if (missing !== undefined) {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `${where}: expected ${what}, got ${value === null ? 'null' : typeof value} with no ${missing}() method.`,
    );
  }
}

/** Settles like `work`, or rejects once `ms` milliseconds have passed without an answer. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} was not confirmed within ${ms} ms (timeoutMs).`)), ms);
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
