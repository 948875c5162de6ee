/**
 * The `capture` option: a copy of each verified delivery (the headers that matter and the raw body)
 * handed to the user's function, off the delivery's path. It is called, never awaited; whatever it
 * throws or rejects with is a warning, never a failed delivery.
 *
 * @module
 */
import { bodyText } from '../events/parse';
import { readHeader, type WebhookHeaders } from '../verify/headers';
import type { VerifiedDelivery, WebhookBody } from '../verify/verify';
import type { RouterState } from './state';
import type { CapturedDelivery } from './types';

/** The headers a captured delivery keeps: what verification, versioning and diagnosis read. */
const CAPTURED_HEADERS = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'webhook-api-version',
  'x-polar-triggered',
  'content-type',
  'user-agent',
] as const;

/** Hands a copy of the delivery to `capture`, reporting its failures on the logger. */
export function capture(
  state: RouterState,
  verified: VerifiedDelivery,
  body: WebhookBody,
  headers: WebhookHeaders,
): void {
  const { capture: write, logger } = state.config;
  if (write === undefined) return;
  const kept: Record<string, string> = {};
  for (const name of CAPTURED_HEADERS) {
    const value = readHeader(headers, name);
    if (value !== undefined) kept[name] = value;
  }
  const delivery: CapturedDelivery = {
    id: verified.id,
    timestamp: verified.timestamp,
    headers: kept,
    body: bodyText(body),
  };
  const failed = (error: unknown): void => {
    try {
      logger.warn(`polar-webhooks: capture failed for webhook-id ${verified.id}; the delivery itself went on.`, error);
    } catch {
      // A broken logger must not break the delivery.
    }
  };
  try {
    const result = write(delivery);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(undefined, failed);
    }
  } catch (error) {
    failed(error);
  }
}
