import {
  UnknownEventTypeError,
  WebhookConfigurationError,
  WebhookHandlerError,
  type WebhookPayloadError,
  WebhookVerificationError,
} from '../errors';
import type { PolarWebhookEvent, PolarWebhookEventType } from '../events/catalogue';
import { isPolarWebhookEventType } from '../events/catalogue';
import { bodyText, safeParseEvent } from '../events/parse';
import { nodeCrypto } from '../verify/hmac-node';
import { readTolerance } from '../verify/timestamp';
import { verifySignature, verifySignatureAsync, type VerifyOptions, type WebhookBody } from '../verify/verify';
import type { WebhookHeaders } from '../verify/headers';
import {
  ACCEPTED,
  accepted,
  methodNotAllowed,
  bodyTooLarge,
  errorResponse,
  exceedsLimit,
  readRequestBody,
  toResponse,
} from './handle';
import { registerDeliverer } from './deliverer';
import type {
  CreateWebhooksOptions,
  DeliveryOutcome,
  UnknownEventHandler,
  UnknownWebhookEvent,
  Unsubscribe,
  WebhookContext,
  WebhookDelivery,
  WebhookErrorContext,
  WebhookErrorHandler,
  WebhookEventHandler,
  WebhookHttpDelivery,
  Webhooks,
  WebhookResponse,
} from './types';

/** Default `maxBodyBytes`: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** How many distinct unknown event types are remembered for the warn-once rule. */
const MAX_WARNED_TYPES = 256;

type AnyHandler = (event: never, context: WebhookContext) => void | Promise<void>;

function invalidOption(message: string): WebhookConfigurationError {
  return new WebhookConfigurationError('invalid_option', message);
}

