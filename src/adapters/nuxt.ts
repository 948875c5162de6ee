/**
 * `polar-webhooks/nuxt`: the router as an h3 event handler (h3 1.x), for a Nuxt 3 or Nitro server route
 * or any h3 app, on Node and on the web runtimes Nitro deploys to.
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import { answerError, toResponse } from '../router/answer';
import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { answerFetchRequest, bodyAlreadyUsed } from './fetch-request';
import { createNodeHandler, type NodeWebhookRequest } from './node';

/**
 * What the handler reads of h3's `H3Event`. Declared structurally, so h3's own event fits without this
 * package depending on h3's types.
 */
export interface H3WebhookEvent {
  /** The request method, upper-case. */
  readonly method: string;
  /** The request headers. */
  readonly headers: Headers;
  /** The Node request and response (real ones on Node, stand-ins on web runtimes). */
  readonly node: { readonly req: NodeWebhookRequest; readonly res: ServerResponse };
  /** The Fetch request, when h3 runs on a web runtime. */
  readonly web?: { readonly request?: Request } | undefined;
  /** The body h3 was handed as a whole (`toWebHandler`, `toPlainHandler`). */
  readonly _requestBody?: unknown;
}

/**
 * An h3 event handler: resolves with the answer as a `Response`, or with nothing once it has written
 * the answer to the Node response itself.
 */
export type H3WebhookHandler = ((event: H3WebhookEvent) => Promise<Response | undefined>) & {
  /** The mark h3 gives event handlers (`defineEventHandler` sets it too). */
  readonly __is_handler__: true;
};

/** Where h3's `readRawBody()` and `readBody()` keep the raw bytes they read from a Node request. */
const H3_RAW_BODY = Symbol.for('h3RawBody');

const H3_FIX =
  'In h3 and Nuxt that is a handler or middleware that read the body before this one. On Node, read it there with ' +
  'readBody(event) or readRawBody(event), whose raw bytes h3 keeps for this handler, and register Node body parsers ' +
  '(fromNodeMiddleware) after the webhook route; on web runtimes h3 keeps no copy of a streamed body, so let the ' +
  'webhook route be the first to read it.';

type BodySource = string | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

function isBodySource(value: unknown): value is BodySource {
  return (
    typeof value === 'string' ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream)
  );
}

/**
 * A Fetch request carrying a body h3 already holds, so the router reads it as it reads any request (up
 * to the limit); `undefined` when that body is a stream something else already read.
 */
function requestWith(event: H3WebhookEvent, body: BodySource): Request | undefined {
  const init: RequestInit & { duplex?: 'half' } = {
    method: event.method,
    headers: event.headers,
    body: body as BodyInit,
  };
  if (body instanceof ReadableStream) {
    if (body.locked) return undefined;
    init.duplex = 'half';
  }
  try {
    return new Request('http://h3.invalid/', init);
  } catch {
    // A stream read to its end is refused as "disturbed": the bytes are gone.
    return undefined;
  }
}

/**
 * The body as h3 already holds it, in the order h3's `readRawBody()` looks: handed over whole (web
 * runtimes), or the raw copy kept by an earlier `readBody()` / `readRawBody()`; and a stream that Nitro's
 * web runtimes put on the stand-in Node request. Anything else (a Node stream, or what a Node body parser
 * left) is for the Node handler.
 */
async function heldBody(event: H3WebhookEvent): Promise<BodySource | undefined> {
  if (isBodySource(event._requestBody)) return event._requestBody;
  const req = event.node.req;
  const cached: unknown = await (req as unknown as Record<symbol, unknown>)[H3_RAW_BODY];
  if (isBodySource(cached)) return cached;
  if (typeof ReadableStream !== 'undefined' && req.body instanceof ReadableStream) return req.body as BodySource;
  return undefined;
}

/**
 * An h3 event handler that answers Polar deliveries with the router's HTTP policy. The raw body comes
 * from wherever h3 has it: the Fetch request on web runtimes, the raw copy h3 keeps once a middleware
 * called `readBody(event)` or `readRawBody(event)`, or the Node request stream, read up to
 * `maxBodyBytes`. If a Node body parser consumed the body and kept nothing raw, the answer is 500
 * `body_already_parsed` with how to fix it.
 *
 * @example
 * ```ts
 * // server/routes/webhooks/polar.ts (Nuxt 3, Nitro)
 * import { createH3Handler } from 'polar-webhooks/nuxt';
 * import { webhooks } from '../../utils/webhooks';
 *
 * export default createH3Handler(webhooks);
 * ```
 */
export function createH3Handler(webhooks: WebhookRouter): H3WebhookHandler {
  const handleNode = createNodeHandler(webhooks, H3_FIX);
  const bodyGone = (): Response => toResponse(answerError(bodyAlreadyUsed(H3_FIX), webhooks.logger));
  const handler = async (event: H3WebhookEvent): Promise<Response | undefined> => {
    // On web runtimes (h3's toWebHandler): the Fetch request itself, read once by whoever comes first.
    const request = event.web?.request;
    if (request !== undefined) return answerFetchRequest(webhooks, request, H3_FIX);
    if (event.method === 'POST') {
      const held = await heldBody(event);
      if (held !== undefined) {
        const request = requestWith(event, held);
        return request === undefined ? bodyGone() : webhooks.handle(request);
      }
    }
    // On Node: the shared handler reads the stream (or what a body parser kept) and writes the answer.
    await new Promise<void>((resolve, reject) =>
      handleNode(event.node.req, event.node.res, (error) => (error === undefined ? resolve() : reject(error))),
    );
    return undefined;
  };
  return Object.assign(handler, { __is_handler__: true as const });
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/nuxt`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types. Returns an h3 event
 * handler, which can be the route's default export or be called from one (as `@polar-sh/nuxt`'s
 * documentation shows).
 *
 * @example
 * ```ts
 * // server/routes/webhooks/polar.post.ts
 * import { Webhooks } from 'polar-webhooks/nuxt';
 *
 * export default Webhooks({
 *   webhookSecret: () => useRuntimeConfig().private.polarWebhookSecret,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): H3WebhookHandler {
  return createH3Handler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
