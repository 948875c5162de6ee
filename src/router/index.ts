/**
 * The router: {@link createWebhooks} and its types. Re-exported by the package's main entry.
 *
 * @module
 */

export { createWebhooks, DEFAULT_MAX_BODY_BYTES } from './create-webhooks';
export type {
  CapturedDelivery,
  CreateWebhooksOptions,
  DuplicateDelivery,
  HandleOptions,
  IdempotencyOptions,
  SlowDelivery,
  WebhookJob,
  WebhookQueue,
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
  WebhookResponse,
  WebhookRouter,
  Webhooks,
  WebhooksLogger,
} from './types';
