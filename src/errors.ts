/**
 * Every error this library throws is a {@link PolarWebhookError}: it carries a machine-readable
 * `code`, the HTTP `status` a webhook endpoint should answer with, and a message that says how to
 * fix the cause.
 *
 * @module
 */

/** Machine-readable codes of {@link WebhookVerificationError}: the delivery is not proven to come from Polar. */
export type WebhookVerificationErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'malformed_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

/** Machine-readable codes of {@link WebhookConfigurationError}: the receiving side is set up wrong. */
export type WebhookConfigurationErrorCode =
  | 'invalid_secret'
  | 'invalid_option'
  | 'invalid_argument'
  | 'unsupported_runtime'
  | 'body_already_parsed'
  | 'invalid_body';

/** Machine-readable codes of {@link WebhookPayloadError}. */
export type WebhookPayloadErrorCode = 'invalid_json' | 'invalid_payload';

/** Machine-readable codes of {@link WebhookRequestError}. */
export type WebhookRequestErrorCode = 'method_not_allowed' | 'body_too_large';

/** Machine-readable codes of {@link WebhookProcessingError}. */
export type WebhookProcessingErrorCode =
  'delivery_in_progress' | 'handler_timeout' | 'store_unavailable' | 'queue_unavailable' | 'invalid_job';

/** Every machine-readable error code this library uses. */
export type PolarWebhookErrorCode =
  | WebhookVerificationErrorCode
  | WebhookConfigurationErrorCode
  | WebhookPayloadErrorCode
  | WebhookRequestErrorCode
  | WebhookProcessingErrorCode
  | 'unknown_event_type'
  | 'handler_failed';

/**
 * The HTTP status an endpoint should answer for each error code.
 *
 * - 400: the request is malformed (a header is missing or unreadable).
 * - 403: the request is well formed but not provably from Polar (bad signature, stale timestamp).
 * - 202: a genuine delivery that this version cannot use (new event type, unexpected payload).
 *   It is acknowledged, because any non-2xx makes Polar retry and, after ten failures in a row,
 *   disable the endpoint, losing every later event.
 * - 500: a problem on the receiving side (configuration, runtime, a handler that threw); Polar
 *   retries, which is what you want once the cause is fixed.
 * - 409 / 503: a genuine delivery that cannot be finished now (its first copy is still running, the
 *   handlers outran the time budget, the idempotency store is down); Polar retries it later.
 */
export const ERROR_STATUS: Readonly<Record<PolarWebhookErrorCode, number>> = Object.freeze({
  missing_header: 400,
  malformed_header: 400,
  malformed_timestamp: 400,
  timestamp_too_old: 403,
  timestamp_too_new: 403,
  no_matching_signature: 403,
  invalid_secret: 500,
  body_already_parsed: 500,
  invalid_body: 500,
  invalid_option: 500,
  invalid_argument: 500,
  unsupported_runtime: 500,
  invalid_json: 202,
  invalid_payload: 202,
  unknown_event_type: 202,
  method_not_allowed: 405,
  body_too_large: 413,
  handler_failed: 500,
  delivery_in_progress: 409,
  handler_timeout: 503,
  store_unavailable: 503,
  queue_unavailable: 503,
  invalid_job: 500,
});

/**
 * Base class of every error thrown by polar-webhooks.
 *
 * @example
 * ```ts
 * try {
 *   validateEvent(body, headers, secret);
 * } catch (error) {
 *   if (error instanceof PolarWebhookError) {
 *     return new Response(error.message, { status: error.status });
 *   }
 *   throw error;
 * }
 * ```
 */
export class PolarWebhookError extends Error {
  /** Machine-readable reason, stable across versions. */
  readonly code: PolarWebhookErrorCode;
  /** The HTTP status a webhook endpoint should answer with. */
  readonly status: number;

  constructor(code: PolarWebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolarWebhookError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    brand(this, new.target);
  }

  /**
   * `instanceof` also recognises errors made by another copy of this package: the ESM and the
   * CommonJS builds loaded side by side in one app, or two installed versions.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const kinds = (value as { [BRAND]?: unknown } | null | undefined)?.[BRAND];
    return Array.isArray(kinds) && kinds.includes((this as { kind?: unknown }).kind);
  }

  /** Stable name of the class, recorded on its instances for `instanceof` across package copies. @internal */
  static readonly kind: string = 'PolarWebhookError';
}

/** Where an error records the classes it is an instance of, by stable name, for other copies of the package. */
const BRAND: unique symbol = Symbol.for('polar-webhooks.error-kinds') as never;

function brand(error: Error, target: unknown): void {
  const kinds: string[] = [];
  for (let c = target; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c as object, 'kind')) kinds.push((c as { kind: string }).kind);
  }
  Object.defineProperty(error, BRAND, { value: kinds });
}

/**
 * The delivery is not proven to come from Polar: a `webhook-*` header is missing or malformed (400),
 * or the timestamp or the signature does not check out (403). Answering its `status` is always right:
 * it is never raised for a problem on the receiving side (see {@link WebhookConfigurationError}).
 */
