/**
 * `polar-webhooks/better-auth`: Polar webhooks inside Better Auth, at `<basePath>/polar/webhooks`
 * (`/api/auth/polar/webhooks` by default): a webhooks part for the `use: [...]` list of
 * `@polar-sh/better-auth`'s `polar()` plugin, or a plugin of its own. Runs wherever Better Auth runs,
 * Cloudflare Workers included (no Node built-in, no SDK).
 *
 * @module
 */

import type { BetterAuthPlugin, StrictEndpoint } from 'better-auth';
import { WebhookConfigurationError } from '../errors';
import { EVENT_HANDLER_NAMES, EVENT_TYPES, type PolarWebhookEventType } from '../events/catalogue';
import { checkOptionNames } from '../option-names';
import { answerError, toResponse } from '../router/answer';
import { createRouter } from '../router/create-webhooks';
import { ROUTER_OPTION_NAMES, type RouterMaker } from '../router/options';
import type { CreateWebhooksOptions, WebhookRouter } from '../router/types';
import type { EventHandlerOptions, WebhooksOptions } from './compat';
import { answerFetchRequest } from './fetch-request';

/**
 * Options of {@link webhooks} and {@link polarWebhooks}: the names of `@polar-sh/better-auth`'s
 * `webhooks()` (`secret`, `onPayload`, `onOrderPaid`, …), with a handler for every one of the 42 event
 * types, plus this library's policy options.
 */
export type BetterAuthWebhooksOptions = EventHandlerOptions &
  Omit<CreateWebhooksOptions, 'secret'> &
  Pick<WebhooksOptions, 'onPayload' | 'onUnknown' | 'onError'> & {
    /**
     * The endpoint's secret from the Polar dashboard, or a list of secrets during a rotation; or a
     * function returning it, read on each delivery (see `CreateWebhooksOptions.secret`).
     */
    secret: CreateWebhooksOptions['secret'];
  };

/** The path of the webhook endpoint, under Better Auth's `basePath`. */
export const POLAR_WEBHOOKS_PATH = '/polar/webhooks';

/**
 * The options of the POST endpoint, as Better Auth's router reads them: POST, its body left unread (the router
 * reads the raw bytes itself; `disableBody` wins over `cloneRequest`, which is declared for the type
 * `@polar-sh/better-auth` expects of its webhooks part), and no client action.
 */
export type BetterAuthWebhookPostOptions = {
  method: 'POST';
  metadata: { isAction: false };
  cloneRequest: true;
  disableBody: true;
};

/** The options of the endpoint for the other methods, answered 405 with `Allow: POST` rather than Better Auth's 404. */
export type BetterAuthWebhookOtherMethodsOptions = {
  method: ('GET' | 'PUT' | 'PATCH' | 'DELETE')[];
  metadata: { isAction: false };
  disableBody: true;
};

/**
 * The Better Auth endpoints of the webhook route. Each answers with a `Response`, which Better Auth's
 * router passes through as it is; called from server code without a request, it answers 500. Their
 * result type is `never` for that reason, which also keeps them assignable to what
 * `@polar-sh/better-auth` expects of its webhooks part.
 */
export type BetterAuthWebhookEndpoints = {
  /** POST `/polar/webhooks`: Polar's deliveries. */
  readonly polarWebhooks: StrictEndpoint<typeof POLAR_WEBHOOKS_PATH, BetterAuthWebhookPostOptions, never>;
  /** Every other method on the same path. */
  readonly polarWebhooksOtherMethods: StrictEndpoint<
    typeof POLAR_WEBHOOKS_PATH,
    BetterAuthWebhookOtherMethodsOptions,
    never
  >;
};

/**
 * A part for the `use: [...]` list of `@polar-sh/better-auth`'s `polar()` plugin: `polar()` calls it
 * with its Polar client (unused here: verifying needs no API access) and adds the endpoints it returns.
 */
export type BetterAuthWebhooksPart = (client: unknown) => BetterAuthWebhookEndpoints;

