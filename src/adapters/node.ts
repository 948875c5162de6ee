/**
 * Node `IncomingMessage` / `ServerResponse` plumbing shared by the Express middleware and the
 * Next.js Pages Router handler: find the raw body (read the stream with a limit, or take what a body
 * parser kept), and write an answer. No Node built-in is imported, so Edge bundles that include
 * this file (through `polar-webhooks/next`) never load anything they cannot run.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PolarWebhookError, WebhookConfigurationError, WebhookVerificationError } from '../errors';
import type { Deliverer } from '../router/deliverer';
import {
  bodyTooLarge,
  checkDeclaredLength,
  concat,
  errorResponse,
  methodNotAllowed,
  utf8Length,
} from '../router/handle';
import type { WebhookResponse } from '../router/types';
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

/**
 * Reads a request body from the stream, chunk by chunk, and stops reading as soon as it passes
 * `limit` (the rest is never buffered). A `content-length` over the limit is refused before any
 * read. Calls `done` exactly once: with the bytes, or with the error (a `body_too_large`
 * {@link WebhookRequestError}, the stream's error, or an aborted request).
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
    finish(error, undefined);
  }
  function onClose(): void {
    finish(new Error('The client closed the connection before the request body was fully received.'), undefined);
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
  const { body, rawBody } = req;
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

/**
 * Writes an answer to a Node response: one `writeHead` with every header (content-length
 * included, so the body is not sent chunked) and one `end`. The headers go in as a new object:
 * code that wraps `writeHead` may keep or change the one it is given.
 */
export function writeNodeResponse(res: ServerResponse, answer: WebhookResponse): void {
  const headers: Record<string, string> = { ...answer.headers, 'content-length': String(utf8Length(answer.body)) };
  // The rest of an oversized body was not read: close the connection rather than drain it.
  if (answer.status === 413) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** What the Node flow needs from a router: its delivery path and its body size limit. */
export interface NodeRouter {
  /** The router's delivery path (see `delivererOf`). */
  readonly deliver: Deliverer;
  /** The largest body read, in bytes. */
  readonly maxBodyBytes: number;
}

/**
 * The whole flow for a Node request: method check, raw body, then the router's HTTP policy, with
 * no promise made when the router answers synchronously. Calls `onError` (instead of answering)
 * only with errors that are not the library's own (a stream error, an aborted request, a response
 * that cannot be written), which the framework's own error handling should see; otherwise calls
 * `onDone`, if given, once the answer is written.
 */
export function serveNodeRequest(
  router: NodeRouter,
  req: NodeWebhookRequest,
  res: ServerResponse,
  fix: string,
  onError: (error: unknown) => void,
  onDone?: () => void,
): void {
  if (req.method !== 'POST') {
    answerNode(methodNotAllowed(), res, onError, onDone);
    return;
  }
  let body: WebhookBody | undefined;
  try {
    body = bodyAlreadyRead(req, fix);
  } catch (error) {
    answerNode(errorResponse(error, console), res, onError, onDone);
    return;
  }
  if (body !== undefined) {
    deliverNode(router, body, req, res, onError, onDone);
    return;
  }
  readNodeBody(req, router.maxBodyBytes, (error, bytes) => {
    if (bytes !== undefined) deliverNode(router, bytes, req, res, onError, onDone);
    else if (error instanceof PolarWebhookError) answerNode(errorResponse(error, console), res, onError, onDone);
    else onError(error);
  });
}

function deliverNode(
  router: NodeRouter,
  body: WebhookBody,
  req: NodeWebhookRequest,
  res: ServerResponse,
  onError: (error: unknown) => void,
  onDone: (() => void) | undefined,
): void {
  let answer: WebhookResponse | Promise<WebhookResponse>;
  try {
    answer = router.deliver({ method: 'POST', body, headers: req.headers });
  } catch (error) {
    // Only a router made by hand can throw here (createWebhooks' never does).
    onError(error);
    return;
  }
  if (answer instanceof Promise) answer.then((settled) => answerNode(settled, res, onError, onDone), onError);
  else answerNode(answer, res, onError, onDone);
}

function answerNode(
  answer: WebhookResponse,
  res: ServerResponse,
  onError: (error: unknown) => void,
  onDone: (() => void) | undefined,
): void {
  try {
    writeNodeResponse(res, answer);
  } catch (error) {
    onError(error);
    return;
  }
  onDone?.();
}

/**
 * {@link serveNodeRequest} as a promise, for frameworks that wait for the handler's (the Next.js
 * Pages Router): it resolves once the answer is written, and rejects with errors that are not the
 * library's own.
 */
export function handleNodeRequest(
  router: NodeRouter,
  req: NodeWebhookRequest,
  res: ServerResponse,
  fix: string,
): Promise<void> {
  return new Promise((resolve, reject) => serveNodeRequest(router, req, res, fix, reject, resolve));
}
