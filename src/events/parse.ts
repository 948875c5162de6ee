/**
 * Turning a verified webhook body into a typed event: JSON, the API version it was made in, and
 * the generated guard of its type (no zod on this path; zod only if you ask for its issues).
 *
 * @module
 */
import { type PayloadIssue, UnknownEventTypeError, WebhookPayloadError } from '../errors';
import { checkApiVersionOption, resolveApiVersion, type PolarApiVersion } from './api-version';
import type { PolarWebhookEvent, PolarWebhookEventType } from './catalogue';
import { EVENT_GUARDS, VERSION_BITS } from './generated/guards';
import { createIssueSink, MAX_ISSUES } from './guard-issues';
import { dropProtoKeys, mayHoldProtoKey, withoutProtoKeys } from './proto-keys';

/** The part of a zod issue a rejection is explained with (zod's own type, described here so that no zod types are needed). */
export interface SchemaIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** For a failed union: the issues of each member. */
  readonly errors?: readonly (readonly SchemaIssue[])[];
}

/** What {@link ParseEventOptions.zodSchemas} needs of a zod schema: its `safeParse`. */
export interface ParsableSchema {
  /** zod's `safeParse`: the value when it passes, or the issues that explain why not. */
  safeParse(
    value: unknown,
  ):
    | { readonly success: true; readonly data: unknown }
    | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };
}

/**
 * zod schemas by API version and event type, as `EVENT_SCHEMAS` from `polar-webhooks/schemas`
 * has them: what {@link ParseEventOptions.zodSchemas} takes.
 */
export type EventSchemasByVersion = {
  readonly [V in PolarApiVersion]?: { readonly [type: string]: ParsableSchema | undefined };
};

/** Options of {@link parseEvent} and {@link safeParseEvent}. */
export interface ParseEventOptions {
  /**
   * The API version your endpoint is set to in Polar's dashboard. A payload made in another
   * version is still read by its own version's schemas; the result then says so
   * (`versionMismatch`), which usually means the endpoint's version was changed in the dashboard.
   */
  readonly apiVersion?: PolarApiVersion | undefined;
  /**
   * The `webhook-api-version` header, as received. The payload's own `api_version` decides which
   * schemas read it: the payload is signed and is the one Polar stored when the event happened,
   * while the header is made at each attempt, so a redelivered event from before versioning comes
   * with a header but no `api_version` (it is read by the oldest version).
   */
  readonly deliveredVersion?: string | null | undefined;
  /**
   * zod schemas (`EVENT_SCHEMAS` from `polar-webhooks/schemas`) to explain a rejection with zod's
   * own issues: the `WebhookPayloadError` then lists zod's issues and carries zod's error as its
   * `cause`. Without it no zod is loaded. A payload with more than 100 problems is not handed to
   * zod (its issues would cost time and memory without bound): you get the first 100 from the guards.
   */
  readonly zodSchemas?: EventSchemasByVersion | undefined;
}

/** An explicit version that differs from the one the endpoint is pinned to. */
export interface ApiVersionMismatch {
  /** The version the endpoint is pinned to (the `apiVersion` option). */
  readonly expected: PolarApiVersion;
  /** The version the payload says it is in. */
  readonly received: string;
}

/** A successful parse of a payload read by API version `V`. */
export interface ParsedEvent<V extends PolarApiVersion = PolarApiVersion> {
  readonly success: true;
  readonly event: PolarWebhookEvent<PolarWebhookEventType, V>;
  /** The version whose schemas read the payload (`event` is typed by it). */
  readonly apiVersion: V;
  /** Set when the payload says a version other than the `apiVersion` option. */
  readonly versionMismatch?: ApiVersionMismatch;
}

/** What {@link safeParseEvent} returns: the event, or the error {@link parseEvent} would throw. */
export type ParseEventResult =
  | { [V in PolarApiVersion]: ParsedEvent<V> }[PolarApiVersion]
  | { readonly success: false; readonly error: WebhookPayloadError | UnknownEventTypeError };

const MAX_LISTED_PATHS = 3;

