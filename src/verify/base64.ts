/**
 * Strict standard-alphabet base64 decoding that runs on every runtime (no Buffer, no atob).
 * Padding is optional; any character outside the alphabet makes the input invalid.
 */

const INVALID = 255;
const TABLE = new Uint8Array(128).fill(INVALID);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i++) TABLE[ALPHABET.charCodeAt(i)] = i;

/** Decodes `input`, or returns `undefined` when it is not valid base64. */
export function decodeBase64(input: string): Uint8Array<ArrayBuffer> | undefined {
  let end = input.length;
  if (end > 0 && input.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > 0 && input.charCodeAt(end - 1) === 61) end--;
  // With padding the length must be a multiple of 4; a lone sextet never encodes a whole byte.
  if (end !== input.length && input.length % 4 !== 0) return undefined;
  if (end % 4 === 1) return undefined;
  const out = new Uint8Array((end * 3) >>> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i);
    const v = c < 128 ? (TABLE[c] as number) : INVALID;
    if (v === INVALID) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + '=';
  }
  return out;
}
