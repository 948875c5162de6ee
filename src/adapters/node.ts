/**
 * The one Node handler, shared by the Express middleware and the Next.js Pages Router: the raw body
 * from an `IncomingMessage` (read from the stream up to the limit, or taken from what a body parser
 * kept), the router's answer, and that answer written to the `ServerResponse`. No Node built-in is
 * imported, so Edge bundles that include this file (through `polar-webhooks/next`) never load
 * anything they cannot run.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PolarWebhookError, WebhookConfigurationError } from '../errors';
import { answerError } from '../router/answer';
import { bodyTooLarge, checkDeclaredLength, concat, utf8Length } from '../router/read-body';
import type { WebhookHttpDelivery, WebhookResponse, WebhookRouter } from '../router/types';
import type { WebhookBody } from '../verify/verify';

/** What a body parser that ran before the webhook handler may have left on the request. */
export interface ParsedBodyFields {
  /** Set by a body parser: the parsed value, or the raw bytes from `express.raw()`. */
  body?: unknown;
  /** The raw bytes, when a parser was told to keep them (`express.json({ verify })`). */
  rawBody?: unknown;
}

/** A Node request as Express or Next.js hands it over, perhaps after a body parser ran. */
export type NodeWebhookRequest = IncomingMessage & ParsedBodyFields;

const utf8 = new TextEncoder();

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What {@link readNodeBody} reports when the client went away before sending its whole body. */
export const CLIENT_ABORTED: unique symbol = Symbol('client aborted');

/** Node reports a client that hung up mid-body as an error named for it. */
function isAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || (error as Error | null)?.message === 'aborted';
}

/**
 * Reads a request body from the stream, chunk by chunk, and stops reading as soon as it passes
 * `limit` (the rest is never buffered). A `content-length` over the limit is refused before any
 * read. Calls `done` exactly once: with the bytes, or with the error (a `body_too_large`
 * {@link WebhookRequestError}, the stream's error, or {@link CLIENT_ABORTED}).
 */
export function readNodeBody(
  req: IncomingMessage,
  limit: number,
  done: (error: unknown, body: Uint8Array | undefined) => void,
): void {
  try {
    checkDeclaredLength(headerValue(req.headers['content-length']), limit);
  } catch (error) {
    done(error, undefined);
    return;
  }
  let chunks: Uint8Array | Uint8Array[] | undefined;
  let size = 0;
  const finish = (error: unknown, body: Uint8Array | undefined): void => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', onClose);
    done(error, body);
  };
  function onData(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > limit) {
      req.pause();
      finish(bodyTooLarge(limit), undefined);
      return;
    }
    // Most bodies arrive in one chunk: keep it as is, and make a list only for a second one.
    if (chunks === undefined) chunks = bytes;
    else if (Array.isArray(chunks)) chunks.push(bytes);
    else chunks = [chunks, bytes];
  }
  function onEnd(): void {
    finish(undefined, chunks === undefined ? new Uint8Array(0) : Array.isArray(chunks) ? concat(chunks, size) : chunks);
  }
  function onError(error: unknown): void {
    finish(isAbort(error) ? CLIENT_ABORTED : error, undefined);
  }
  function onClose(): void {
    finish(CLIENT_ABORTED, undefined);
  }
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}

/**
 * The raw body a body parser already read, when it kept one: `req.body` as bytes (`express.raw()`),
 * `req.rawBody` (`express.json({ verify })`), or `req.body` as text (`express.text()`). `undefined`
 * when the stream is still unread.
 *
 * @param fix - How to mount the handler so the raw body survives, for the error message.
 * @throws {@link WebhookVerificationError} `body_already_parsed` when a parser consumed the stream and kept nothing usable.
 */
export function bodyAlreadyRead(req: NodeWebhookRequest, fix: string): WebhookBody | undefined {
  // Read through our own field types: a body parser's type declarations (@koa/bodyparser's) may add
  // `rawBody: string` to every IncomingMessage of the program.
  const { body, rawBody }: ParsedBodyFields = req;
  if (body instanceof Uint8Array) return body;
  if (rawBody instanceof Uint8Array || typeof rawBody === 'string') return rawBody;
  if (!req.readableDidRead && !req.readableEnded) return undefined;
  if (typeof body === 'string') return body;
  throw new WebhookConfigurationError(
    'body_already_parsed',
    'The request body was already read and parsed by another middleware, so the raw bytes the signature covers are ' +
      `gone (re-serializing the JSON would change them). ${fix}`,
  );
}

