/**
 * `polar-webhooks/verify`: signature verification alone, without the event schemas (and without
 * zod). For apps that only need to know a delivery is genuine, or that validate payloads their own
 * way; it loads in a fraction of the time the full entry takes. The same functions are exported by
 * `polar-webhooks` itself.
 *
 * @example
 * ```ts
 * import { verifySignature } from 'polar-webhooks/verify';
 *
 * const { id } = verifySignature(rawBody, req.headers, process.env.POLAR_WEBHOOK_SECRET!);
 * const event = JSON.parse(rawBody); // unvalidated
 * ```
 *
 * @module
 */
export {
  ERROR_STATUS,
  PolarWebhookError,
  WebhookConfigurationError,
  WebhookVerificationError,
  type PolarWebhookErrorCode,
  type WebhookConfigurationErrorCode,
  type WebhookVerificationErrorCode,
} from '../errors';
export type { WebhookHeaders } from './headers';
export type { SecretScheme } from './secret';
export {
  verifySignature,
  verifySignatureAsync,
  type VerifiedDelivery,
  type VerifyOptions,
  type WebhookBody,
  type WebhookSecret,
} from './verify';
