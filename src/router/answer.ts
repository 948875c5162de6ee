/**
 * The HTTP answer, written once: what every entry point (`handle`, `respond`, `answer`, every adapter)
 * sends back for each way a delivery can end. The status of an error is the one `ERROR_STATUS` gives
 * its code.
 *
 * - acknowledged (handled, unknown type, invalid payload acknowledged, a duplicate of a processed
 *   delivery, or handlers deferred to the background): 202 `{"ok":true}`
 * - rejected (not provably from Polar, set-up problem, bad request): the error's status (400 malformed
 *   or missing header, 403 signature or timestamp, 405, 413, 500 set-up), `{"error": code, "message": text}`
 * - failed (a handler threw; an invalid payload with `onInvalidPayload: 'retry'`): 500, so Polar retries;
 *   (a copy still running, the time budget spent, the store down): 409 or 503, so Polar retries later
 *
 * @module
 */
import { ERROR_STATUS, PolarWebhookError, WebhookHandlerError, WebhookProcessingError } from '../errors';
import type { Outcome } from './outcome';
import type { WebhookResponse, WebhooksLogger } from './types';

const JSON_TYPE = 'application/json; charset=utf-8';

function errorBody(error: string, message: string): string {
  return JSON.stringify({ error, message });
}

/**
 * The answer to an acknowledged delivery, made once: no object per delivery on the hot path. Shared,
 * so frozen; {@link ownAnswer} gives callers who may change theirs a copy.
 */
export const ACCEPTED: WebhookResponse = Object.freeze({
  status: 202,
  headers: Object.freeze({ 'content-type': JSON_TYPE }),
  body: '{"ok":true}',
});

/** The answer to any method but POST, made once. */
export const METHOD_NOT_ALLOWED: WebhookResponse = Object.freeze({
  status: ERROR_STATUS.method_not_allowed,
  headers: Object.freeze({ 'content-type': JSON_TYPE, allow: 'POST' }),
  body: errorBody(
    'method_not_allowed',
    'This endpoint only accepts POST: Polar delivers webhooks as POST requests with a JSON body.',
  ),
});

const HANDLER_FAILED_MESSAGE =
  'A handler failed while processing this event; the details are in the receiving server logs. Polar will retry it.';

/** An answer of the caller's own: a copy of a shared one, the answer itself otherwise. */
export function ownAnswer(answer: WebhookResponse): WebhookResponse {
  return Object.isFrozen(answer)
    ? { status: answer.status, headers: { ...answer.headers }, body: answer.body }
    : answer;
}

/**
 * The answer to an outcome. Errors that are not the library's own are unexpected: they are logged,
 * and answered with a 500 that reveals nothing about them.
 */
export function answerFor(outcome: Outcome, logger: WebhooksLogger): WebhookResponse {
  switch (outcome.kind) {
    case 'handled':
    case 'unknown':
    case 'invalid':
    case 'duplicate':
    case 'deferred':
    case 'queued':
      return ACCEPTED;
    case 'failed': {
      const { error } = outcome;
      if (error instanceof WebhookProcessingError)
        return errorAnswer(ERROR_STATUS[error.code], error.code, error.message);
      const message = error instanceof WebhookHandlerError ? HANDLER_FAILED_MESSAGE : error.message;
      // A handler failure, or an invalid payload the user chose to have retried: Polar must retry it.
      return errorAnswer(ERROR_STATUS.handler_failed, error.code, message);
    }
    case 'rejected':
      return answerError(outcome.error, logger);
  }
}

/** The answer to an error raised before any handler ran. */
export function answerError(error: unknown, logger: WebhooksLogger): WebhookResponse {
  if (error instanceof PolarWebhookError) return errorAnswer(ERROR_STATUS[error.code], error.code, error.message);
  try {
    logger.error('polar-webhooks: unexpected error while handling a webhook delivery', error);
  } catch {
    // A broken logger must not break the answer.
  }
  return errorAnswer(
    500,
    'internal_error',
    'Unexpected error while handling the webhook; see the receiving server logs.',
  );
}

function errorAnswer(status: number, code: string, message: string): WebhookResponse {
  return { status, headers: { 'content-type': JSON_TYPE }, body: errorBody(code, message) };
}

/**
 * Builds a Fetch `Response` from an answer. The headers go in as a new object each time: some
 * servers replace the global `Response` with one that adds to the object it is given
 * (@hono/node-server writes content-length into it).
 */
export function toResponse(answer: WebhookResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: { ...answer.headers } });
}
