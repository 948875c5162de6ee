/**
 * A drop-in for the `Entitlements` and `EntitlementStrategy` of Polar's own adapters
 * (`@polar-sh/adapter-utils`, re-exported by `@polar-sh/nextjs`, `@polar-sh/express`, …), used the
 * same way:
 *
 * ```ts
 * Webhooks({
 *   webhookSecret,
 *   entitlements: Entitlements.use('pro-discord', new EntitlementStrategy().grant(add).revoke(remove)),
 * });
 * ```
 *
 * `grant` callbacks run on `benefit_grant.created`, `revoke` callbacks on `benefit_grant.revoked`,
 * for the benefits the key names, with `{ customer, properties, payload }`. What differs:
 * - no global state: `Entitlements.use()` returns a new set, which `.use()` extends; two routers,
 *   or a module loaded twice (hot reload, tests), never share or double their handlers;
 * - a key matches a benefit by its id or its metadata `slug` as well as by its description, so an
 *   edit of the description in Polar's dashboard need not break access;
 * - a callback that throws fails the delivery, so that Polar retries it;
 * - `register(webhooks, { inOrder })` puts the handlers behind an ordering guard, so that a
 *   `revoked` that overtook its `created` is not undone by it.
 *
 * @module
 */
import type { PolarWebhookEvent } from '../events/catalogue';
import { WebhookConfigurationError } from '../errors';
import type { BenefitGrantWebhook } from '../events/generated/types';
import type { Unsubscribe, WebhookContext, WebhookRouter } from '../router/types';
import type { OrderingGuard } from './ordering';

/** The properties of a benefit grant, as a callback's type parameter narrows them. */
export type EntitlementProperties = Record<string, unknown>;

/** The events an entitlement reacts to. */
export type EntitlementEvent = PolarWebhookEvent<'benefit_grant.created' | 'benefit_grant.revoked'>;

/** What a grant or revoke callback receives. */
export interface EntitlementContext<T extends EntitlementProperties = EntitlementProperties> {
  /** The customer the benefit was granted to, or revoked from. */
  readonly customer: BenefitGrantWebhook['customer'];
  /** The grant's properties (a license key, a Discord account, …). */
  readonly properties: T;
  /** The benefit. */
  readonly benefit: BenefitGrantWebhook['benefit'];
  /** The whole event. */
  readonly payload: EntitlementEvent;
  /** The delivery's webhook id and timestamp. */
  readonly context: WebhookContext;
}

/** A grant or revoke callback. */
export type EntitlementCallback<T extends EntitlementProperties = EntitlementProperties> = (
  context: EntitlementContext<T>,
) => void | Promise<void>;

/** Handles one `benefit_grant.created` or `benefit_grant.revoked` event. */
export type EntitlementHandler = (payload: EntitlementEvent, context?: WebhookContext) => Promise<void>;

const NO_CONTEXT: WebhookContext = Object.freeze({ id: '', timestamp: new Date(0) });

/** Whether `benefit` is the one `key` names: by id, by its metadata `slug`, or by its description. */
function names(key: string, benefit: BenefitGrantWebhook['benefit']): boolean {
  return benefit.id === key || benefit.metadata?.['slug'] === key || benefit.description === key;
}

/**
 * What to do when a benefit is granted, and when it is revoked.
 *
 * @example
 * ```ts
 * const discord = new EntitlementStrategy<{ account_id: string }>()
 *   .grant(({ customer, properties }) => addRole(customer.id, properties.account_id))
 *   .revoke(({ customer, properties }) => removeRole(customer.id, properties.account_id));
 * ```
 */
export class EntitlementStrategy<T extends EntitlementProperties = EntitlementProperties> {
  readonly #grants: EntitlementCallback<T>[] = [];
  readonly #revokes: EntitlementCallback<T>[] = [];

  /** Adds a callback for `benefit_grant.created`. */
  grant(callback: EntitlementCallback<T>): this {
    this.#grants.push(checked(callback, 'grant'));
    return this;
  }

