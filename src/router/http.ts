/**
 * The HTTP entry points of the pipeline: the method and size checks, the body read from a Fetch
 * `Request`, then the pipeline and its answer. Adapters for other request shapes read the body their
 * own way and come in through {@link answerHttp}.
 *
 * @module
 */
import { answerError, answerFor, METHOD_NOT_ALLOWED, toResponse } from './answer';
import { deliver, type WaitUntil } from './pipeline';
import { bodyTooLarge, exceedsLimit, readRequestBody } from './read-body';
import type { RouterState } from './state';
import type { WebhookHttpDelivery, WebhookResponse } from './types';

/**
 * A delivery whose body is in hand, down the pipeline to its answer: synchronous when every step
 * was. Never throws, and the promise never rejects. The answer may be shared: read it, never change it.
 */
export function answerHttp(
  state: RouterState,
  delivery: WebhookHttpDelivery,
): WebhookResponse | Promise<WebhookResponse> {
  const { logger, maxBodyBytes } = state.config;
  if (delivery.method !== 'POST') return METHOD_NOT_ALLOWED;
  const body = delivery.body ?? '';
  if (exceedsLimit(body, maxBodyBytes)) return answerError(bodyTooLarge(maxBodyBytes), logger);
  const outcome = deliver(state, body, delivery.headers, delivery.waitUntil);
  return outcome instanceof Promise ? outcome.then((o) => answerFor(o, logger)) : answerFor(outcome, logger);
}

/**
 * The `waitUntil` a request was given: in the options, or in a runtime's execution context passed
 * after them (Cloudflare Workers call `fetch(request, env, ctx)`), bound to its owner.
 */
function waitUntilOf(...holders: unknown[]): WaitUntil | undefined {
  for (const holder of holders) {
    const waitUntil = (holder as { waitUntil?: unknown } | null | undefined)?.waitUntil;
    if (typeof waitUntil === 'function') return (work) => waitUntil.call(holder, work);
  }
  return undefined;
}

/** A Fetch `Request` down the pipeline to its `Response`: the body is read up to the limit first. */
export async function handleRequest(
  state: RouterState,
  request: Request,
  options?: unknown,
  executionContext?: unknown,
): Promise<Response> {
  const { logger, maxBodyBytes } = state.config;
  if (request.method !== 'POST') return toResponse(METHOD_NOT_ALLOWED);
  let body: Uint8Array;
  try {
    body = await readRequestBody(request, maxBodyBytes);
  } catch (error) {
    return toResponse(answerError(error, logger));
  }
  const outcome = deliver(state, body, request.headers, waitUntilOf(options, executionContext));
  return toResponse(answerFor(outcome instanceof Promise ? await outcome : outcome, logger));
}
