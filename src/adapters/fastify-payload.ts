/**
 * Reading the body stream an app-wide Fastify `preParsing` hook put in place of the request (a
 * decompressor, a raw-body tee): chunk by chunk, never holding more than the limit.
 *
 * @module
 */

import { bodyTooLarge, concat } from '../router/read-body';
import { CLIENT_ABORTED } from './node';

const utf8 = new TextEncoder();

/** Node reports a client that hung up, or a stream cut short because of it, by these codes. */
function isAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ECONNABORTED' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error as Error | null)?.message === 'aborted'
  );
}

/**
 * Reads `payload` to its end, or stops (and destroys it) as soon as it passes `limit`. Calls `done`
 * exactly once: with the bytes, or with the error (a `body_too_large` {@link WebhookRequestError},
 * the stream's error, or {@link CLIENT_ABORTED}).
 */
export function readPayload(
  payload: AsyncIterable<Uint8Array | string>,
  limit: number,
  done: (error: unknown, body: Uint8Array | undefined) => void,
): void {
  const read = async (): Promise<Uint8Array> => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const bytes = typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
      size += bytes.byteLength;
      // Leaving the loop destroys the stream: nothing more of it is read.
      if (size > limit) throw bodyTooLarge(limit);
      chunks.push(bytes);
    }
    return concat(chunks, size);
  };
  read().then(
    (body) => done(undefined, body),
    (error: unknown) => done(isAbort(error) ? CLIENT_ABORTED : error, undefined),
  );
}