const utf8 = new TextDecoder();

/** A raw body as text, for JSON parsing (once its bytes have been verified, where that applies). */
export function bodyText(body: string | ArrayBuffer | ArrayBufferView): string {
  return typeof body === 'string' ? body : utf8.decode(body);
}

const guardOf = (type: string) =>
  Object.hasOwn(EVENT_GUARDS, type) ? EVENT_GUARDS[type as PolarWebhookEventType] : undefined;

/**
 * Parse and validate a webhook payload: the raw body (`string`, `Uint8Array` or `ArrayBuffer`, parsed
 * as JSON) or a value that is already parsed. The API version's schemas are picked by the payload's
 * own `api_version` (none: the oldest version, as for every event from before Polar versioned its
 * webhooks; one this package does not know: the closest it knows), the event's by `type`.
 *
 * The result keeps the wire shape: snake_case keys, date-times as ISO strings, and fields this version
 * does not know (Polar adds some) are kept, so `JSON.stringify(event)` gives the data back. A valid
 * payload is returned as parsed, not copied: given an object, you get that same object back (unless
 * it holds an own `__proto__` key, which is left out at any depth, as zod leaves it out).
 *
 * This does not check the signature: use `validateEvent` on untrusted requests.
 *
 * @throws {@link WebhookPayloadError} `invalid_json` when the body is not JSON (the raw text is
 *   attached as `payload`), `invalid_payload` when it is not an object with a string `type`, or does
 *   not match the schema of its type (`issues` lists each problem with its path, the first 100).
 * @throws {@link UnknownEventTypeError} when `type` is not one this version knows.
 * @throws {@link WebhookConfigurationError} `invalid_option` when `options.apiVersion` is not a version
 *   this package knows.
 *
 * @example
 * ```ts
 * const event = parseEvent(rawBody, { apiVersion: '2026-10' });
 * if (event.type === 'order.paid') grantAccess(event.data.customer_id);
 * ```
 */
export function parseEvent(input: unknown, options?: ParseEventOptions): PolarWebhookEvent {
  const result = safeParseEvent(input, options);
  if (result.success) return result.event;
  throw result.error;
}

/**
 * Like {@link parseEvent}, but returns `{ success: true, event, apiVersion, versionMismatch? }` or
 * `{ success: false, error }` instead of throwing (a bad `options.apiVersion` still throws).
 */
