/**
 * The types of the router: options, handlers, contexts and the object {@link createWebhooks} returns.
 *
 * @module
 */

import type { WebhookPayloadError } from '../errors';
import type { PolarApiVersion } from '../events/api-version';
import type { PolarWebhookEvent, PolarWebhookEventType } from '../events/catalogue';
import type { IdempotencyClaim } from '../stores/claim';
import type { IdempotencyStore } from '../stores/types';
import type { SecretScheme } from '../verify/secret';
import type { WebhookBody, WebhookSecret } from '../verify/verify';
import type { WebhookHeaders } from '../verify/headers';

/** What every handler learns about the delivery besides the event itself. */
export interface WebhookContext {
  /**
   * The `webhook-id` header. Polar sends the same id on every retry of an event: use it as the
   * idempotency key (store it, and skip a delivery whose id you have already processed).
   */
  readonly id: string;
  /** When Polar sent this attempt (the `webhook-timestamp` header; re-stamped on every retry). */
  readonly timestamp: Date;
  /**
   * Whether Polar's CLI sent this event (`polar trigger` marks its deliveries with the header
   * `x-polar-triggered: true`): a test event, not a customer's action. Not covered by the signature.
   */
  readonly triggered?: boolean;
  /**
   * The API version whose schemas read the payload: the one it says it was made in (`api_version`),
   * or the oldest for events from before Polar versioned its webhooks.
   */
  readonly apiVersion?: PolarApiVersion;
  /**
   * The idempotency claim this delivery holds while its handlers run (only with the `idempotency`
   * option): what `postgresStore(pool).commitWith(client, context)` needs to mark the delivery done in
   * the handler's own transaction.
   */
  readonly claim?: IdempotencyClaim;
}

/** A verified delivery as the `capture` option receives it: enough to store, inspect and replay it. */
export interface CapturedDelivery {
  /** The `webhook-id` header. */
  readonly id: string;
  /** The `webhook-timestamp` header, as a date. */
  readonly timestamp: Date;
  /**
   * The request headers that matter for a webhook, by lower-case name: `webhook-id`,
   * `webhook-timestamp`, `webhook-signature`, and when present `webhook-api-version`,
   * `x-polar-triggered`, `content-type`, `user-agent`.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, byte for byte as received, as text. */
  readonly body: string;
}

/** What an {@link WebhookErrorHandler} learns about the failure besides the error itself. */
export interface WebhookErrorContext extends WebhookContext {
  /** The event type the delivery names, when it names one. */
  readonly eventType: string | undefined;
  /** The validated event, when the failure happened in a handler (undefined for an invalid payload). */
  readonly event: PolarWebhookEvent | undefined;
}

/** Handles one validated event. May be async; a throw or rejection makes the delivery fail (500, Polar retries). */
export type WebhookEventHandler<E extends PolarWebhookEvent = PolarWebhookEvent> = (
  event: E,
  context: WebhookContext,
) => void | Promise<void>;

/**
 * A verified delivery whose `type` this version of polar-webhooks does not know (Polar adds event
 * types over time). The payload is passed on untouched.
 */
export interface UnknownWebhookEvent {
  /** The event type the payload carries. */
  readonly type: string;
  /** Every other field of the payload, as received. */
  readonly [key: string]: unknown;
}

/** Handles a verified delivery of an event type this version does not know. */
export type UnknownEventHandler = (event: UnknownWebhookEvent, context: WebhookContext) => void | Promise<void>;

/**
 * Receives every failure after verification: a {@link WebhookPayloadError} for a payload that is not
 * valid JSON or does not match its schema (its `payload` holds the raw value), or whatever one of
 * your handlers threw. Errors thrown here are logged and never crash the process.
 */
export type WebhookErrorHandler = (error: unknown, context: WebhookErrorContext) => void | Promise<void>;

/** Removes the handler it was returned for. Calling it again does nothing. */
export type Unsubscribe = () => void;

/** Where the router and its adapters write; `console` by default. */
export interface WebhooksLogger {
  /**
   * Things worth knowing that lose nothing: an unknown event type acknowledged with no `onUnknown`
   * handler (once per type), a client that closed the connection before sending its whole body.
   */
  warn(message: string, ...details: unknown[]): void;
  /** Failures no `onError` handler received, errors thrown by `onError` handlers, unexpected errors. */
  error(message: string, ...details: unknown[]): void;
}

