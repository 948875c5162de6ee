/**
 * The option names of Polar's own framework adapters (`@polar-sh/express`, `@polar-sh/nextjs`,
 * `@polar-sh/hono`): `webhookSecret`, `onPayload` and one `on<Type>` handler per event type, here for
 * all 42 types. Each adapter's `Webhooks()` builds a router from them with {@link createCompatWebhooks}.
 *
 * @module
 */

import { WebhookConfigurationError, WebhookVerificationError } from '../errors';
import { EVENT_HANDLER_NAMES, EVENT_TYPES } from '../events/catalogue';
import type { PolarWebhookEvent, PolarWebhookEventType, PolarWebhookHandlerName } from '../events/catalogue';
import { createWebhooks } from '../router/create-webhooks';
import type {
  CreateWebhooksOptions,
  UnknownEventHandler,
  WebhookContext,
  WebhookErrorHandler,
  Webhooks,
} from '../router/types';
import type { WebhookSecret } from '../verify/verify';

/** One optional handler per event type, named after it, each given the event narrowed to that type. */
export type EventHandlerOptions = {
  [T in PolarWebhookEventType as PolarWebhookHandlerName<T>]?: (
    payload: PolarWebhookEvent<T>,
    context: WebhookContext,
  ) => void | Promise<void>;
};

/** Options of the adapters' `Webhooks()`: the names Polar's own adapters use, plus this library's policy knobs. */
export type WebhooksOptions = EventHandlerOptions &
  Omit<CreateWebhooksOptions, 'secret'> & {
    /** The endpoint's secret from the Polar dashboard, or a list of secrets during a rotation. */
    webhookSecret: WebhookSecret;
    /** Runs for every valid event, besides its own `on<Type>` handler. */
    onPayload?: (payload: PolarWebhookEvent, context: WebhookContext) => void | Promise<void>;
    /** Runs for verified deliveries of event types this version does not know (see `Webhooks.onUnknown`). */
    onUnknown?: UnknownEventHandler;
    /** Runs for invalid payloads and handler failures (see `Webhooks.onError`). */
    onError?: WebhookErrorHandler;
  };

const POLICY_OPTIONS: ReadonlySet<string> = new Set([
  'webhookSecret',
  'onPayload',
  'onUnknown',
  'onError',
  'tolerance',
  'scheme',
  'maxBodyBytes',
  'onInvalidPayload',
  'logger',
]);

const HANDLER_TYPES: ReadonlyMap<string, PolarWebhookEventType> = new Map(
  EVENT_TYPES.map((type) => [EVENT_HANDLER_NAMES[type] as string, type]),
);

/**
 * Builds a router from `Webhooks()` options: `onPayload` becomes `onAny`, each `on<Type>` becomes
 * `on(type)`. Shared by the Express, Next.js and Hono adapters.
 *
 * @throws {@link WebhookVerificationError} `invalid_option` for an option that is neither a handler of a
 * known event type nor a policy option (a misspelt `onOrderPayed` would otherwise never run).
 */
export function createCompatWebhooks(options: WebhooksOptions): Webhooks {
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError(
      'invalid_option',
      'Webhooks() needs an options object: Webhooks({ webhookSecret, onOrderPaid, … }).',
    );
  }
  for (const key of Object.keys(options)) {
    const value = (options as Readonly<Record<string, unknown>>)[key];
    if (key.startsWith('on') && key !== 'onInvalidPayload' && value !== undefined && typeof value !== 'function') {
      throw new WebhookConfigurationError(
        'invalid_option',
        `Webhooks(): ${key} must be a function, got ${typeof value}.`,
      );
    }
    if (!POLICY_OPTIONS.has(key) && !HANDLER_TYPES.has(key)) {
      throw new WebhookConfigurationError(
        'invalid_option',
        `Webhooks(): unknown option "${key}". Event handlers are named on + the event type in PascalCase ` +
          "(e.g. onOrderPaid for 'order.paid', onBenefitGrantCycled for 'benefit_grant.cycled').",
      );
    }
  }
  const { webhookSecret, onPayload, onUnknown, onError, tolerance, scheme, maxBodyBytes, onInvalidPayload, logger } =
    options;
  const webhooks = createWebhooks({ secret: webhookSecret, tolerance, scheme, maxBodyBytes, onInvalidPayload, logger });
  const handlers = options as Readonly<Record<string, unknown>>;
  for (const [name, type] of HANDLER_TYPES) {
    const handler = handlers[name];
    if (handler !== undefined) webhooks.on(type, handler as Parameters<Webhooks['on']>[1]);
  }
  if (onPayload !== undefined) webhooks.onAny(onPayload);
  if (onUnknown !== undefined) webhooks.onUnknown(onUnknown);
  if (onError !== undefined) webhooks.onError(onError);
  return webhooks;
}