function checkOptions(options: CreateWebhooksOptions | undefined): asserts options is CreateWebhooksOptions {
  if (options === null || typeof options !== 'object') {
    throw invalidOption(
      'createWebhooks() needs an options object: createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET }).',
    );
  }
  const { maxBodyBytes, onInvalidPayload, logger } = options;
  if (maxBodyBytes !== undefined && !(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw invalidOption(
      `maxBodyBytes must be a positive whole number of bytes (got ${String(maxBodyBytes)}). ` +
        `Leave it out for the default of ${DEFAULT_MAX_BODY_BYTES} (1 MiB).`,
    );
  }
  if (onInvalidPayload !== undefined && onInvalidPayload !== 'acknowledge' && onInvalidPayload !== 'retry') {
    throw invalidOption(`onInvalidPayload must be 'acknowledge' or 'retry' (got ${JSON.stringify(onInvalidPayload)}).`);
  }
  if (
    logger !== undefined &&
    (logger === null || typeof logger.warn !== 'function' || typeof logger.error !== 'function')
  ) {
    throw invalidOption('logger must have warn() and error() methods, like console (the default).');
  }
}

function checkHandler(handler: unknown, method: string): void {
  if (typeof handler !== 'function') {
    throw new TypeError(
      `webhooks.${method}() needs a handler function, got ${handler === null ? 'null' : typeof handler}.`,
    );
  }
}

function checkEventType(type: unknown): asserts type is PolarWebhookEventType {
  if (!isPolarWebhookEventType(type)) {
    throw new TypeError(
      `webhooks.on(${JSON.stringify(type)}): not a Polar event type. Use one of the names in EVENT_TYPES ` +
        "(e.g. 'order.paid'), or onUnknown() for types newer than this version of polar-webhooks.",
    );
  }
}

/** Copy-on-write removal of one registration, so a dispatch in progress keeps its snapshot. */
function without<H>(list: readonly H[], handler: H): readonly H[] {
  const index = list.indexOf(handler);
  return index === -1 ? list : [...list.slice(0, index), ...list.slice(index + 1)];
}

/**
 * Creates a webhook router for one Polar endpoint.
 *
 * Register handlers with `on`, `onAny`, `onUnknown` and `onError`, then mount it: `webhooks.handle`
 * answers a Fetch `Request` (Workers, Bun, Deno, Next.js App Router), and `polar-webhooks/express`,
 * `/next` and `/hono` wrap it for those frameworks.
 *
 * @param options - The endpoint's secret (or secrets, during a rotation) and the policy knobs.
 * @throws {@link WebhookVerificationError} `invalid_option` for malformed options (the secret itself is
 *   checked on each delivery).
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', async (event, { id }) => {
 *   await fulfil(event.data.id, { idempotencyKey: id });
 * });
 * export default { fetch: webhooks.handle };
 * ```
 */
export function createWebhooks(options: CreateWebhooksOptions): Webhooks {
  checkOptions(options);
  const { secret } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const retryInvalid = options.onInvalidPayload === 'retry';
  const logger = options.logger ?? console;
  const verifyOptions: VerifyOptions = { tolerance: readTolerance(options.tolerance), scheme: options.scheme };

  const byType = new Map<string, readonly AnyHandler[]>();
  let anyHandlers: readonly AnyHandler[] = [];
  let unknownHandlers: readonly AnyHandler[] = [];
  let errorHandlers: readonly WebhookErrorHandler[] = [];
  /** Per type: its own handlers then the onAny ones; rebuilt lazily after any change. */
  const dispatchTable = new Map<string, readonly AnyHandler[]>();
  const warnedTypes = new Set<string>();

  function handlersFor(type: string): readonly AnyHandler[] {
    let list = dispatchTable.get(type);
    if (list === undefined) {
      const own = byType.get(type);
      list = own === undefined ? anyHandlers : anyHandlers.length === 0 ? own : [...own, ...anyHandlers];
      dispatchTable.set(type, list);
    }
    return list;
  }

  function unsubscriber(remove: () => void): Unsubscribe {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      remove();
      dispatchTable.clear();
    };
  }

  function on<T extends PolarWebhookEventType>(
    type: T | readonly T[],
    handler: WebhookEventHandler<PolarWebhookEvent<T>>,
  ): Unsubscribe {
    checkHandler(handler, 'on');
    const types: readonly unknown[] = Array.isArray(type) ? type : [type];
    if (types.length === 0) throw new TypeError('webhooks.on([]): give at least one event type.');
    types.forEach(checkEventType);
    const registered = [...new Set(types as readonly string[])];
    const fn = handler as AnyHandler;
    for (const t of registered) byType.set(t, [...(byType.get(t) ?? []), fn]);
    dispatchTable.clear();
    return unsubscriber(() => {
      for (const t of registered) {
        const list = without(byType.get(t) ?? [], fn);
        if (list.length === 0) byType.delete(t);
        else byType.set(t, list);
      }
    });
  }

  function onAny(handler: WebhookEventHandler): Unsubscribe {
    checkHandler(handler, 'onAny');
    const fn = handler as AnyHandler;
    anyHandlers = [...anyHandlers, fn];
    dispatchTable.clear();
    return unsubscriber(() => {
      anyHandlers = without(anyHandlers, fn);
    });
  }

  function onUnknown(handler: UnknownEventHandler): Unsubscribe {
    checkHandler(handler, 'onUnknown');
    const fn = handler as AnyHandler;
    unknownHandlers = [...unknownHandlers, fn];
    return unsubscriber(() => {
      unknownHandlers = without(unknownHandlers, fn);
    });
  }

  function onError(handler: WebhookErrorHandler): Unsubscribe {
    checkHandler(handler, 'onError');
    errorHandlers = [...errorHandlers, handler];
    return unsubscriber(() => {
      errorHandlers = without(errorHandlers, handler);
    });
  }

  /** Hands each failure to every onError handler (or the logger); never throws. */
  async function reportErrors(errors: readonly unknown[], context: WebhookErrorContext): Promise<void> {
    const handlers = errorHandlers;
    if (handlers.length === 0) {
      for (const error of errors) {
        logger.error(
          `polar-webhooks: ${context.eventType ?? 'a delivery'} (webhook-id ${context.id}) failed, and no onError handler is registered:`,
          error,
        );
      }
      return;
    }
    const pending: Promise<unknown>[] = [];
    for (const error of errors) {
      for (const handler of handlers) {
        try {
          const result = handler(error, context);
          if (result !== undefined) pending.push(Promise.resolve(result).catch(onErrorHandlerFailed));
        } catch (failure) {
          onErrorHandlerFailed(failure);
        }
      }
    }
    if (pending.length > 0) await Promise.all(pending);
  }

  function onErrorHandlerFailed(failure: unknown): void {
    try {
      logger.error('polar-webhooks: an onError handler threw', failure);
    } catch {
      // Even a broken logger must not turn into an unhandled rejection.
    }
  }

  /**
   * Starts every handler in order. Returns `undefined` when all of them returned nothing and none
   * threw: the delivery is done, with no promise made. Otherwise returns a promise that waits for
   * the async ones together, reports each failure, and rejects with one WebhookHandlerError.
   */
  function dispatch(
    handlers: readonly AnyHandler[],
    event: PolarWebhookEvent | UnknownWebhookEvent,
    context: WebhookContext,
    known: boolean,
  ): Promise<void> | undefined {
    let failures: unknown[] | undefined;
    let pending: unknown[] | undefined;
    for (let i = 0; i < handlers.length; i++) {
      try {
        const result = (handlers[i] as (e: unknown, c: WebhookContext) => unknown)(event, context);
        if (result !== undefined) (pending ??= []).push(result);
      } catch (error) {
        (failures ??= []).push(error);
      }
    }
    if (pending === undefined && failures === undefined) return undefined;
    return finishDispatch(pending, failures, event, context, known);
  }

  async function finishDispatch(
    pending: readonly unknown[] | undefined,
    failures: unknown[] | undefined,
    event: PolarWebhookEvent | UnknownWebhookEvent,
    context: WebhookContext,
    known: boolean,
  ): Promise<void> {
    if (pending !== undefined) {
      for (const outcome of await Promise.allSettled(pending)) {
        if (outcome.status === 'rejected') (failures ??= []).push(outcome.reason);
      }
    }
    if (failures === undefined) return;
    const eventType = event.type;
    await reportErrors(failures, {
      id: context.id,
      timestamp: context.timestamp,
      eventType,
      event: known ? (event as PolarWebhookEvent) : undefined,
    });
    throw new WebhookHandlerError(failures, eventType);
  }

  function receive(event: PolarWebhookEvent, context?: Partial<WebhookContext>): Promise<void> {
    const full: WebhookContext =
      context?.id !== undefined && context.timestamp !== undefined
        ? (context as WebhookContext)
        : { id: context?.id ?? '', timestamp: context?.timestamp ?? new Date() };
    return dispatch(handlersFor(event.type), event, full, true) ?? Promise.resolve();
  }

  async function receiveUnknown(error: UnknownEventTypeError, context: WebhookContext): Promise<void> {
    const handlers = unknownHandlers;
    if (handlers.length === 0) {
      if (!warnedTypes.has(error.eventType) && warnedTypes.size < MAX_WARNED_TYPES) {
        warnedTypes.add(error.eventType);
        logger.warn(
          `polar-webhooks: acknowledged a "${error.eventType}" event, a type this version does not know. ` +
            'Register webhooks.onUnknown() to handle its raw payload, or upgrade polar-webhooks. ' +
            'This is logged once per type.',
        );
      }
      return;
    }
    await dispatch(handlers, error.payload as UnknownWebhookEvent, context, false);
  }

  /** A verified delivery whose payload did not parse: an unknown type, or an invalid payload. */
  async function receiveUnparsed(
    error: WebhookPayloadError | UnknownEventTypeError,
    context: WebhookContext,
  ): Promise<DeliveryOutcome> {
    if (error instanceof UnknownEventTypeError) {
      await receiveUnknown(error, context);
      return { kind: 'unknown', event: error.payload as UnknownWebhookEvent, context };
    }
    await reportErrors([error], {
      id: context.id,
      timestamp: context.timestamp,
      eventType: error.eventType,
      event: undefined,
    });
    if (retryInvalid) throw error;
    return { kind: 'invalid', error, context };
  }

  async function verifyAndReceive(delivery: WebhookDelivery): Promise<DeliveryOutcome> {
    const { body, headers } = delivery;
    // The verified delivery carries the id and timestamp: it is the context handlers get.
    const context: WebhookContext = await verifySignatureAsync(body, headers, secret, verifyOptions);
    const parsed = safeParseEvent(bodyText(body));
    if (!parsed.success) return receiveUnparsed(parsed.error, context);
    const { event } = parsed;
    await dispatch(handlersFor(event.type), event, context, true);
    return { kind: 'handled', event, context };
  }

  /**
   * The HTTP policy for a body in hand: verify, parse, dispatch, answer. Runs synchronously from
   * start to finish where node:crypto is available and the handlers return nothing (no promise is
   * made at all); returns a promise otherwise. Never throws, and the promise never rejects.
   */
  function deliver(body: WebhookBody, headers: WebhookHeaders): WebhookResponse | Promise<WebhookResponse> {
    if (nodeCrypto() === undefined) return deliverAsync(body, headers);
    let context: WebhookContext;
    try {
      context = verifySignature(body, headers, secret, verifyOptions);
    } catch (error) {
      return errorResponse(error, logger);
    }
    return receiveVerified(body, context);
  }

  /** {@link deliver} where signatures are checked with Web Crypto. */
  async function deliverAsync(body: WebhookBody, headers: WebhookHeaders): Promise<WebhookResponse> {
    let context: WebhookContext;
    try {
      context = await verifySignatureAsync(body, headers, secret, verifyOptions);
    } catch (error) {
      return errorResponse(error, logger);
    }
    return receiveVerified(body, context);
  }

  function receiveVerified(body: WebhookBody, context: WebhookContext): WebhookResponse | Promise<WebhookResponse> {
    let running: Promise<unknown> | undefined;
    try {
      const parsed = safeParseEvent(bodyText(body));
      if (parsed.success) {
        const { event } = parsed;
        running = dispatch(handlersFor(event.type), event, context, true);
      } else {
        running = receiveUnparsed(parsed.error, context);
      }
    } catch (error) {
      return errorResponse(error, logger);
    }
    return running === undefined ? ACCEPTED : acceptedOnceDone(running);
  }

  async function acceptedOnceDone(running: Promise<unknown>): Promise<WebhookResponse> {
    try {
      await running;
      return ACCEPTED;
    } catch (error) {
      return errorResponse(error, logger);
    }
  }

  /** {@link deliver} after the method and size checks, for a body read by the caller. */
  function deliverHttp(delivery: WebhookHttpDelivery): WebhookResponse | Promise<WebhookResponse> {
    if (delivery.method !== 'POST') return methodNotAllowed();
    const body = delivery.body ?? '';
    if (exceedsLimit(body, maxBodyBytes)) return errorResponse(bodyTooLarge(maxBodyBytes), logger);
    return deliver(body, delivery.headers);
  }

  async function respond(delivery: WebhookHttpDelivery): Promise<WebhookResponse> {
    const answer = await deliverHttp(delivery);
    // The shared answer stays inside: the caller gets an object of its own.
    return answer === ACCEPTED ? accepted() : answer;
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== 'POST') return toResponse(methodNotAllowed());
    let body: Uint8Array;
    try {
      body = await readRequestBody(request, maxBodyBytes);
    } catch (error) {
      return toResponse(errorResponse(error, logger));
    }
    const answer = deliver(body, request.headers);
    return toResponse(answer instanceof Promise ? await answer : answer);
  }

  const webhooks: Webhooks = Object.freeze({
    on,
    onAny,
    onUnknown,
    onError,
    receive,
    verifyAndReceive,
    respond,
    handle,
    maxBodyBytes,
  });
  registerDeliverer(webhooks, deliverHttp);
  return webhooks;
}