export class WebhookVerificationError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'WebhookVerificationError';
  declare readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * The receiving side is set up wrong, so no delivery can be checked: a missing, empty, quoted or
 * placeholder secret (`invalid_secret`), a misspelt or malformed option (`invalid_option`), a call
 * such as `webhooks.on()` given an event type or handler it cannot use (`invalid_argument`), a
 * synchronous function on a runtime without `node:crypto` (`unsupported_runtime`), or a framework that
 * parsed or dropped the raw body (`body_already_parsed`, `invalid_body`). Its status is 500: Polar
 * retries, and nothing is lost once the set-up is fixed. Never a sign of a forgery.
 */
export class WebhookConfigurationError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'WebhookConfigurationError';
  declare readonly code: WebhookConfigurationErrorCode;

  constructor(code: WebhookConfigurationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WebhookConfigurationError';
  }
}

/** One problem found while validating a payload: where it is, and what is wrong. */
export interface PayloadIssue {
  /** Path from the payload's root to the offending value, e.g. `['data', 'customer', 'email']`. */
  readonly path: readonly (string | number)[];
  /** What is wrong there, in words. */
  readonly message: string;
}

/**
 * A verified delivery whose body is not JSON (`invalid_json`) or does not match the schema of its
 * event type (`invalid_payload`). The raw payload is attached so nothing is lost.
 */
export class WebhookPayloadError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'WebhookPayloadError';
  declare readonly code: WebhookPayloadErrorCode;
  /** The payload as received: the parsed JSON value, or the raw text when it was not JSON. */
  readonly payload: unknown;
  /** The event type, when the payload names one. */
  readonly eventType: string | undefined;
  /** Every problem found, with its path. Empty for `invalid_json`. */
  readonly issues: readonly PayloadIssue[];

  constructor(
    code: WebhookPayloadErrorCode,
    message: string,
    details: { payload: unknown; eventType?: string | undefined; issues?: readonly PayloadIssue[]; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'WebhookPayloadError';
    this.payload = details.payload;
    this.eventType = details.eventType;
    this.issues = details.issues ?? [];
  }
}

/**
 * A verified delivery of an event type this version does not know (Polar adds types over time).
 * Its status is 202: acknowledge it, or Polar will retry and eventually disable the endpoint.
 */
export class UnknownEventTypeError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'UnknownEventTypeError';
  declare readonly code: 'unknown_event_type';
  /** The `type` the payload carries. */
  readonly eventType: string;
  /** The parsed payload, untouched. */
  readonly payload: unknown;

  constructor(eventType: string, payload: unknown) {
    super(
      'unknown_event_type',
      `Unknown event type "${eventType}". Polar may have added it after this version of polar-webhooks; ` +
        'acknowledge it (2xx) and handle the raw payload, or upgrade polar-webhooks.',
    );
    this.name = 'UnknownEventTypeError';
    this.eventType = eventType;
    this.payload = payload;
  }
}

/** The HTTP request itself cannot be accepted: wrong method (405) or a body over the size limit (413). */
export class WebhookRequestError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'WebhookRequestError';
  declare readonly code: WebhookRequestErrorCode;

  constructor(code: WebhookRequestErrorCode, message: string) {
    super(code, message);
    this.name = 'WebhookRequestError';
  }
}

/**
 * One or more of your handlers threw while processing a verified event. The status is 500 so that
 * Polar retries the delivery (with the same webhook id: make handlers idempotent).
 */
export class WebhookHandlerError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'WebhookHandlerError';
  declare readonly code: 'handler_failed';
  /** What the handlers threw, in the order they failed. */
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[], eventType: string) {
    super(
      'handler_failed',
      `${errors.length} handler${errors.length === 1 ? '' : 's'} failed for "${eventType}": ` +
        errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '),
      { cause: errors[0] },
    );
    this.name = 'WebhookHandlerError';
    this.errors = errors;
  }
}

/**
 * A verified delivery that cannot be finished right now, so Polar must retry it later:
 * - `delivery_in_progress` (409): a copy of it is being processed at this moment (idempotency), and
 *   did not finish within the wait; answering 2xx now would lose the event if that copy then failed;
 * - `handler_timeout` (503): the handlers had not settled within `timeout`, so the answer went out
 *   before Polar gives up (it waits 10 s); with idempotency the retry is deduplicated;
 * - `store_unavailable` (503): the idempotency store could not be reached, so the delivery was not
 *   claimed and no handler ran;
 * - `queue_unavailable` (503): the queue did not confirm the write of the delivery (the `queue` option);
 * - `invalid_job` (500, in a worker): a job that the `queue` option did not write, or that was changed.
 */
export class WebhookProcessingError extends PolarWebhookError {
  /** @internal */
  static override readonly kind: string = 'WebhookProcessingError';
  declare readonly code: WebhookProcessingErrorCode;

  constructor(code: WebhookProcessingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WebhookProcessingError';
  }
}
