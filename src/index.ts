/**
 * polar-webhooks: verify, validate and route Polar webhooks on every runtime.
 *
 * @packageDocumentation
 */
export {
  ERROR_STATUS,
  PolarWebhookError,
  UnknownEventTypeError,
  WebhookHandlerError,
  WebhookProcessingError,
  WebhookPayloadError,
  WebhookRequestError,
  WebhookConfigurationError,
  WebhookVerificationError,
  type PayloadIssue,
  type PolarWebhookErrorCode,
  type WebhookPayloadErrorCode,
  type WebhookProcessingErrorCode,
  type WebhookRequestErrorCode,
  type WebhookConfigurationErrorCode,
  type WebhookVerificationErrorCode,
} from './errors';
export {
  verifySignature,
  verifySignatureAsync,
  type SecretScheme,
  type VerifiedDelivery,
  type VerifyOptions,
  type WebhookBody,
  type WebhookHeaders,
  type WebhookSecret,
} from './verify/index';
export { validateEvent, validateEventAsync, type ValidateEventOptions } from './validate';
export {
  EVENT_HANDLER_NAMES,
  EVENT_TYPES,
  isPolarWebhookEventType,
  type PolarWebhookEvent,
  type PolarWebhookEventMap,
  type PolarWebhookEventMapByVersion,
  type PolarWebhookEventType,
  type PolarWebhookHandlerName,
} from './events/catalogue';
export {
  API_VERSIONS,
  DEFAULT_API_VERSION,
  isPolarApiVersion,
  resolveApiVersion,
  type PolarApiVersion,
} from './events/api-version';
export {
  parseEvent,
  safeParseEvent,
  type ApiVersionMismatch,
  type EventSchemasByVersion,
  type ParsableSchema,
  type ParsedEvent,
  type ParseEventOptions,
  type ParseEventResult,
  type SchemaIssue,
} from './events/parse';
export { MAX_ISSUES } from './events/guard-issues';
export { createBackgroundTasks, type BackgroundTasks } from './router/background';
export {
  createWebhooks,
  DEFAULT_MAX_BODY_BYTES,
  type CapturedDelivery,
  type CreateWebhooksOptions,
  type DuplicateDelivery,
  type HandleOptions,
  type IdempotencyOptions,
  type SlowDelivery,
  type WebhookJob,
  type WebhookQueue,
  type DeliveryOutcome,
  type UnknownEventHandler,
  type UnknownWebhookEvent,
  type Unsubscribe,
  type WebhookContext,
  type WebhookDelivery,
  type WebhookErrorContext,
  type WebhookErrorHandler,
  type WebhookEventHandler,
  type WebhookHttpDelivery,
  type WebhookResponse,
  type WebhookRouter,
  type Webhooks,
  type WebhooksLogger,
} from './router';
