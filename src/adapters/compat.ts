/**
 * The option names of Polar's own framework adapters (`@polar-sh/express`, `@polar-sh/nextjs`,
 * `@polar-sh/hono`): `webhookSecret`, `onPayload` and one `on<Type>` handler per event type, here for
 * all 42 types. Each adapter's `Webhooks()` builds a router from them with {@link createCompatWebhooks}.
 *
 * @module
 */

import { WebhookConfigurationError } from '../errors';
import { EVENT_HANDLER_NAMES, EVENT_TYPES } from '../events/catalogue';
import type { PolarWebhookEvent, PolarWebhookEventType, PolarWebhookHandlerName } from '../events/catalogue';
import { isEntitlements, type Entitlements } from '../lifecycle/entitlements';
import { closestName } from '../option-names';
import { createRouter } from '../router/create-webhooks';
import type { RouterMaker } from '../router/options';
import type {
  CreateWebhooksOptions,
  UnknownEventHandler,
  WebhookContext,
  WebhookErrorHandler,
  WebhookRouter,
} from '../router/types';

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
    /**
     * The endpoint's secret from the Polar dashboard, or a list of secrets during a rotation; or a
     * function returning it, read on each delivery (see `CreateWebhooksOptions.secret`).
     */
    webhookSecret: CreateWebhooksOptions['secret'];
    /** Runs for every valid event, besides its own `on<Type>` handler. */
    onPayload?: (payload: PolarWebhookEvent, context: WebhookContext) => void | Promise<void>;
    /** Runs for verified deliveries of event types this version does not know (see `Webhooks.onUnknown`). */
    onUnknown?: UnknownEventHandler;
    /** Runs for invalid payloads and handler failures (see `Webhooks.onError`). */
    onError?: WebhookErrorHandler;
    /**
     * Grant and revoke callbacks per benefit, as in the official adapters:
     * `Entitlements.use('pro', new EntitlementStrategy().grant(…).revoke(…))`, from
     * `polar-webhooks/lifecycle`. They run on `benefit_grant.created` and `benefit_grant.revoked`.
     */
    entitlements?: Entitlements;
  };

/** The options `Webhooks()` passes on to the router, under the router's own names. */
const ROUTER_OPTIONS = [
  'tolerance',
  'scheme',
  'maxBodyBytes',
  'onInvalidPayload',
  'logger',
  'capture',
  'idempotency',
  'timeout',
  'onSlow',
  'respond',
  'waitUntil',
  'queue',
  'apiVersion',
] as const;

const POLICY_OPTIONS: ReadonlySet<string> = new Set([
  'webhookSecret',
  'onPayload',
  'onUnknown',
  'onError',
  'entitlements',
  ...ROUTER_OPTIONS,
]);

const HANDLER_TYPES: ReadonlyMap<string, PolarWebhookEventType> = new Map(
  EVENT_TYPES.map((type) => [EVENT_HANDLER_NAMES[type] as string, type]),
);

const KNOWN_NAMES: readonly string[] = [...POLICY_OPTIONS, ...HANDLER_TYPES.keys()];

const WEBHOOKS: RouterMaker = {
  name: 'Webhooks()',
  optionName: (option) => (option === 'secret' ? 'webhookSecret' : option),
  unknownTypeHint: 'Pass onUnknown to Webhooks() to handle its raw payload',
};

function invalidOption(message: string): WebhookConfigurationError {
  return new WebhookConfigurationError('invalid_option', message);
}

function checkOption(key: string, value: unknown): void {
  if (key === 'entitlements' && value !== undefined && !isEntitlements(value)) {
    throw invalidOption(
      'Webhooks(): entitlements must be made with Entitlements.use(key, new EntitlementStrategy()…) from ' +
        "polar-webhooks/lifecycle (the official adapters' Entitlements keeps its handlers in a global list, " +
        'and its callbacks expect the SDK payloads): change its import, and pass what Entitlements.use() returns.',
    );
  }
  if (key.startsWith('on') && key !== 'onInvalidPayload' && value !== undefined && typeof value !== 'function') {
    throw invalidOption(`Webhooks(): ${key} must be a function, got ${value === null ? 'null' : typeof value}.`);
  }
  if (!POLICY_OPTIONS.has(key) && !HANDLER_TYPES.has(key)) {
    const suggestion = closestName(key, KNOWN_NAMES);
    throw invalidOption(
      `Webhooks(): unknown option "${key}"${suggestion ? `. Did you mean "${suggestion}"?` : '.'} Event handlers ` +
        "are named on + the event type in PascalCase (e.g. onOrderPaid for 'order.paid', onBenefitGrantCycled " +
        "for 'benefit_grant.cycled').",
    );
  }
}

/**
 * Builds a router from `Webhooks()` options: `webhookSecret` is the secret, `onPayload` becomes
 * `onAny`, each `on<Type>` becomes `on(type)`. Shared by the adapters' drop-ins.
 *
 * @throws {@link WebhookConfigurationError} `invalid_option` for an option that is neither a handler of a
 * known event type nor a policy option (a misspelt `onOrderPayed` would otherwise never run), and
 * `invalid_secret` for a missing, empty, quoted or placeholder `webhookSecret`.
 */
export function createCompatWebhooks(options: WebhooksOptions): WebhookRouter {
  if (options === null || typeof options !== 'object') {
    throw invalidOption('Webhooks() needs an options object: Webhooks({ webhookSecret, onOrderPaid, … }).');
  }
  const given = options as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(given)) checkOption(key, given[key]);
  const routerOptions: Record<string, unknown> = { secret: options.webhookSecret };
  for (const name of ROUTER_OPTIONS) if (given[name] !== undefined) routerOptions[name] = given[name];
  const webhooks = createRouter(routerOptions as unknown as CreateWebhooksOptions, WEBHOOKS);
  for (const [name, type] of HANDLER_TYPES) {
    const handler = given[name];
    if (handler !== undefined) webhooks.on(type, handler as Parameters<WebhookRouter['on']>[1]);
  }
  if (options.onPayload !== undefined) webhooks.onAny(options.onPayload);
  if (options.onUnknown !== undefined) webhooks.onUnknown(options.onUnknown);
  if (options.onError !== undefined) webhooks.onError(options.onError);
  if (options.entitlements !== undefined) options.entitlements.register(webhooks);
  return webhooks;
}
