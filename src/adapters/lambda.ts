/**
 * `polar-webhooks/lambda`: the router as an AWS Lambda handler behind API Gateway (REST APIs, the
 * payload format 1.0; HTTP APIs, 2.0) and Lambda function URLs (2.0). The event types are declared
 * here, structurally, so no AWS package is needed; `@types/aws-lambda`'s events fit them.
 *
 * @module
 */

import { WebhookConfigurationError } from '../errors';
import { answerError } from '../router/answer';
import type { WebhookResponse, WebhookRouter } from '../router/types';
import { decodeBase64 } from '../verify/base64';
import type { WebhookHeaders } from '../verify/headers';
import { createCompatWebhooks, type WebhooksOptions } from './compat';

/** An API Gateway REST API event (Lambda proxy integration, payload format 1.0); also what an ALB sends. */
export interface LambdaProxyEventV1 {
  /** The request method. */
  readonly httpMethod: string;
  /** The last value of each header, names as the client sent them. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  /** Every value of each header. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  /** The body as text, or base64 when `isBase64Encoded`. */
  readonly body?: string | null;
  /** Whether `body` is base64 (binary media types). */
  readonly isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API event (payload format 2.0), or a Lambda function URL event (the same format). */
export interface LambdaProxyEventV2 {
  /** `'2.0'`. */
  readonly version: string;
  /** The request, as API Gateway or the function URL saw it. */
  readonly requestContext: { readonly http: { readonly method: string } };
  /** The headers, names in lower case, repeated values joined with commas. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  /** The body as text, or base64 when `isBase64Encoded`; absent when there is none. */
  readonly body?: string | null;
  /** Whether `body` is base64 (content types that are not text). */
  readonly isBase64Encoded?: boolean;
}

/** Any event {@link createLambdaHandler} answers. */
export type LambdaProxyEvent = LambdaProxyEventV1 | LambdaProxyEventV2;

/** The result every one of these integrations reads: status, headers, and the body as text. */
export interface LambdaProxyResult {
  /** The HTTP status of the answer. */
  statusCode: number;
  /** The answer's headers (`content-type`, and `allow` on a 405). */
  headers: Record<string, string>;
  /** A small JSON document (see `WebhookResponse.body`). */
  body: string;
  /** Always false: the body is text. */
  isBase64Encoded: false;
}

/** A Lambda handler: `export const handler = createLambdaHandler(webhooks)`. */
export type LambdaWebhookHandler = (event: LambdaProxyEvent, context?: unknown) => Promise<LambdaProxyResult>;

function isV2(event: LambdaProxyEvent): event is LambdaProxyEventV2 {
  return (
    typeof (event as { requestContext?: { http?: { method?: unknown } } }).requestContext?.http?.method === 'string'
  );
}

function notAnHttpEvent(): WebhookConfigurationError {
  return new WebhookConfigurationError(
    'invalid_argument',
    'The Lambda event is not an HTTP request from API Gateway or a function URL (no httpMethod, no ' +
      'requestContext.http.method). Invoke this handler through a function URL, an HTTP API, or a REST API ' +
      'method with Lambda proxy integration (a non-proxy integration rewrites the body the signature covers).',
  );
}

/** The raw body: text as is, base64 decoded to the bytes that were received. */
function rawBody(event: LambdaProxyEvent): string | Uint8Array {
  const body = event.body ?? '';
  if (event.isBase64Encoded !== true) return body;
  const bytes = decodeBase64(body);
  if (bytes === undefined) {
    throw new WebhookConfigurationError(
      'invalid_body',
      'The Lambda event says isBase64Encoded, but its body is not base64. Pass the event as AWS delivered it.',
    );
  }
  return bytes;
}

/** The headers with every value: REST APIs give all of them in `multiValueHeaders`. */
function headersOf(event: LambdaProxyEvent): WebhookHeaders {
  const multi = (event as LambdaProxyEventV1).multiValueHeaders;
  if (multi !== null && multi !== undefined && Object.keys(multi).length > 0) return multi;
  return event.headers ?? {};
}

function toResult(answer: WebhookResponse): LambdaProxyResult {
  return { statusCode: answer.status, headers: { ...answer.headers }, body: answer.body, isBase64Encoded: false };
}

/**
 * A Lambda handler that answers Polar deliveries with the router's HTTP policy, for API Gateway REST
 * APIs (proxy integration), HTTP APIs and function URLs alike: it reads the method, the headers (every
 * value of a repeated one) and the raw body (decoding base64 when the event says so) from the event,
 * and returns the result all three expect.
 *
 * Lambda freezes the function once it has answered: keep the default `respond: 'after-handlers'`
 * (work handed to the background after the answer may never finish).
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { createLambdaHandler } from 'polar-webhooks/lambda';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', (event) => console.log(event.data.id));
 *
 * export const handler = createLambdaHandler(webhooks);
 * ```
 */
export function createLambdaHandler(webhooks: WebhookRouter): LambdaWebhookHandler {
  const { logger } = webhooks;
  return async (event) => {
    let method: string;
    let body: string | Uint8Array;
    try {
      if (event === null || typeof event !== 'object') throw notAnHttpEvent();
      if (isV2(event)) method = event.requestContext.http.method;
      else if (typeof event.httpMethod === 'string') method = event.httpMethod;
      else throw notAnHttpEvent();
      body = rawBody(event);
    } catch (error) {
      return toResult(answerError(error, logger));
    }
    const answer = webhooks.answer({ method, body, headers: headersOf(event) });
    return toResult(answer instanceof Promise ? await answer : answer);
  };
}

/**
 * A `Webhooks({ webhookSecret, on… })` with the option names of Polar's adapters (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …, a handler for every one of the 42 event types). Returns a Lambda handler.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'polar-webhooks/lambda';
 *
 * export const handler = Webhooks({
 *   webhookSecret: process.env.POLAR_WEBHOOK_SECRET!,
 *   onOrderPaid: async (payload) => fulfil(payload.data.id),
 * });
 * ```
 */
export function Webhooks(options: WebhooksOptions): LambdaWebhookHandler {
  return createLambdaHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
