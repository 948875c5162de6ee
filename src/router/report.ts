/**
 * Reporting failures after verification (invalid payloads, handler errors) to the `onError`
 * handlers, or to the logger when there are none. Reporting never throws and never rejects: a broken
 * `onError` handler or logger must not turn into an unhandled rejection or hide the original failure.
 *
 * @module
 */
import type { WebhookErrorContext, WebhookErrorHandler, WebhooksLogger } from './types';

/**
 * Hands each failure to every `onError` handler, or logs it. Returns a promise only when an
 * `onError` handler returned one (it is awaited, so the answer follows the report).
 */
export function reportFailures(
  handlers: readonly WebhookErrorHandler[],
  logger: WebhooksLogger,
  errors: readonly unknown[],
  context: WebhookErrorContext,
): Promise<void> | undefined {
  if (handlers.length === 0) {
    for (const error of errors) {
      safely(() =>
        logger.error(
          `polar-webhooks: ${context.eventType ?? 'a delivery'} (webhook-id ${context.id}) failed, and no onError handler is registered:`,
          error,
        ),
      );
    }
    return undefined;
  }
  let pending: Promise<unknown>[] | undefined;
  for (const error of errors) {
    for (const handler of handlers) {
      try {
        const result = handler(error, context);
        if (result !== undefined) {
          (pending ??= []).push(Promise.resolve(result).catch((failure) => handlerFailed(logger, failure)));
        }
      } catch (failure) {
        handlerFailed(logger, failure);
      }
    }
  }
  return pending === undefined ? undefined : Promise.all(pending).then(() => undefined);
}

function handlerFailed(logger: WebhooksLogger, failure: unknown): void {
  safely(() => logger.error('polar-webhooks: an onError handler threw', failure));
}

function safely(write: () => void): void {
  try {
    write();
  } catch {
    // Even a broken logger must not break the delivery.
  }
}
