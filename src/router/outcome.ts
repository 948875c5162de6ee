/**
 * How a delivery ends, as the pipeline reports it: the one value the HTTP answer, `verifyAndReceive`
 * and every adapter are derived from.
 *
 * @module
 */
import type { WebhookHandlerError, WebhookPayloadError, WebhookProcessingError } from '../errors';
import type { DeliveryOutcome, WebhookContext } from './types';

/** The end of a delivery that reached the handlers' side: handled, unknown type, or invalid payload acknowledged. */
export type Acknowledged = DeliveryOutcome;

/** A delivery that was refused before anything ran: not proven to come from Polar, a set-up problem, a bad request. */
export interface Rejected {
  readonly kind: 'rejected';
  /** Why: usually a `PolarWebhookError`; anything else is unexpected, and logged when answered. */
  readonly error: unknown;
}

/**
 * A verified delivery whose processing failed or could not finish now, so Polar must retry it: a handler
 * threw, an invalid payload in retry mode, a copy still running, the time budget spent, the store down.
 */
export interface Failed {
  readonly kind: 'failed';
  /** What failed. */
  readonly error: WebhookHandlerError | WebhookPayloadError | WebhookProcessingError;
  /** The delivery's id and timestamp. */
  readonly context: WebhookContext;
}

/** Every way a delivery can end. */
export type Outcome = Acknowledged | Rejected | Failed;

/** A rejection, as an outcome. */
export const rejected = (error: unknown): Rejected => ({ kind: 'rejected', error });
