/**
 * Name-based UUIDs (version 5, RFC 9562 §5.5): the same name in the same namespace always gives the
 * same UUID. An engine whose job ids must be UUIDs (pg-boss) gets one per webhook id this way, so a
 * second copy of a delivery carries the same job id and the database's primary key refuses it.
 * SHA-1 comes from node:crypto when the runtime has it (reached at run time, never imported: five
 * times cheaper than a Web Crypto digest, which is a round trip to a thread pool), else Web Crypto.
 *
 * @module
 */

import { nodeCrypto } from '../verify/hmac-node';

/** The namespace of the job ids made from webhook ids. */
export const WEBHOOK_ID_NAMESPACE = '480bb272-d7a5-4780-927b-f3adcb09d8be';

function bytesOf(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError(`Not a UUID: ${uuid}`);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The version 5 UUID of `name` (its UTF-8 bytes) in `namespace`. */
export async function uuidV5(namespace: string, name: string): Promise<string> {
  const space = bytesOf(namespace);
  const text = new TextEncoder().encode(name);
  const input = new Uint8Array(space.length + text.length);
  input.set(space);
  input.set(text, space.length);
  const node = nodeCrypto();
  const hash =
    node === undefined
      ? new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', input))
      : node.createHash('sha1').update(input).digest();
  const bytes = hash.slice(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
