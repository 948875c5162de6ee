/**
 * Turning a verified webhook body into a typed event.
 *
 * @module
 */
import type { z } from 'zod/v4';

import { type PayloadIssue, UnknownEventTypeError, WebhookPayloadError } from '../errors';
import { EVENT_SCHEMAS, type PolarWebhookEvent } from './catalogue';
import { EVENT_GUARDS } from './generated/guards';

/** What {@link safeParseEvent} returns: the event, or the error {@link parseEvent} would throw. */
export type ParseEventResult =
  | { readonly success: true; readonly event: PolarWebhookEvent }
  | { readonly success: false; readonly error: WebhookPayloadError | UnknownEventTypeError };

// Looked up on the catalogue itself, not copied into a Map at load time: a module-level copy would
// keep every schema (and zod) in the bundles of apps that only verify signatures.
const schemaFor = (type: string): z.ZodType<PolarWebhookEvent> | undefined =>
  Object.hasOwn(EVENT_SCHEMAS, type)
    ? (EVENT_SCHEMAS as Record<string, z.ZodType<PolarWebhookEvent>>)[type]
    : undefined;
const MAX_LISTED_PATHS = 3;

const utf8 = new TextDecoder();

/** A raw body as text, for JSON parsing (once its bytes have been verified, where that applies). */
export function bodyText(body: string | ArrayBuffer | ArrayBufferView): string {
  return typeof body === 'string' ? body : utf8.decode(body);
}

/**
 * The fast path: the generated guard of the event's type, true exactly when its schema accepts the
 * payload. The schemas transform nothing (loose objects keep unknown keys, strings stay strings),
 * so an accepted payload is its own parsed value and zod need not rebuild it. A guard that throws
 * (a getter on a hand-built object) leaves the decision to zod.
 */
function passesGuard(type: string, payload: unknown): boolean {
  if (!Object.hasOwn(EVENT_GUARDS, type)) return false;
  try {
    return (EVENT_GUARDS as Record<string, (value: unknown) => boolean>)[type]!(payload);
  } catch {
    return false;
  }
}

/**
 * Parse and validate a webhook payload: the raw body (`string`, `Uint8Array` or `ArrayBuffer`, parsed
 * as JSON) or a value that is already parsed. The schema is picked by `type`, then applied once.
 *
 * The result keeps the wire shape: snake_case keys, date-times as ISO strings, and fields this version
 * does not know (Polar adds some) are kept, so `JSON.stringify(event)` gives the data back. A valid
 * payload is returned as parsed, not copied: given an object, you get that same object back.
 *
 * This does not check the signature: use `validateEvent` on untrusted requests.
 *
 * @throws {@link WebhookPayloadError} `invalid_json` when the body is not JSON (the raw text is
 *   attached as `payload`), `invalid_payload` when it is not an object with a string `type`, or does
 *   not match the schema of its type (`issues` lists each problem with its path).
 * @throws {@link UnknownEventTypeError} when `type` is not one this version knows.
 *
 * @example
 * ```ts
 * const event = parseEvent(rawBody);
 * if (event.type === 'order.paid') grantAccess(event.data.customer_id);
 * ```
 */
export function parseEvent(input: unknown): PolarWebhookEvent {
  const result = safeParseEvent(input);
  if (result.success) return result.event;
  throw result.error;
}

/**
 * Like {@link parseEvent}, but returns `{ success: true, event }` or `{ success: false, error }`
 * instead of throwing.
 */
export function safeParseEvent(input: unknown): ParseEventResult {
  let payload = input;
  if (typeof input === 'string' || input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const text = bodyText(input);
    try {
      payload = JSON.parse(text);
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

  const schema = schemaFor(type);
  if (!schema) return fail(new UnknownEventTypeError(type, payload));

  if (passesGuard(type, payload)) return { success: true, event: payload as PolarWebhookEvent };
  // zod decides whatever the guard turns down, and is the one that explains why
  const result = schema.safeParse(payload);
  if (result.success) return { success: true, event: result.data };

  const issues = flattenIssues(result.error.issues, []);
  const listed = issues
    .slice(0, MAX_LISTED_PATHS)
    .map((issue) => `${formatPath(issue.path)} (${issue.message})`)
    .join(', ');
  const more = issues.length > MAX_LISTED_PATHS ? ` and ${issues.length - MAX_LISTED_PATHS} more` : '';
  return fail(
    new WebhookPayloadError(
      'invalid_payload',
      `The "${type}" payload does not match its schema at ${listed}${more}. ` +
        'The delivery is genuine but shaped differently than this version of polar-webhooks expects ' +
        '(Polar may have changed it): acknowledge it, handle `error.payload` yourself if you need to, ' +
        'and upgrade polar-webhooks.',
      { payload, eventType: type, issues },
    ),
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
 * issues), so a broken legacy price reads "data.prices[0].price_amount: required", not "invalid input".
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly (string | number)[]): PayloadIssue[] {
  const out: PayloadIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => flattenIssues(branch, path));
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
