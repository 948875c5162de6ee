import { WebhookConfigurationError } from '../errors';
import { encodeBase64 } from '../verify/base64';
import { nodeCrypto } from '../verify/hmac-node';
import { guessScheme, keysFor } from '../verify/secret';
import { hmacSha256 } from './sha256';

/** What {@link signPayload} signs, and how. */
export interface SignPayloadInput {
  /** The exact body to send: a string (e.g. `JSON.stringify(event)`) or its bytes. */
  body: string | Uint8Array;
  /** The endpoint secret to sign with, as shown in the Polar dashboard. */
  secret: string;
  /** The `webhook-id`. Default: a fresh random id of the form `msg_…`. */
  id?: string;
  /** When the delivery is sent: a `Date` or Unix seconds. Default: now. */
  timestamp?: Date | number;
  /**
   * Which key the secret yields. Default: Polar's own choice for a secret of that shape:
   * `polar_whs_…` and `whsec_` + 43 characters sign with the legacy key, other `whsec_` secrets
   * with the Standard Webhooks key.
   */
  scheme?: 'standard' | 'legacy';
}

/** The three headers of a signed delivery, ready to send or to pass to `validateEvent`. */
export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

const utf8 = new TextEncoder();

function randomId(): string {
  const bytes = new Uint8Array(18);
  const webCrypto = (globalThis as { crypto?: Crypto }).crypto;
  if (webCrypto?.getRandomValues) webCrypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `msg_${encodeBase64(bytes).replace(/\+/g, 'A').replace(/\//g, 'B')}`;
}

function toSeconds(timestamp: Date | number | undefined): number {
  if (timestamp === undefined) return Math.floor(Date.now() / 1000);
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `timestamp must be a Date or whole Unix seconds ≥ 0 (got ${String(timestamp)}). Date.now() is in milliseconds: divide it by 1000.`,
    );
  }
  return seconds;
}

/**
 * Signs a body the way Polar does, and returns the three `webhook-*` headers. Synchronous on
 * every runtime, so tests of your own endpoint can build deliveries anywhere.
 *
 * @example
 * ```ts
 * import { signPayload } from 'polar-webhooks/testing';
 *
 * const body = JSON.stringify(event);
 * const headers = signPayload({ body, secret: process.env.POLAR_WEBHOOK_SECRET! });
 * await fetch('http://127.0.0.1:3000/webhooks/polar', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', ...headers },
 *   body,
 * });
 * ```
 */
export function signPayload(input: SignPayloadInput): SignedHeaders {
  const scheme = input.scheme ?? (typeof input.secret === 'string' ? guessScheme(input.secret) : 'legacy');
  const entry = keysFor(input.secret, scheme);
  const key = entry.keys[0];
  if (key === undefined) {
    throw new WebhookConfigurationError('invalid_secret', 'The secret yields no signing key for this scheme.');
  }
  const id = input.id ?? randomId();
  const timestamp = String(toSeconds(input.timestamp));
  const prefix = utf8.encode(`${id}.${timestamp}.`);
  const body = typeof input.body === 'string' ? utf8.encode(input.body) : input.body;
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  const crypto = nodeCrypto();
  const mac = crypto
    ? new Uint8Array(crypto.createHmac('sha256', key.bytes).update(content).digest())
    : hmacSha256(key.bytes, content);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${encodeBase64(mac)}` };
}
