/**
 * `polar-webhooks/fastify`: the router as a Fastify 5 route and plugin. The raw body is read in the
 * route's own `preParsing` hook, which answers the delivery itself, so Fastify's JSON parser never
 * sees it and the app's other routes keep theirs.
 *
 * @module
 */

import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  preParsingHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import { PolarWebhookError, WebhookConfigurationError } from '../errors';
import { answerError } from '../router/answer';
import type { WebhookResponse, WebhookRouter } from '../router/types';
import type { WebhookBody } from '../verify/verify';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { CLIENT_ABORTED, readNodeBody } from './node';
import { readPayload } from './fastify-payload';

/**
 * Route options for `app.post(path, route)` (or `app.all`, `app.route`): a `preParsing` hook that
 * reads the raw body and answers, and a `handler` for when the hook did not run.
 */
export interface FastifyWebhookRoute {
  /** Reads the raw body from the request stream (up to `maxBodyBytes`) and sends the router's answer. */
  readonly preParsing: preParsingHookHandler;
  /**
   * Reached only when the route was registered without its `preParsing` hook: answers from a raw
   * body the app kept (`request.body` as a Buffer or string, `request.rawBody`), or 500 `body_already_parsed`.
   */
  readonly handler: RouteHandlerMethod;
}

/** Options of {@link fastifyPolarWebhooks}. */
export interface FastifyPolarWebhooksOptions {
  /** The router that handles the deliveries. */
  readonly webhooks: WebhookRouter;
  /** The route's path, under the plugin's prefix. Default `/webhooks/polar`. */
  readonly path?: string;
}

const FASTIFY_FIX =
  "Fastify's body parser already consumed the request. Register the webhook route with the route options " +
  "createFastifyRoute(webhooks) returns, whole: app.post('/webhooks/polar', createFastifyRoute(webhooks)) (its " +
  "preParsing hook reads the raw body), or keep the raw bytes yourself: app.addContentTypeParser('application/json', " +
  "{ parseAs: 'buffer' }, (_req, body, done) => done(null, body)) in the webhook route's plugin, or fastify-raw-body.";

function send(reply: FastifyReply, answer: WebhookResponse): void {
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** Sends the router's answer to a delivery whose body is in hand; `null` for a request without one. */
function answerWith(
  webhooks: WebhookRouter,
  request: FastifyRequest,
  reply: FastifyReply,
  body: WebhookBody | null,
): void {
  const answer = webhooks.answer({ method: request.method, body, headers: request.headers });
  if (answer instanceof Promise) void answer.then((a) => send(reply, a));
  else send(reply, answer);
}

/**
 * The raw body the app kept, if any: `request.body` as bytes or text (a `parseAs: 'buffer'` or
 * `'string'` content-type parser), or `request.rawBody` (fastify-raw-body). `undefined` when the
 * stream is still unread.
 *
 * @throws {@link WebhookConfigurationError} `body_already_parsed` when a parser consumed the body and kept nothing raw.
 */
function keptBody(request: FastifyRequest): WebhookBody | undefined {
  const { body } = request;
  const rawBody = (request as { rawBody?: unknown }).rawBody;
  if (body instanceof Uint8Array || typeof body === 'string') return body;
  if (rawBody instanceof Uint8Array || typeof rawBody === 'string') return rawBody;
  if (body === undefined && !request.raw.readableDidRead) return undefined;
  throw new WebhookConfigurationError(
    'body_already_parsed',
    `The request body was already parsed, so the raw bytes the signature covers are gone (re-serializing the JSON would change them). ${FASTIFY_FIX}`,
  );
}

/**
 * Fastify route options that answer Polar deliveries with the router's HTTP policy:
 * `app.post('/webhooks/polar', createFastifyRoute(webhooks))`.
 *
 * Its `preParsing` hook reads the raw body from the stream (or from the stream an app-wide
 * `preParsing` hook put in its place), up to `maxBodyBytes`, and sends the answer; Fastify's content
 * parsers never run for this route, so the app's other routes keep parsing JSON. Register it with
 * `app.all` to have other methods answered 405 by the policy (with `app.post`, Fastify answers them 404).
 *
 * A stream error goes to Fastify's error handling; a client that hangs up mid-body is a warning on
 * the router's logger.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createWebhooks } from 'polar-webhooks';
 * import { createFastifyRoute } from 'polar-webhooks/fastify';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', (event) => console.log(event.data.id));
 *
 * const app = Fastify();
 * app.post('/webhooks/polar', createFastifyRoute(webhooks));
 * ```
 */
export function createFastifyRoute(webhooks: WebhookRouter): FastifyWebhookRoute {
  const { logger, maxBodyBytes } = webhooks;
  const preParsing: preParsingHookHandler = (request, reply, payload, done) => {
    if (request.method !== 'POST') {
      answerWith(webhooks, request, reply, null);
      return;
    }
    // Replying without calling done() ends the hook chain: no content parser runs.
    const finish = (error: unknown, bytes: Uint8Array | undefined): void => {
      if (bytes !== undefined) answerWith(webhooks, request, reply, bytes);
      else if (error === CLIENT_ABORTED) {
        logger.warn(
          `polar-webhooks: the client closed the connection before sending the whole body (webhook-id ${String(
            request.headers['webhook-id'] ?? 'absent',
          )}); nothing was processed. Polar retries deliveries it could not complete.`,
        );
      } else if (error instanceof PolarWebhookError) send(reply, answerError(error, logger));
      else done(error instanceof Error ? error : new Error(String(error)));
    };
    if (payload === (request.raw as unknown)) readNodeBody(request.raw, maxBodyBytes, finish);
    else readPayload(payload, maxBodyBytes, finish);
  };
  const handler: RouteHandlerMethod = (request, reply) => {
    let body: WebhookBody | undefined;
    try {
      body = keptBody(request);
    } catch (error) {
      send(reply, answerError(error, logger));
      return reply;
    }
    if (body !== undefined || request.method !== 'POST') {
      answerWith(webhooks, request, reply, body ?? null);
      return reply;
    }
    readNodeBody(request.raw, maxBodyBytes, (error, bytes) => {
      if (bytes !== undefined) answerWith(webhooks, request, reply, bytes);
      else if (error instanceof PolarWebhookError) send(reply, answerError(error, logger));
      else if (error !== CLIENT_ABORTED) void reply.send(error);
    });
    return reply;
  };
  return { preParsing, handler };
}

/**
 * A Fastify plugin that registers the webhook route at `path` for every method (POST is handled, the
 * others are answered 405): `app.register(fastifyPolarWebhooks, { webhooks, path: '/webhooks/polar' })`.
 * The route reads its own raw body (see {@link createFastifyRoute}); the app's other routes are untouched.
 */
export const fastifyPolarWebhooks: FastifyPluginCallback<FastifyPolarWebhooksOptions> = (instance, options, done) => {
  instance.all(options.path ?? '/webhooks/polar', createFastifyRoute(options.webhooks));
  done();
};

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/fastify`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …), with a handler for every one of the 42 event types. Returns route
 * options, so the documented `app.post('/polar/webhooks', Webhooks({ … }))` reads the raw body
 * instead of verifying a re-serialized `request.body`.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'polar-webhooks/fastify';
 *
 * app.post('/polar/webhooks', Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * }));
 * ```
 */
export function Webhooks(options: WebhooksOptions): FastifyWebhookRoute {
  return createFastifyRoute(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