/** A Better Auth plugin holding the webhook endpoints, for `plugins: [...]`. */
export type PolarWebhooksPlugin = BetterAuthPlugin & {
  readonly id: 'polar-webhooks';
  readonly endpoints: BetterAuthWebhookEndpoints;
  readonly rateLimit: NonNullable<BetterAuthPlugin['rateLimit']>;
};

/**
 * Better Auth's rate limit for the webhook path: none that a burst of deliveries could reach. Polar
 * counts a 429 as a failed delivery, and disables the endpoint after ten failures in a row; what
 * refuses forged requests is the signature check, which costs microseconds.
 */
const WEBHOOK_RATE_LIMIT = {
  pathMatcher: (path: string): boolean => path === POLAR_WEBHOOKS_PATH,
  window: 60,
  max: Number.MAX_SAFE_INTEGER,
};

const BETTER_AUTH_FIX =
  "In Better Auth that is a plugin's onRequest hook, or code before auth.handler(request), reading the request: " +
  'read a copy there with request.clone().json().';

const NO_REQUEST =
  'The Polar webhooks endpoint was called without a request (auth.api.polarWebhooks() from server code?): it ' +
  'only answers deliveries that reach auth.handler(request) over HTTP.';

function endpoint<Options>(webhooks: WebhookRouter, options: Options) {
  const answer = (context?: { readonly request?: Request }): Promise<Response> => {
    const request = context?.request;
    if (request === undefined) {
      const error = new WebhookConfigurationError('invalid_body', NO_REQUEST);
      return Promise.resolve(toResponse(answerError(error, webhooks.logger)));
    }
    return answerFetchRequest(webhooks, request, BETTER_AUTH_FIX);
  };
  return Object.assign(answer, { path: POLAR_WEBHOOKS_PATH, options });
}

/**
 * The webhook endpoints of a router (one you built with `createWebhooks`), for callers of `webhooks()`
 * and `polarWebhooks()` who prefer `webhooks.on(type, handler)` to options.
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { createBetterAuthWebhooks } from 'polar-webhooks/better-auth';
 *
 * const router = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * router.on('order.paid', (event) => fulfil(event.data.id));
 *
 * polar({ client, use: [checkout({ … }), () => createBetterAuthWebhooks(router)] });
 * ```
 */
export function createBetterAuthWebhooks(webhooks: WebhookRouter): BetterAuthWebhookEndpoints {
  const post: BetterAuthWebhookPostOptions = {
    method: 'POST',
    metadata: { isAction: false },
    cloneRequest: true,
    disableBody: true,
  };
  const others: BetterAuthWebhookOtherMethodsOptions = {
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    metadata: { isAction: false },
    disableBody: true,
  };
  // The endpoints are plain functions with Better Auth's `path` and `options`: building them with
  // better-auth's createAuthEndpoint would pull Better Auth into every bundle of this entry point.
  return {
    polarWebhooks: endpoint(webhooks, post) as unknown as BetterAuthWebhookEndpoints['polarWebhooks'],
    polarWebhooksOtherMethods: endpoint(
      webhooks,
      others,
    ) as unknown as BetterAuthWebhookEndpoints['polarWebhooksOtherMethods'],
  };
}

const BETTER_AUTH_WEBHOOKS: RouterMaker = {
  name: 'webhooks()',
  optionName: (option) => option,
  unknownTypeHint: 'Pass onUnknown to webhooks() to handle its raw payload',
};

const HANDLER_TYPES: ReadonlyMap<string, PolarWebhookEventType> = new Map(
  EVENT_TYPES.map((type) => [EVENT_HANDLER_NAMES[type] as string, type]),
);

const OWN_OPTIONS = ['onPayload', 'onUnknown', 'onError'];

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([...ROUTER_OPTION_NAMES, ...OWN_OPTIONS, ...HANDLER_TYPES.keys()]);

