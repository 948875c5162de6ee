/**
 * A worker's side of the queue: a job the `queue` option wrote, run through the same handlers. The
 * job was verified when it was received, so it is not verified again (a queue is the app's own
 * infrastructure); its raw body is parsed again, by the same schemas, so handlers get the same event.
 *
 * @module
 */
import { WebhookProcessingError } from '../errors';
import { safeParseEvent } from '../events/parse';
import type { Outcome } from './outcome';
import { receiveUnparsed } from './policy';
import { runHandlers } from './run';
import type { RouterState } from './state';
import type { DeliveryOutcome, WebhookContext, WebhookJob } from './types';

function invalidJob(what: string): WebhookProcessingError {
  return new WebhookProcessingError(
    'invalid_job',
    `The job is not one the queue option wrote (${what}): only hand webhooks.process() the data of jobs it enqueued.`,
  );
}

function contextOf(job: unknown): WebhookContext & { readonly body: string } {
  if (job === null || typeof job !== 'object') throw invalidJob(`got ${job === null ? 'null' : typeof job}`);
  const { id, timestamp, body, triggered } = job as Partial<WebhookJob>;
  if (typeof id !== 'string' || id.length === 0) throw invalidJob('no webhook id');
  if (typeof body !== 'string') throw invalidJob('no raw body');
  const at = typeof timestamp === 'string' ? new Date(timestamp) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw invalidJob('no timestamp');
  return { id, timestamp: at, ...(triggered === true ? { triggered: true } : {}), body };
}

/** Runs the handlers of a queued job; rejects so that the engine retries when it must. */
export async function processJob(state: RouterState, job: WebhookJob): Promise<DeliveryOutcome> {
  const { body, ...verified } = contextOf(job);
  const parsed = safeParseEvent(body, { apiVersion: state.config.apiVersion, deliveredVersion: job.apiVersion });
  let outcome: Outcome;
  if (parsed.success) {
    const { event } = parsed;
    const context: WebhookContext = { ...verified, apiVersion: parsed.apiVersion };
    const handlers = state.registry.handlersFor(event.type);
    outcome = await runHandlers(
      state,
      { handlers, event, known: true, context, done: { kind: 'handled', event, context } },
      { worker: true },
    );
  } else {
    outcome = await receiveUnparsed(state, parsed.error, verified, { worker: true });
  }
  if (outcome.kind === 'failed' || outcome.kind === 'rejected') throw outcome.error;
  return outcome;
}
