/**
 * Builds signed deliveries for tests with node:crypto directly, independently of the library's
 * own signPayload, so that a bug in one cannot hide a bug in the other.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type KeyScheme = 'standard' | 'legacy';

/** A Standard Webhooks secret: whsec_ + padded base64 of 32 random bytes. */
export function standardSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A legacy whsec_ secret: whsec_ + 43 URL-safe characters (the whole string is the key). */
export function legacyWhsecSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** A legacy polar_whs_ secret. */
export function legacyPolarSecret(): string {
  return `polar_whs_${randomBytes(32).toString('base64url')}`;
}

/** The HMAC key bytes a secret yields under a scheme. */
export function keyOf(secret: string, scheme: KeyScheme): Buffer {
  if (scheme === 'legacy') return Buffer.from(secret, 'utf8');
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

export function sign(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): string {
  const mac = createHmac('sha256', key);
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export interface Delivery {
  body: string;
  headers: Record<string, string>;
  id: string;
  timestamp: number;
}

export function delivery(
  secret: string,
  scheme: KeyScheme,
  body = '{"type":"order.paid","data":{"id":"1"}}',
  options: { id?: string; timestamp?: number } = {},
): Delivery {
  const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    id,
    timestamp,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(keyOf(secret, scheme), id, String(timestamp), body),
    },
  };
}
