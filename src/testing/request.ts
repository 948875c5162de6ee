/**
 * Signed webhook `Request`s for tests of your endpoint: what Polar would send, built in one call.
 *
 * @module
 */
import type { PolarWebhookEvent } from '../events/catalogue';
import { signPayload } from './sign';

interface SignedRequestCommon {
  /** The endpoint secret to sign with, as shown in the Polar dashboard. */
  secret: string;
  /** Where the request goes. Default: `http://localhost/webhooks/polar`. */
  url?: string | URL;
  /** The `webhook-id` header. Default: a fresh random id. */
  id?: string;
  /** When the delivery is sent: a `Date` or Unix seconds. Default: now. */
  timestamp?: Date | number;
  /** Which key the secret yields; see `signPayload`. Default: the one Polar uses for that secret. */
  scheme?: 'standard' | 'legacy';
  /** More headers to send (they can override the defaults, not the signature headers). */
  headers?: Record<string, string>;
}

/**
 * Options of {@link createSignedRequest}: the `event` to send (serialized with `JSON.stringify`), or
 * the exact `body` (e.g. a payload this version would reject, or bytes), plus the secret.
 */
export type CreateSignedRequestOptions = SignedRequestCommon &
  ({ event: PolarWebhookEvent; body?: never } | { body: string | Uint8Array; event?: never });

/** The URL {@link createSignedRequest} posts to unless told otherwise. */
export const DEFAULT_WEBHOOK_URL = 'http://localhost/webhooks/polar';

/**
 * A Fetch `Request` shaped like a Polar delivery: `POST`, `content-type: application/json`,
 * `user-agent: polar.sh webhooks`, and the three `webhook-*` headers signed over the body.
 * Hand it to a Request → Response handler, or send its parts to a running server.
 *
 * @example
 * ```ts
 * import { createEvent, createSignedRequest } from 'polar-webhooks/testing';
 *
 * const request = createSignedRequest({ event: createEvent('order.paid'), secret });
 * const response = await app.fetch(request); // Hono, Next.js route handlers, Workers...
 * ```
 */
export function createSignedRequest(options: CreateSignedRequestOptions): Request {
  const body = options.event !== undefined ? JSON.stringify(options.event) : options.body;
  const signed = signPayload({
    body,
    secret: options.secret,
    ...(options.id !== undefined && { id: options.id }),
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
    ...(options.scheme !== undefined && { scheme: options.scheme }),
  });
  const apiVersion = options.event?.api_version;
  return new Request(options.url ?? DEFAULT_WEBHOOK_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'polar.sh webhooks',
      ...(typeof apiVersion === 'string' && { 'webhook-api-version': apiVersion }),
      ...options.headers,
      ...signed,
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}