export function safeParseEvent(input: unknown, options?: ParseEventOptions): ParseEventResult {
  const pinned = checkApiVersionOption(options?.apiVersion, 'parseEvent');
  let payload: unknown;
  if (typeof input === 'string' || input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const text = bodyText(input);
    try {
      payload = mayHoldProtoKey(text) ? JSON.parse(text, dropProtoKeys) : JSON.parse(text);
    } catch (cause) {
      return fail(
        new WebhookPayloadError(
          'invalid_json',
          `The webhook body is not valid JSON (${cause instanceof Error ? cause.message : String(cause)}). ` +
            'Pass the body exactly as received; the raw text is attached as `error.payload`.',
          { payload: text, cause },
        ),
      );
    }
  } else {
    try {
      payload = withoutProtoKeys(input);
    } catch {
      // a getter that throws on a hand-built object: the guard meets it too, and rejects the payload
      payload = input;
    }
  }

  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return fail(
      new WebhookPayloadError(
        'invalid_payload',
        `A webhook payload must be a JSON object with a string \`type\`, got ${describeValue(payload)}. ` +
          'The value is attached as `error.payload`.',
        { payload },
      ),
    );
  }

  const type = (payload as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return fail(
      new WebhookPayloadError(
        'invalid_payload',
        `The webhook payload has no string \`type\` (got ${describeValue(type)}), so its event cannot be told. ` +
          'The payload is attached as `error.payload`.',
        { payload, issues: [{ path: ['type'], message: 'Expected a string event type' }] },
      ),
    );
  }

  const guard = guardOf(type);
  if (!guard) return fail(new UnknownEventTypeError(type, payload));

  const declared = (payload as { api_version?: unknown }).api_version;
  const explicit = typeof declared === 'string' ? declared : undefined;
  const apiVersion = resolveApiVersion(explicit);
  const bit = VERSION_BITS[apiVersion];

  let thrown: unknown;
  let passed = false;
  try {
    passed = guard(payload, bit);
  } catch (error) {
    // a getter on a hand-built object: not something a JSON body can hold
    thrown = error;
  }
  if (passed) {
    const versionMismatch =
      pinned !== undefined && explicit !== undefined && explicit !== pinned
        ? { expected: pinned, received: explicit }
        : undefined;
    return (
      versionMismatch
        ? { success: true, event: payload, apiVersion, versionMismatch }
        : { success: true, event: payload, apiVersion }
    ) as ParseEventResult;
  }

  const sink = createIssueSink(MAX_ISSUES);
  if (thrown === undefined) {
    try {
      guard(payload, bit, sink);
    } catch (error) {
      thrown = error;
    }
  }
  let issues: readonly PayloadIssue[] = sink.list.issues;
  let more = sink.list.more;
  let cause: unknown = thrown;
  const zodSchema = options?.zodSchemas?.[apiVersion]?.[type];
  if (zodSchema && !more) {
    const result = zodSchema.safeParse(payload);
    if (result.success) return { success: true, event: result.data, apiVersion } as ParseEventResult;
    issues = flattenZodIssues(result.error.issues, []);
    more = issues.length > MAX_ISSUES;
    issues = issues.slice(0, MAX_ISSUES);
    cause = result.error;
  }
  if (issues.length === 0) {
    issues = [
      { path: [], message: `Could not be checked: ${thrown instanceof Error ? thrown.message : String(thrown)}` },
    ];
  }
  return fail(invalidPayload(type, apiVersion, payload, issues, more, cause));
}

function invalidPayload(
  type: string,
  apiVersion: PolarApiVersion,
  payload: unknown,
  issues: readonly PayloadIssue[],
  more: boolean,
  cause: unknown,
): WebhookPayloadError {
  const listed = issues
    .slice(0, MAX_LISTED_PATHS)
    .map((issue) => `${formatPath(issue.path)} (${issue.message})`)
    .join(', ');
  const rest = issues.length - MAX_LISTED_PATHS;
  const tail = more
    ? ` and more (the first ${issues.length} are in \`error.issues\`)`
    : rest > 0
      ? ` and ${rest} more`
      : '';
  return new WebhookPayloadError(
    'invalid_payload',
    `The "${type}" payload does not match its schema at ${listed}${tail}, read as API version ${apiVersion}. ` +
      'The delivery is genuine but shaped differently than this version of polar-webhooks expects ' +
      '(Polar may have changed it): acknowledge it, handle `error.payload` yourself if you need to, ' +
      'and upgrade polar-webhooks.',
    { payload, eventType: type, issues, cause },
  );
}

const fail = (error: WebhookPayloadError | UnknownEventTypeError): ParseEventResult => ({ success: false, error });

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

/** `['data', 'items', 0, 'amount']` → `data.items[0].amount`. */
function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : text ? `.${key}` : key;
  return text || '(root)';
}

/**
 * zod issues → `{ path, message }`. A failed union reports the branch that came closest (fewest
 * issues), so a broken legacy price reads "data.prices[0].price_amount: required", not "invalid
 * input" — the same rule the guards' own explanations follow.
 */
export function flattenZodIssues(issues: readonly SchemaIssue[], prefix: readonly (string | number)[]): PayloadIssue[] {
  const out: PayloadIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
    if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => flattenZodIssues(branch, path));
      const atUnion = branches.every((branch) => branch.every((i) => i.path.length === path.length));
      if (atUnion) {
        const messages = [...new Set(branches.flat().map((i) => i.message))];
        out.push({ path, message: messages.join('; or ') });
      } else {
        out.push(...branches.reduce((best, branch) => (branch.length < best.length ? branch : best)));
      }
      continue;
    }
    out.push({ path, message: issue.message });
  }
  return out;
}