/** Options of {@link createWebhooks}. */
export interface CreateWebhooksOptions {
  /**
   * The endpoint's secret from the Polar dashboard, or a list of secrets during a rotation (a
   * delivery signed with any of them is accepted). Checked here: a missing, empty, quoted or
   * placeholder secret throws at once, with how to fix it.
   *
   * Pass a function (`() => process.env.POLAR_WEBHOOK_SECRET`) when the module is loaded where the
   * secret is not set, such as `next build`: it is called, and its result checked, on each delivery.
   */
  secret: WebhookSecret | (() => WebhookSecret | undefined);
  /** How far, in seconds, a delivery's timestamp may be from the clock, either way. Default 300. */
  tolerance?: number;
  /** Which of Polar's key schemes to try. Default `'auto'` (both). */
  scheme?: SecretScheme;
  /**
   * The largest body accepted, in bytes; larger requests get 413 without the rest being read.
   * Default 1 MiB (Polar's largest payloads are a few tens of KB).
   */
  maxBodyBytes?: number;
  /**
   * What to answer for a verified delivery whose payload does not match its schema.
   * `'acknowledge'` (default): 202, and `onError` receives the error with the raw payload; Polar
   * does not retry, and a shape change on Polar's side never disables your endpoint.
   * `'retry'`: 500, so Polar retries (and, after ten failures in a row, disables the endpoint).
   */
  onInvalidPayload?: 'acknowledge' | 'retry';
  /** Where warnings go. Default `console`. */
  logger?: WebhooksLogger;
  /**
   * The API version your endpoint is set to in Polar's dashboard; handlers are typed for it. Each
   * delivery is still read by the schemas of the version its payload was made in (events from
   * before Polar versioned its webhooks, and events redelivered after the version was changed,
   * come in another shape), and a payload of another version is reported once per version: it
   * usually means the endpoint's version was changed in the dashboard. Default: handlers are typed
   * for every version.
   */
  apiVersion?: PolarApiVersion;
  /**
   * Receives each verified delivery (headers and raw body), to keep a copy for diagnosis or replay
   * (`captureToDirectory` from `polar-webhooks/capture` writes them to files). Called after the
   * signature is checked and never awaited: the delivery goes on at once, and a capture that throws or
   * rejects is a warning on the logger, never a failed delivery. Keep it cheap, or queue the work.
   */
  capture?: (delivery: CapturedDelivery) => void | Promise<void>;
  /**
   * Process every event exactly once: each delivery claims its webhook id in `store` before any
   * handler runs, and marks it done only after every handler succeeded. See {@link IdempotencyOptions}.
   */
  idempotency?: IdempotencyOptions;
  /**
   * The time budget, in milliseconds, for the handlers of one delivery. Polar gives up after 10 s and
   * retries; when the handlers have not settled by then, the answer is 503 `handler_timeout` so that
   * the outcome is safe: with `idempotency`, the claim stays until the handlers finish and Polar's
   * retry is deduplicated; without it, the retry runs them again (a warning says so). Default 8000.
   * Handlers that return nothing (synchronous ones) are never cut short.
   */
  timeout?: number;
  /** Told about every delivery whose handlers outran `timeout`, once they settle. */
  onSlow?: (info: SlowDelivery) => void;
  /**
   * When to answer Polar. `'after-handlers'` (default): once every handler succeeded (or failed: 500,
   * Polar retries). `'after-verify'`: as soon as the delivery is verified and parsed (202), with the
   * handlers run in the background through `waitUntil`. At most once: a handler that fails after the
   * answer is not retried by Polar, so put a durable queue in between for work that must not be lost.
   */
  respond?: 'after-handlers' | 'after-verify';
  /**
   * Keeps background work alive after the answer, for `respond: 'after-verify'`: Cloudflare's
   * `ctx.waitUntil`, Vercel's `waitUntil` from `@vercel/functions`, Next.js's `after`, or on Node
   * `createBackgroundTasks().waitUntil` (with a `drain()` for graceful shutdown). Also per delivery:
   * `webhooks.handle(request, { waitUntil })`.
   */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * Hands each verified delivery to a durable queue instead of running the handlers in the request;
   * workers run them with {@link WebhookRouter.process}. See `polar-webhooks/bullmq`,
   * `polar-webhooks/pg-boss`, or implement {@link WebhookQueue} for another engine.
   */
  queue?: WebhookQueue;
}

