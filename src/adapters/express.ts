/**
 * `polar-webhooks/express`: the router as Express middleware (Express 4 and 5).
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import type { WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';
import { createNodeHandler, type NodeWebhookRequest } from './node';

/**
 * An Express request handler. Declared structurally (Node's request and response), so it fits
 * `app.post()` in Express 4 and 5 alike without depending on either's type package.
 */
export type ExpressWebhookMiddleware = (
  req: NodeWebhookRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

const EXPRESS_FIX =
  'Mount the webhook route before app.use(express.json()), or keep the raw bytes with ' +
  'express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }).';

/**
 * Express middleware that answers Polar deliveries with the router's HTTP policy.
 *
 * It reads the raw body from the request stream itself, up to `maxBodyBytes`. When a body parser ran
 * first it uses what that parser kept: the `Buffer` from `express.raw()`, or `req.rawBody` set in
 * `express.json({ verify })`; if the body was parsed and nothing raw was kept, it answers 500
 * `body_already_parsed` with how to fix the mounting. It never re-serializes `req.body`.
 *
 * Errors that are not the library's own (a broken stream) go to `next(error)`; a client that hangs up
 * mid-body is a warning on the router's logger.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createWebhooks } from 'polar-webhooks';
 * import { createExpressMiddleware } from 'polar-webhooks/express';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', (event) => console.log(event.data.id));
 *
 * const app = express();
 * app.post('/polar/webhooks', createExpressMiddleware(webhooks)); // before app.use(express.json())
 * app.use(express.json());
 * ```
 */
export function createExpressMiddleware(webhooks: WebhookRouter): ExpressWebhookMiddleware {
  const handle = createNodeHandler(webhooks, EXPRESS_FIX);
  return (req, res, next) =>
    handle(req, res, (error) => {
      if (error !== undefined) next(error);
    });
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/express`: the same option names
 * (`webhookSecret`, `onPayload`, `onOrderPaid`, …), with a handler for every one of the 42 event types,
 * and the raw body read correctly. Returns Express middleware.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'polar-webhooks/express';
 *
 * app.post('/polar/webhooks', Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * }));
 * ```
 */
export function Webhooks(options: WebhooksOptions): ExpressWebhookMiddleware {
  return createExpressMiddleware(createCompatWebhooks(options));
}

export type { NodeWebhookRequest, ParsedBodyFields } from './node';
export type { WebhooksOptions, EventHandlerOptions } from './compat';
