/**
 * Reading a request body without ever holding more than the limit: the declared length checked before
 * a byte is read, a string body measured in UTF-8 bytes without encoding it, a Fetch body read in one
 * call or chunk by chunk, whichever is faster on the runtime.
 *
 * @module
 */

import { WebhookRequestError } from '../errors';

/** The error for a body over the limit, with how to raise it. */
export function bodyTooLarge(limit: number): WebhookRequestError {
  return new WebhookRequestError(
    'body_too_large',
    `The request body is larger than maxBodyBytes (${limit} bytes), so it was not read. Polar payloads are a few ` +
      'tens of KB; if a genuine delivery is larger, raise maxBodyBytes in createWebhooks().',
  );
}

/**
 * Reads a `content-length` header value and throws when it announces more than `limit` bytes, so
 * an oversized body is refused before a byte of it is read.
 *
 * @returns The declared length, or `undefined` when there is none or it is not a byte count.
 */
export function checkDeclaredLength(value: string | null | undefined, limit: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const length = Number(value);
  if (length > limit) throw bodyTooLarge(limit);
  return value !== '' && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code <= 0xdbff && code >= 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
      bytes += 2;
      i++;
    } else bytes += 2; // 3 bytes; a lone surrogate becomes U+FFFD, also 3 bytes
  }
  return bytes;
}

/** Whether a body that is already in memory is larger than `limit` bytes. */
export function exceedsLimit(body: string | Uint8Array | ArrayBuffer, limit: number): boolean {
  if (typeof body !== 'string') return body.byteLength > limit;
  // A UTF-16 unit takes one to three UTF-8 bytes: count exactly only when the bounds disagree.
  if (body.length > limit) return true;
  if (body.length * 3 <= limit) return false;
  return utf8Length(body) > limit;
}

let wholeReadIsFaster: boolean | undefined;

/**
 * Whether `Request.arrayBuffer()` beats reading the body stream chunk by chunk on this runtime.
 * It does, by two to five times, on Bun, Deno and Cloudflare Workers. On Node.js and in the Edge
 * Runtime sandbox, both built on undici, it is that same chunk loop in JavaScript followed by two
 * copies of the bytes, and reading the stream directly takes half the time; an unknown runtime
 * gets the stream loop too, which is correct everywhere.
 */
export function arrayBufferIsFaster(): boolean {
  if (wholeReadIsFaster === undefined) {
    const g = globalThis as { Bun?: unknown; Deno?: unknown; navigator?: { userAgent?: unknown } };
    wholeReadIsFaster = g.Bun !== undefined || g.Deno !== undefined || g.navigator?.userAgent === 'Cloudflare-Workers';
  }
  return wholeReadIsFaster;
}

/**
 * Reads a Fetch `Request` body into one byte array, holding no more than `limit` bytes of a body
 * received over HTTP. A `content-length` over the limit is refused before anything is read. A
 * declared length within the limit lets the body be read in one call where that is faster (see
 * {@link arrayBufferIsFaster}); otherwise the stream is read chunk by chunk, and cancelled as soon
 * as it passes the limit.
 *
 * @param whole - Read a body of declared length with `arrayBuffer()`; defaults to what is fastest here.
 * @throws {@link WebhookRequestError} `body_too_large`.
 */
export async function readRequestBody(
  request: Request,
  limit: number,
  whole: boolean = arrayBufferIsFaster(),
): Promise<Uint8Array> {
  const declared = checkDeclaredLength(request.headers.get('content-length'), limit);
  if (whole && declared !== undefined) {
    // HTTP framing keeps a received body to its content-length; only a Request built in process
    // can carry a longer one, and it is refused all the same.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw bodyTooLarge(limit);
    return bytes;
  }
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

/** Joins chunks into one array; a single chunk is returned as is. */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