/** Options of `idempotency` in {@link CreateWebhooksOptions}. */
export interface IdempotencyOptions {
  /** Where claims and done marks live: `memoryStore()`, `redisStore(client)`, `postgresStore(pool)`, or your own. */
  store: IdempotencyStore;
  /**
   * Separates endpoints that share one store: Polar's webhook id is the event's id, so two endpoints
   * receiving the same event carry the same id. Default `'polar'`.
   */
  namespace?: string;
  /**
   * How long a claim lives without news, in milliseconds; the router extends it every third of that
   * while handlers run, so it only lapses when the process died. Default 30,000.
   */
  leaseMs?: number;
  /**
   * How long a done mark lasts, in milliseconds: past Polar's whole retry horizon (ten attempts over a
   * few hours) and the manual redeliveries of the weeks after. Default 30 days.
   */
  doneTtlMs?: number;
  /**
   * How long a copy that arrives while the first is still running waits for it to finish, in
   * milliseconds, before it is answered 409 `delivery_in_progress` (Polar retries it later). It is
   * never answered 2xx before the first succeeded. Default 5000.
   */
  waitMs?: number;
  /** Told about every duplicate answered without running the handlers. Default: a warning on the logger. */
  onDuplicate?: (info: DuplicateDelivery) => void;
}

/** A delivery whose webhook id was already processed. */
export interface DuplicateDelivery {
  /** The webhook id. */
  readonly id: string;
  /** The event type, when the payload names one. */
  readonly eventType: string | undefined;
  /** `'done'`: its handlers had already run; `'waited'`: it waited for the first copy to finish. */
  readonly state: 'done' | 'waited';
}

/** A delivery whose handlers outran the time budget. */
export interface SlowDelivery {
  /** The webhook id. */
  readonly id: string;
  /** The event type. */
  readonly eventType: string;
  /** How long the handlers took, in milliseconds. */
  readonly durationMs: number;
  /** How they ended. */
  readonly outcome: 'succeeded' | 'failed';
}

/** A delivery as received: the raw body and the request headers. */
export interface WebhookDelivery {
  /** The raw request body, byte for byte as received (never re-serialized JSON). */
  readonly body: WebhookBody;
  /** The request headers: a Fetch `Headers`, Node's `req.headers`, or a plain record. */
  readonly headers: WebhookHeaders;
  /** Keeps this delivery's background work alive (`respond: 'after-verify'`); overrides the option. */
  readonly waitUntil?: (work: Promise<unknown>) => void;
}

/** A delivery as an HTTP request, for {@link WebhookRouter.respond}. */
export interface WebhookHttpDelivery {
  /** The HTTP method; anything but `POST` gets 405. */
  readonly method: string;
  /** The raw request body, byte for byte as received; `null` or `undefined` when none was read. */
  readonly body: WebhookBody | null | undefined;
  /** The request headers: a Fetch `Headers`, Node's `req.headers`, or a plain record. */
  readonly headers: WebhookHeaders;
  /** Keeps this delivery's background work alive (`respond: 'after-verify'`); overrides the option. */
  readonly waitUntil?: (work: Promise<unknown>) => void;
}

/** Per-request options of {@link WebhookRouter.handle}. */
export interface HandleOptions {
  /** Keeps this delivery's background work alive (`respond: 'after-verify'`); overrides the option. */
  readonly waitUntil?: (work: Promise<unknown>) => void;
}

/** The HTTP answer to send back for a delivery, in a form every framework can write. */
export interface WebhookResponse {
  /** 202 when the delivery was accepted; otherwise the status of the error (see `ERROR_STATUS`). */
  readonly status: number;
  /** Headers to send: always `content-type`, and `allow` on a 405. */
  readonly headers: Readonly<Record<string, string>>;
  /** A small JSON document: `{"ok":true}`, or `{"error": code, "message": text}`. */
  readonly body: string;
}