  /** Adds a callback for `benefit_grant.revoked`. */
  revoke(callback: EntitlementCallback<T>): this {
    this.#revokes.push(checked(callback, 'revoke'));
    return this;
  }

  /** A handler that runs this strategy's callbacks for the benefits `key` names (id, slug or description). */
  handler(key: string): EntitlementHandler {
    return async (payload, context = NO_CONTEXT) => {
      if (!names(key, payload.data.benefit)) return;
      const callbacks = payload.type === 'benefit_grant.created' ? this.#grants : this.#revokes;
      const argument: EntitlementContext<T> = {
        customer: payload.data.customer,
        properties: payload.data.properties as unknown as T,
        benefit: payload.data.benefit,
        payload,
        context,
      };
      // Together, as the official adapters run them; any failure fails the delivery.
      await Promise.all(callbacks.map(async (callback) => callback(argument)));
    };
  }
}

function checked<C>(callback: C, method: string): C {
  if (typeof callback !== 'function') {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `EntitlementStrategy.${method}() needs a callback function.`,
    );
  }
  return callback;
}

/** Recognises sets made by another copy of this package (ESM and CommonJS builds side by side). */
const BRAND: unique symbol = Symbol.for('polar-webhooks.entitlements') as never;

/** Whether `value` is a set of entitlements made with {@link Entitlements.use}. */
export function isEntitlements(value: unknown): value is Entitlements {
  return value instanceof Entitlements || (typeof value === 'object' && value !== null && BRAND in value);
}

/**
 * A set of entitlements: benefit keys and the strategies that handle them. Start one with
 * `Entitlements.use(key, strategy)` and pass it as the adapters' `entitlements` option, or
 * `register` it on a router.
 */
export class Entitlements {
  /** The handlers, one per `use`, in order. */
  readonly handlers: readonly EntitlementHandler[];

  private constructor(handlers: readonly EntitlementHandler[]) {
    this.handlers = Object.freeze([...handlers]);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * A new set with one entitlement: `strategy` runs for the benefits `key` names (their id, their
   * metadata `slug`, or their description).
   */
  static use<T extends EntitlementProperties = EntitlementProperties>(
    key: string,
    strategy: EntitlementStrategy<T>,
  ): Entitlements {
    return new Entitlements([]).use(key, strategy);
  }

  /** A new set: this one plus `strategy` for the benefits `key` names. */
  use<T extends EntitlementProperties = EntitlementProperties>(
    key: string,
    strategy: EntitlementStrategy<T>,
  ): Entitlements {
    if (typeof key !== 'string' || key === '') {
      throw new WebhookConfigurationError(
        'invalid_argument',
        "Entitlements.use(key, strategy): key must be the benefit's id, metadata slug or description.",
      );
    }
    if (!(strategy instanceof EntitlementStrategy)) {
      throw new WebhookConfigurationError(
        'invalid_argument',
        'Entitlements.use(key, strategy): strategy must be a new EntitlementStrategy() from polar-webhooks/lifecycle.',
      );
    }
    return new Entitlements([...this.handlers, strategy.handler(key)]);
  }

  /**
   * Runs the set's handlers on `benefit_grant.created` and `benefit_grant.revoked` events of `webhooks`.
   * With `inOrder`, a grant event older than what was applied for its grant is skipped.
   *
   * @returns A function that removes them.
   */
  register(webhooks: Pick<WebhookRouter, 'on'>, options: { readonly inOrder?: OrderingGuard } = {}): Unsubscribe {
    const handlers = this.handlers;
    const run = async (event: EntitlementEvent, context: WebhookContext) => {
      await Promise.all(handlers.map((handler) => handler(event, context)));
    };
    return webhooks.on(
      ['benefit_grant.created', 'benefit_grant.revoked'],
      options.inOrder ? options.inOrder(run) : run,
    );
  }
}
