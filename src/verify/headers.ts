import { WebhookVerificationError } from '../errors';

/**
 * Anything that carries the request headers: a Fetch `Headers` (or any object with a
 * `get(name)` method), a Node `IncomingHttpHeaders`, or a plain record in any letter case.
 */
export type WebhookHeaders =
  | {
      /** Returns the value of the header `name` (looked up in lower case), or null/undefined when absent. */
      get(name: string): string | null | undefined;
    }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The three signed-delivery headers, read and checked for presence. */
export interface DeliveryHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

function fromRecord(headers: HeaderRecord, name: string): string | readonly string[] | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  // Plain records written by hand often use `Webhook-Id` or `WEBHOOK-ID`.
  for (const key in headers) {
    if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

function notText(name: string, value: unknown): WebhookVerificationError {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array holding a non-string' : typeof value;
  return new WebhookVerificationError(
    'malformed_header',
    `The ${name} header is ${kind}, not text. Pass the request's headers as received (a Fetch Headers, Node's ` +
      'req.headers, or a record of strings); a header value built by hand must be a string.',
  );
}

/** One header's value as text: a repeated header must repeat the same value (or, when `joinAll`, is joined). */
function single(name: string, value: unknown, joinAll: boolean): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (!Array.isArray(value)) throw notText(name, value);
  for (const item of value) if (typeof item !== 'string') throw notText(name, item);
  const values = value as readonly string[];
  if (joinAll) return values.join(' ');
  if (values.length <= 1 || values.every((v) => v === values[0])) return values[0];
  throw new WebhookVerificationError(
    'malformed_header',
    `The ${name} header was sent ${values.length} times with different values; a delivery carries exactly one. ` +
      'Check that no proxy in front of your app adds or duplicates it.',
  );
}

function readOne(headers: WebhookHeaders, name: string, joinAll: boolean): string | undefined {
  const value: unknown =
    typeof (headers as { get?: unknown }).get === 'function'
      ? ((headers as { get(name: string): unknown }).get(name) ?? undefined)
      : fromRecord(headers as HeaderRecord, name);
  return single(name, value, joinAll);
}

/**
 * Reads one header from any header shape, case-insensitively; `undefined` when absent, or when the
 * value is not text (headers outside the signature are only ever hints).
 */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  try {
    return readOne(headers, name, false);
  } catch {
    return undefined;
  }
}

/**
 * Reads `webhook-id`, `webhook-timestamp` and `webhook-signature` (or their `svix-*` aliases)
 * from any header shape, case-insensitively.
 *
 * @throws {@link WebhookVerificationError} `missing_header` when one is absent or empty, `malformed_header`
 *   when one is not text or is repeated with different values.
 */
export function readDeliveryHeaders(headers: WebhookHeaders): DeliveryHeaders {
  if (headers === null || typeof headers !== 'object') {
    throw new WebhookVerificationError(
      'missing_header',
      `Expected the request headers (a Headers object, req.headers, or a plain record), got ${headers === null ? 'null' : typeof headers}.`,
    );
  }
  let prefix = 'webhook-';
  let id = readOne(headers, 'webhook-id', false);
  if (id === undefined) {
    const alias = readOne(headers, 'svix-id', false);
    if (alias !== undefined) {
      prefix = 'svix-';
      id = alias;
    }
  }
  const timestamp = readOne(headers, `${prefix}timestamp`, false);
  const signature = readOne(headers, `${prefix}signature`, true);
  if (!id || !timestamp || !signature) {
    const missing = [
      id ? undefined : `${prefix}id`,
      timestamp ? undefined : `${prefix}timestamp`,
      signature ? undefined : `${prefix}signature`,
    ].filter((n): n is string => n !== undefined);
    throw new WebhookVerificationError(
      'missing_header',
      `Missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}. Polar sends webhook-id, webhook-timestamp and ` +
        'webhook-signature on every delivery. Pass the whole headers object of the request (a Fetch Headers, or ' +
        "Node's req.headers); copying a Headers object with {...headers} or Object.entries() silently drops every header.",
    );
  }
  return { id, timestamp, signature };
}