/** How a verified delivery ended, as {@link WebhookRouter.verifyAndReceive} reports it. */
export type DeliveryOutcome =
  | {
      /** The event was valid and every handler succeeded. */
      readonly kind: 'handled';
      /** The validated event. */
      readonly event: PolarWebhookEvent;
      /** The delivery's id and timestamp. */
      readonly context: WebhookContext;
    }
  | {
      /** The event type is unknown to this version; `onUnknown` handlers ran. */
      readonly kind: 'unknown';
      /** The payload, untouched. */
      readonly event: UnknownWebhookEvent;
      /** The delivery's id and timestamp. */
      readonly context: WebhookContext;
    }
  | {
      /** The webhook id was already processed (idempotency): no handler ran. */
      readonly kind: 'duplicate';
      /** The delivery's id and timestamp. */
      readonly context: WebhookContext;
    }
  | {
      /** The delivery was written to the queue (the `queue` option); a worker runs its handlers. */
      readonly kind: 'queued';
      /** The delivery's id and timestamp. */
      readonly context: WebhookContext;
    }
  | {
      /** The delivery was acknowledged before its handlers ran (`respond: 'after-verify'`); they run in the background. */
      readonly kind: 'deferred';
      /** The delivery's id and timestamp. */
      readonly context: WebhookContext;
    }
  | {
      /** The payload did not validate and was acknowledged (`onInvalidPayload: 'acknowledge'`); `onError` got it. */
      readonly kind: 'invalid';
      /** What was wrong, with the raw payload. */
      readonly error: WebhookPayloadError;
      /** The delivery's id and timestamp. */
      readonly context: WebhookContext;
    };

/**
 * A webhook router: register handlers by event type, then feed it deliveries through
 * {@link WebhookRouter.handle} (Fetch `Request` → `Response`), an adapter (`polar-webhooks/express`,
 * `/next`, `/hono`), {@link WebhookRouter.respond}, or {@link WebhookRouter.verifyAndReceive}. Every
 * one of them takes a delivery down the same path: verify, parse, dispatch, answer.
 *
 * Every method is bound: pass `webhooks.handle` around as a plain function.
 */