/** A router from {@link BetterAuthWebhooksOptions}: `on<Type>` → `on(type)`, `onPayload` → `onAny`. */
function routerFrom(options: BetterAuthWebhooksOptions): WebhookRouter {
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError(
      'invalid_option',
      'webhooks() needs an options object: webhooks({ secret: process.env.POLAR_WEBHOOK_SECRET, onOrderPaid, … }).',
    );
  }
  checkOptionNames(options, KNOWN_OPTIONS, 'webhooks()');
  const given = options as unknown as Readonly<Record<string, unknown>>;
  const routerOptions: Record<string, unknown> = { secret: given.secret };
  const handlers: [PolarWebhookEventType, unknown][] = [];
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || key === 'secret') continue;
    const type = HANDLER_TYPES.get(key);
    if (key.startsWith('on') && key !== 'onInvalidPayload' && typeof value !== 'function') {
      throw new WebhookConfigurationError(
        'invalid_option',
        `webhooks(): ${key} must be a function, got ${value === null ? 'null' : typeof value}.`,
      );
    }
    if (type !== undefined) handlers.push([type, value]);
    else if (!OWN_OPTIONS.includes(key)) routerOptions[key] = value;
  }
  const webhooks = createRouter(routerOptions as unknown as CreateWebhooksOptions, BETTER_AUTH_WEBHOOKS);
  for (const [type, handler] of handlers) webhooks.on(type, handler as Parameters<WebhookRouter['on']>[1]);
  if (options.onPayload !== undefined) webhooks.onAny(options.onPayload);
  if (options.onUnknown !== undefined) webhooks.onUnknown(options.onUnknown);
  if (options.onError !== undefined) webhooks.onError(options.onError);
  return webhooks;
}

/**
 * Drop-in replacement for `webhooks` from `@polar-sh/better-auth`: the same option names (`secret`,
 * `onPayload`, `onOrderPaid`, …) with a handler for every one of the 42 event types, for the `use: [...]`
 * list of its `polar()` plugin. Answers by this library's policy: 403 to a forged delivery, 202 to a
 * genuine one of an unknown type, 500 (so Polar retries) when a handler throws. The secret and the
 * option names are checked here, when `auth` is built. Better Auth's rate limit (on by default in
 * production: 100 requests per 10 s) covers the webhook path too; lift it there with
 * `rateLimit: { customRules: { '/polar/webhooks': false } }` in the `betterAuth()` options, as below.
 *
 * @example
 * ```ts
 * import { betterAuth } from 'better-auth';
 * import { polar, checkout } from '@polar-sh/better-auth';
 * import { webhooks } from 'polar-webhooks/better-auth';
 *
 * export const auth = betterAuth({
 *   plugins: [
 *     polar({
 *       client: polarClient,
 *       use: [
 *         checkout({ products: [{ productId: '…', slug: 'pro' }] }),
 *         webhooks({
 *           secret: process.env.POLAR_WEBHOOK_SECRET!,
 *           onCustomerStateChanged: async (payload) => syncAccess(payload.data),
 *         }),
 *       ],
 *     }),
 *   ],
 *   rateLimit: { customRules: { '/polar/webhooks': false } },
 * });
 * ```
 */
export function webhooks(options: BetterAuthWebhooksOptions): BetterAuthWebhooksPart {
  const endpoints = createBetterAuthWebhooks(routerFrom(options));
  return () => endpoints;
}

/**
 * The same webhook endpoints as a Better Auth plugin of their own, for apps that do not use
 * `@polar-sh/better-auth` (use one or the other: both serve `/polar/webhooks`). The plugin also lifts
 * Better Auth's rate limit (on by default in production: 100 requests per 10 s) from the webhook path,
 * so that a burst of deliveries is never answered 429.
 *
 * @example
 * ```ts
 * import { betterAuth } from 'better-auth';
 * import { polarWebhooks } from 'polar-webhooks/better-auth';
 *
 * export const auth = betterAuth({
 *   plugins: [
 *     polarWebhooks({
 *       secret: process.env.POLAR_WEBHOOK_SECRET!,
 *       onOrderPaid: async (payload) => fulfil(payload.data.id),
 *     }),
 *   ],
 * });
 * ```
 */
export function polarWebhooks(options: BetterAuthWebhooksOptions): PolarWebhooksPlugin {
  return {
    id: 'polar-webhooks',
    endpoints: createBetterAuthWebhooks(routerFrom(options)),
    rateLimit: [WEBHOOK_RATE_LIMIT],
  };
}

export type { EventHandlerOptions } from './compat';
