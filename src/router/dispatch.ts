/**
 * Dispatch: running the handlers of one event. All of them start, in order, whatever the others do;
 * async ones are awaited together; every failure is reported, then the delivery fails as a whole.
 * Nothing is asynchronous unless a handler made it so: when every handler returns nothing, dispatch
 * returns nothing, and the answer can be written in the same tick.
 *
 * @module
 */
import { WebhookHandlerError } from '../errors';
import type { PolarWebhookEvent } from '../events/catalogue';
import type { AnyHandler } from './registry';
import type { UnknownWebhookEvent, WebhookContext, WebhookErrorContext } from './types';

/** Reports the failures of one dispatch (see `reportFailures`); may return a promise to wait for. */
export type ReportFailures = (errors: readonly unknown[], context: WebhookErrorContext) => Promise<void> | undefined;

/**
 * Starts every handler in order. Returns `undefined` when all of them returned nothing and none
 * threw: the delivery is done, with no promise made. Otherwise returns a promise that waits for the
 * async ones together, reports each failure, and rejects with one {@link WebhookHandlerError}.
 *
 * @param known - Whether `event` is a validated event (its error context then carries it).
 */
export function dispatch(
  handlers: readonly AnyHandler[],
  event: PolarWebhookEvent | UnknownWebhookEvent,
  context: WebhookContext,
  known: boolean,
  report: ReportFailures,
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
  return settle(pending, failures, event, context, known, report);
}

async function settle(
  pending: readonly unknown[] | undefined,
  failures: unknown[] | undefined,
  event: PolarWebhookEvent | UnknownWebhookEvent,
  context: WebhookContext,
  known: boolean,
  report: ReportFailures,
): Promise<void> {
  if (pending !== undefined) {
    for (const outcome of await Promise.allSettled(pending)) {
      if (outcome.status === 'rejected') (failures ??= []).push(outcome.reason);
    }
  }
  if (failures === undefined) return;
  const eventType = event.type;
  await report(failures, {
    id: context.id,
    timestamp: context.timestamp,
    eventType,
    event: known ? (event as PolarWebhookEvent) : undefined,
  });
  throw new WebhookHandlerError(failures, eventType);
}