export interface WebhookRouter<V extends PolarApiVersion = PolarApiVersion> {
  /**
   * Runs `handler` for every valid event of the given type(s), with the event narrowed to those types.
   *
   * @throws {@link WebhookConfigurationError} `invalid_argument` when a type is not one of the 42 Polar event
   *   types, or `handler` is not a function.
   * @example
   * ```ts
   * webhooks.on('order.paid', (event, { id }) => fulfil(event.data.id, id));
   * webhooks.on(['subscription.revoked', 'subscription.past_due'], (event) => revokeAccess(event.data.customer_id));
   * ```
   */
  on<T extends PolarWebhookEventType>(
    type: T | readonly T[],
    handler: WebhookEventHandler<PolarWebhookEvent<T, V>>,
  ): Unsubscribe;
  /** Runs `handler` for every valid event, after the handlers registered with {@link WebhookRouter.on}. */
  onAny(handler: WebhookEventHandler<PolarWebhookEvent<PolarWebhookEventType, V>>): Unsubscribe;
  /**
   * Runs `handler` for verified deliveries of an event type this version does not know. Without
   * one, each such type is logged once as a warning. Either way the delivery is acknowledged (202).
   */
  onUnknown(handler: UnknownEventHandler): Unsubscribe;
  /**
   * Runs `handler` for every failure after verification: invalid payloads and handler errors.
   * Without one, those are logged with `logger.error`.
   */
  onError(handler: WebhookErrorHandler): Unsubscribe;
  /**
   * Runs the handlers of an already-validated event: every `on` handler of its type, then every
   * `onAny` handler, started in registration order and awaited together. One failing does not stop
   * the others; each failure goes to the `onError` handlers.
   *
   * @param context - Defaults to an empty id and the current time.
   * @throws {@link WebhookHandlerError} (rejects) with every failure, when any handler failed.
   */
  receive(event: PolarWebhookEvent, context?: Partial<WebhookContext>): Promise<void>;
  /**
   * Verifies the signature, parses and validates the payload, and runs the matching handlers.
   *
   * @throws {@link WebhookVerificationError} (rejects) when the delivery is not provably from Polar; no handler runs.
   * @throws {@link WebhookHandlerError} (rejects) when a handler failed.
   * @throws {@link WebhookPayloadError} (rejects) for an invalid payload, only with `onInvalidPayload: 'retry'`.
   */
  verifyAndReceive(delivery: WebhookDelivery): Promise<DeliveryOutcome>;
  /**
   * Applies the HTTP policy to a delivery whose body you already read, and says what to answer.
   * Use it from any framework without an adapter. Never rejects.
   *
   * @example
   * ```ts
   * const answer = await webhooks.respond({ method: req.method, body: rawBody, headers: req.headers });
   * reply.code(answer.status).headers(answer.headers).send(answer.body);
   * ```
   */
  respond(delivery: WebhookHttpDelivery): Promise<WebhookResponse>;
  /**
   * {@link WebhookRouter.respond} for adapters that write the answer themselves: returns the answer
   * itself, with no promise made, when every step finished synchronously (node:crypto present, every
   * handler returned nothing), or a promise of it. Never throws, and the promise never rejects. The
   * answer may be shared between deliveries: read it, never change it.
   *
   * @example
   * ```ts
   * const answer = webhooks.answer({ method: req.method, body: rawBody, headers: req.headers });
   * const send = (a: WebhookResponse) => res.writeHead(a.status, a.headers).end(a.body);
   * if (answer instanceof Promise) answer.then(send);
   * else send(answer);
   * ```
   */
  answer(delivery: WebhookHttpDelivery): WebhookResponse | Promise<WebhookResponse>;
  /**
   * Answers a Fetch `Request`: reads the body (stopping at `maxBodyBytes`), verifies, validates,
   * dispatches, and returns the `Response` the HTTP policy prescribes. Never rejects.
   *
   * On Cloudflare Workers, `export default { fetch: webhooks.handle }` passes the Worker's `ctx` as the
   * third argument: its `waitUntil` keeps `respond: 'after-verify'` work alive with no more code.
   *
   * @example
   * ```ts
   * export default { fetch: webhooks.handle }; // Cloudflare Workers, Bun, Deno
   * ```
   */
  handle(request: Request, options?: HandleOptions, executionContext?: HandleOptions): Promise<Response>;
  /**
   * Runs the handlers of a job the `queue` option wrote, in a worker: the same handlers, with
   * idempotency when configured (a job retried after a crash runs its handlers to completion once).
   *
   * @throws {@link WebhookHandlerError} (rejects) when a handler failed, and
   *   {@link WebhookProcessingError} when the job cannot run now: let the engine retry it.
   */
  process(job: WebhookJob): Promise<DeliveryOutcome>;
  /** The body size limit in bytes, as configured (adapters read bodies up to it). */
  readonly maxBodyBytes: number;
  /** Where the router writes, as configured (adapters write there too). */
  readonly logger: WebhooksLogger;
}

/**
 * Former name of {@link WebhookRouter}.
 *
 * @deprecated Use `WebhookRouter`: `Webhooks` is also the name of the adapters' drop-in function.
 */
export type Webhooks = WebhookRouter;

/**
 * A verified delivery as it is written to a queue (the `queue` option), and read back by
 * {@link WebhookRouter.process} in a worker. Plain JSON: every queue engine can hold it.
 */
export interface WebhookJob {
  /** The webhook id: the job id too, so the engine itself drops a second copy. */
  readonly id: string;
  /** The event type. */
  readonly type: string;
  /** When Polar sent the attempt that was enqueued (ISO 8601). */
  readonly timestamp: string;
  /** The API version the payload was made in (its `api_version`, else the `webhook-api-version` header), or null. */
  readonly apiVersion: string | null;
  /** Whether Polar's CLI triggered the event (`x-polar-triggered: true`). */
  readonly triggered?: boolean;
  /** The verified event, as parsed. */
  readonly event: unknown;
  /** The raw body, byte for byte as received and verified, for audit and replay. */
  readonly body: string;
}

/** Where the router hands verified deliveries to be processed by workers (BullMQ, pg-boss, your own). */
export interface WebhookQueue {
  /**
   * Writes `job` durably, with `job.id` as the engine's job id. Resolves once the engine confirmed the
   * write; the delivery is answered 202 only then. A rejection is answered 503 `queue_unavailable`, so
   * that Polar retries: nothing is lost.
   */
  enqueue(job: WebhookJob): Promise<void>;
}