/** How much of a refused body is read (and dropped) after the answer, so the client can read it. */
const DRAIN_BYTES = 1024 * 1024;
/** How long a refused body is read (and dropped) after the answer, at most. */
const DRAIN_MS = 2000;

/**
 * Writes an answer to a Node response: one `writeHead` with every header (content-length
 * included, so the body is not sent chunked) and one `end`. The headers go in as a new object:
 * code that wraps `writeHead` may keep or change the one it is given.
 */
export function writeNodeResponse(req: IncomingMessage, res: ServerResponse, answer: WebhookResponse): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(utf8Length(answer.body)) });
  res.end(answer.body);
  if (answer.status === 413 && !req.complete) dropRest(req, res);
}

/**
 * The rest of a refused body, read and dropped (never buffered) for a little while after the answer.
 * Closing at once would make the server's TCP stack reset the connection with the client's bytes
 * unread, and most clients would then lose the 413 they were sent. Bounded in bytes and time: past
 * either, the connection is closed all the same.
 */
function dropRest(req: IncomingMessage, res: ServerResponse): void {
  let dropped = 0;
  const close = (): void => {
    clearTimeout(timer);
    req.socket?.destroy();
  };
  const timer = setTimeout(close, DRAIN_MS);
  (timer as { unref?: () => void }).unref?.();
  // After the answer is sent, Node itself reads and drops what is left of the request; count it.
  res.once('finish', () => {
    req.on('data', (chunk: Uint8Array | string) => {
      dropped += chunk.length;
      if (dropped > DRAIN_BYTES) close();
    });
    req.once('end', () => clearTimeout(timer));
    req.resume();
  });
}

/**
 * A Node request handler: answers one request, then calls `done` exactly once, with nothing when the
 * answer was written (or the client left), or with an error the framework should see (a broken stream,
 * a response that cannot be written).
 */
export type NodeWebhookHandler = (
  req: NodeWebhookRequest,
  res: ServerResponse,
  done: (error?: unknown) => void,
) => void;

/**
 * The Node handler for a router: method check, raw body, then the router's answer, written at once
 * when the router answered synchronously (no promise made on the common path).
 *
 * @param fix - How to mount the handler so the raw body survives, for the `body_already_parsed` message.
 */
export function createNodeHandler(router: WebhookRouter, fix: string): NodeWebhookHandler {
  const { logger, maxBodyBytes } = router;
  return (req, res, done) => {
    const send = (answer: WebhookResponse): void => {
      try {
        writeNodeResponse(req, res, answer);
      } catch (error) {
        done(error);
        return;
      }
      done();
    };
    const answerWith = (body: WebhookBody | null): void => {
      const delivery: WebhookHttpDelivery = { method: req.method ?? '', body, headers: req.headers };
      let answer: WebhookResponse | Promise<WebhookResponse>;
      try {
        answer = router.answer(delivery);
      } catch (error) {
        // Only a router made by hand can throw here (createWebhooks' never does).
        done(error);
        return;
      }
      if (answer instanceof Promise) answer.then(send, done);
      else send(answer);
    };
    if (req.method !== 'POST') {
      answerWith(null);
      return;
    }
    let body: WebhookBody | undefined;
    try {
      body = bodyAlreadyRead(req, fix);
    } catch (error) {
      send(answerError(error, logger));
      return;
    }
    if (body !== undefined) {
      answerWith(body);
      return;
    }
    readNodeBody(req, maxBodyBytes, (error, bytes) => {
      if (bytes !== undefined) answerWith(bytes);
      else if (error === CLIENT_ABORTED) {
        logger.warn(
          `polar-webhooks: the client closed the connection before sending the whole body (webhook-id ${String(
            req.headers['webhook-id'] ?? 'absent',
          )}); nothing was processed. Polar retries deliveries it could not complete.`,
        );
        done();
      } else if (error instanceof PolarWebhookError) send(answerError(error, logger));
      else done(error);
    });
  };
}
