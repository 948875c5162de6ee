/**
 * The hand-off to a durable queue (the `queue` option): a verified delivery becomes a job, written
 * with the webhook id as its job id, and is acknowledged only once the engine confirmed the write.
 * A worker reads it back with `webhooks.process(job)`, which runs the same handlers.
 *
 * @module
 */
import { WebhookProcessingError } from '../errors';
import type { Outcome } from './outcome';
import type { HandlerTask } from './run';
import type { RouterState } from './state';
import type { WebhookJob, WebhookQueue } from './types';

/** The job of a delivery. */
export function jobOf(task: HandlerTask): WebhookJob {
  const { context, event } = task;
  const stated = (event as { api_version?: unknown }).api_version;
  const apiVersion = typeof stated === 'string' ? stated : (task.source?.deliveredVersion ?? null);
  return {
    id: context.id,
    type: event.type,
    timestamp: context.timestamp.toISOString(),
    apiVersion,
    ...(context.triggered === true ? { triggered: true } : {}),
    event,
    body: task.source?.body ?? JSON.stringify(event),
  };
}

/** Writes the delivery to the queue; 202 once confirmed, 503 `queue_unavailable` otherwise. */
export async function enqueue(state: RouterState, queue: WebhookQueue, task: HandlerTask): Promise<Outcome> {
  try {
    await queue.enqueue(jobOf(task));
    return { kind: 'queued', context: task.context };
  } catch (error) {
    try {
      state.config.logger.error(
        `polar-webhooks: could not write "${task.event.type}" (webhook-id ${task.context.id}) to the queue; ` +
          'answered 503 so that Polar retries it.',
        error,
      );
    } catch {
      // A broken logger must not break the answer.
    }
    const failure = new WebhookProcessingError(
      'queue_unavailable',
      'The queue did not confirm the write of this delivery, so it was not accepted; Polar will retry it.',
      { cause: error },
    );
    return { kind: 'failed', error: failure, context: task.context };
  }
}
