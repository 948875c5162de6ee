/**
 * The types every queue engine shares: what a worker needs of the router, and a failed job as the
 * engines list it.
 *
 * @module
 */
import type { WebhookJob, WebhookRouter } from '../router/types';

/**
 * The part of the router a worker uses: `webhooks.process(job)` runs a job's handlers, and the
 * router's `logger` receives the engine's own errors (a lost connection). A `createWebhooks()` router
 * is one; so is any object that wraps its `process`.
 */
export type WebhookProcessor = Pick<WebhookRouter, 'process'> & Partial<Pick<WebhookRouter, 'logger'>>;

/** What a worker records as a job's result: how it ended, without the event (the job already holds it). */
export interface WebhookJobResult {
  /** The outcome's kind: `'handled'`, `'unknown'`, `'duplicate'` or `'invalid'`. */
  readonly kind: string;
}

/** A webhook job that used up its attempts, as `listFailed()` returns it. */
export interface FailedWebhookJob {
  /** The webhook id (the `webhook-id` header): what `replay()` takes. */
  readonly id: string;
  /** The engine's own id of the job (BullMQ's job id, pg-boss's UUID). */
  readonly jobId: string;
  /** The event type. */
  readonly type: string;
  /** How many times it ran. */
  readonly attempts: number;
  /** When its last attempt failed, when the engine recorded it. */
  readonly failedAt: Date | undefined;
  /** What the last attempt failed with: the error's message. */
  readonly error: string;
  /** The error's stack, when the engine kept it. */
  readonly stack: string | undefined;
  /** The job as the queue option wrote it: the verified event and its raw body. */
  readonly job: WebhookJob;
}
