/**
 * Node `IncomingMessage` / `ServerResponse` plumbing shared by the Express middleware and the
 * Next.js Pages Router handler: find the raw body (read the stream with a limit, or take what a body
 * parser kept), and write an answer. No Node built-in is imported, so Edge bundles that include
 * this file (through `polar-webhooks/next`) never load anything they cannot run.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PolarWebhookError, WebhookVerificationError } from '../errors';
import { bodyTooLarge, checkDeclaredLength, concat, errorResponse, methodNotAllowed } from '../router/handle';
import type { Webhooks, WebhookResponse } from '../router/types';
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
 * `limit` (the rest is never buffered). A `content-length` over the limit is refused before any read.
 *
 * @throws {@link WebhookRequestError} `body_too_large`; rejects with the stream's error, or when the client aborts.
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    try {
      checkDeclaredLength(headerValue(req.headers['content-length']), limit);
    } catch (error) {
      reject(error);
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    function onData(chunk: Uint8Array | string): void {
      const bytes = typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(bytes);
    }
    function onEnd(): void {
      cleanup();
      resolve(concat(chunks, size));
    }
    function onError(error: unknown): void {
      cleanup();
      reject(error);
    }
    function onClose(): void {
      cleanup();
      reject(new Error('The client closed the connection before the request body was fully received.'));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
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
  throw new WebhookVerificationError(
    'body_already_parsed',
    'The request body was already read and parsed by another middleware, so the raw bytes the signature covers are ' +
      `gone (re-serializing the JSON would change them). ${fix}`,
  );
}

/** Writes an answer to a Node response. */
export function writeNodeResponse(res: ServerResponse, answer: WebhookResponse): void {
  res.statusCode = answer.status;
  for (const name in answer.headers) res.setHeader(name, answer.headers[name] as string);
  // The rest of an oversized body was not read: close the connection rather than drain it.
  if (answer.status === 413) res.setHeader('connection', 'close');
  res.end(answer.body);
}

/**
 * The whole flow for a Node request: method check, raw body, then the router's HTTP policy.
 * Rejects only with errors that are not the library's own (a stream error, an aborted request),
 * which the framework's own error handling should see.
 */
export async function handleNodeRequest(
  webhooks: Webhooks,
  req: NodeWebhookRequest,
  res: ServerResponse,
  fix: string,
): Promise<void> {
  if (req.method !== 'POST') {
    writeNodeResponse(res, methodNotAllowed());
    return;
  }
  let body: WebhookBody;
  try {
    body = bodyAlreadyRead(req, fix) ?? (await readNodeBody(req, webhooks.maxBodyBytes));
  } catch (error) {
    if (!(error instanceof PolarWebhookError)) throw error;
    writeNodeResponse(res, errorResponse(error, console));
    return;
  }
  writeNodeResponse(res, await webhooks.respond({ method: 'POST', body, headers: req.headers }));
}
