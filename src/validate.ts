import type { PolarWebhookEvent } from './events/catalogue';
import { bodyText, parseEvent, type ParseEventOptions } from './events/parse';
import { readHeader, type WebhookHeaders } from './verify/headers';
import {
  VERIFY_OPTION_NAMES,
  verifyOnAnyRuntime,
  verifyWithNodeCrypto,
  type VerifyCaller,
  type VerifyOptions,
  type WebhookBody,
  type WebhookSecret,
} from './verify/verify';

/** Options of {@link validateEvent} and {@link validateEventAsync}: those of verification and of parsing. */
export interface ValidateEventOptions extends VerifyOptions, Pick<ParseEventOptions, 'apiVersion' | 'zodSchemas'> {}

const OPTION_NAMES: ReadonlySet<string> = new Set([...VERIFY_OPTION_NAMES, 'apiVersion', 'zodSchemas']);

/** What parsing is given: the pinned version and zod's schemas from the options, the version header. */
function parseOptions(headers: WebhookHeaders, options: ValidateEventOptions | undefined): ParseEventOptions {
  return {
    apiVersion: options?.apiVersion,
    zodSchemas: options?.zodSchemas,
    deliveredVersion: readHeader(headers, 'webhook-api-version'),
  };
}
const SYNC: VerifyCaller = { name: 'validateEvent', optionNames: OPTION_NAMES };
const ASYNC: VerifyCaller = { name: 'validateEventAsync', optionNames: OPTION_NAMES };

/**
 * Verifies a delivery and returns its typed, runtime-validated event; synchronous, on `node:crypto`.
 *
 * Equivalent to {@link verifySignature} followed by {@link parseEvent}. To also get the webhook
 * id (the idempotency key), call those two yourself, or use `createWebhooks`.
 *
 * @param body - The raw request body, exactly as received.
 * @param headers - The request headers: a Fetch `Headers`, Node's `req.headers`, or a plain record.
 * @param secret - The endpoint's secret, or a list of secrets during a rotation.
 * @returns The event, typed by its `type`.
 * @throws {@link WebhookVerificationError} when the delivery is not proven to come from Polar;
 *   {@link WebhookConfigurationError} when the secret, an option or the runtime is wrong;
 *   {@link UnknownEventTypeError} for a genuine delivery of an event type this version does not
 *   know; {@link WebhookPayloadError} for a genuine delivery whose payload does not match its schema.
 *   The error's `status` says what to answer (2xx for the last two: never make Polar retry those).
 *
 * @example
 * ```ts
 * import { validateEvent } from 'polar-webhooks';
 *
 * const event = validateEvent(rawBody, req.headers, process.env.POLAR_WEBHOOK_SECRET!);
 * if (event.type === 'order.paid') {
 *   console.log(event.data.total_amount); // typed as number, and checked at run time
 * }
 * ```
 */
export function validateEvent(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: ValidateEventOptions,
): PolarWebhookEvent {
  verifyWithNodeCrypto(body, headers, secret, options, SYNC);
  return parseEvent(bodyText(body), parseOptions(headers, options));
}

/**
 * {@link validateEvent} as a Promise, on every runtime: Web Crypto where `node:crypto` is absent
 * (Cloudflare Workers, Vercel Edge, browsers), `node:crypto` where present.
 *
 * @example
 * ```ts
 * import { validateEventAsync } from 'polar-webhooks';
 *
 * export async function POST(request: Request) {
 *   const event = await validateEventAsync(await request.text(), request.headers, process.env.POLAR_WEBHOOK_SECRET!);
 *   return Response.json({ received: event.type }, { status: 202 });
 * }
 * ```
 */
export async function validateEventAsync(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: ValidateEventOptions,
): Promise<PolarWebhookEvent> {
  await verifyOnAnyRuntime(body, headers, secret, options, ASYNC);
  return parseEvent(bodyText(body), parseOptions(headers, options));
}
