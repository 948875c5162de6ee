/**
 * What a customer has access to, from one `CustomerState`: the payload of `customer.state_changed`,
 * or the state fetched from Polar's API (`GET /v1/customers/{id}/state`, `@polar-sh/sdk` 1.x
 * `customers.getState`). It lists every active subscription and every granted benefit at once, so
 * access checks need no history of events.
 *
 * A benefit is found by its id, by its slug (a `slug` key in the benefit's metadata, which you set
 * in Polar and which survives edits of its description), by its description (customer state does
 * not carry descriptions: pass them in `descriptions`), or by its type.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import type {
  BenefitGrantProperties,
  BenefitType,
  CustomerState,
  CustomerStateSubscription,
  MetadataOutputType,
} from '../events/generated/types';

/** A benefit the customer holds. */
export interface GrantedBenefit {
  /** The benefit's id. */
  readonly id: string;
  /** The grant's id (one per benefit and subscription or order that granted it). */
  readonly grantId: string;
  /** The benefit's type: `custom`, `discord`, `license_keys`, `feature_flag`, … */
  readonly type: BenefitType;
  /** The benefit's slug: its metadata value under `slugKey` (default `slug`), when that is a string. */
  readonly slug: string | undefined;
  /** The benefit's description, when `descriptions` knows it. */
  readonly description: string | undefined;
  /** The benefit's metadata. */
  readonly metadata: Readonly<MetadataOutputType>;
  /** The grant's properties (a license key, a Discord account, …). */
  readonly properties: Readonly<BenefitGrantProperties>;
  /** When it was granted (ISO 8601). */
  readonly grantedAt: string;
}

/**
 * A benefit to look for: a string matches its id, slug or description; an object matches a benefit
 * that has every field it gives.
 */
export type BenefitRef =
  | string
  | {
      readonly id?: string;
      readonly slug?: string;
      readonly description?: string;
      readonly type?: BenefitType;
    };

/** Options of {@link customerAccess}. */
export interface CustomerAccessOptions {
  /**
   * Benefit descriptions by benefit id, for lookups by description: a record, or a function (say,
   * over the benefits your `benefit.created` / `benefit.updated` handlers keep).
   */
  readonly descriptions?: Readonly<Record<string, string>> | ((benefitId: string) => string | undefined);
  /** The metadata key that holds a benefit's slug. Default `'slug'`. */
  readonly slugKey?: string;
}

/** What a customer has access to; see {@link customerAccess}. */
export interface CustomerAccess {
  /** The customer's id in Polar. */
  readonly customerId: string;
  /** The customer's id in your system, when set. */
  readonly externalId: string | null;
  /** The customer's email, when known. */
  readonly email: string | null;
  /** Whether the customer was deleted in Polar. */
  readonly deleted: boolean;
  /** The active (or trialing) subscriptions, a scheduled cancellation included until it takes effect. */
  readonly subscriptions: readonly CustomerStateSubscription[];
  /** Every benefit granted, one entry per grant. */
  readonly benefits: readonly GrantedBenefit[];
  /** Whether the customer holds a benefit matching `ref`. */
  hasBenefit(ref: BenefitRef): boolean;
  /** The first granted benefit matching `ref`. */
  findBenefit(ref: BenefitRef): GrantedBenefit | undefined;
  /** Every granted benefit matching `ref`. */
  findBenefits(ref: BenefitRef): readonly GrantedBenefit[];
  /** Whether an active (or trialing) subscription exists, to `productId` when given. */
  hasActiveSubscription(productId?: string): boolean;
}

/** Whether `benefit` matches `ref`. */
export function matchesBenefit(benefit: GrantedBenefit, ref: BenefitRef): boolean {
  if (typeof ref === 'string') return benefit.id === ref || benefit.slug === ref || benefit.description === ref;
  if (ref.id === undefined && ref.slug === undefined && ref.description === undefined && ref.type === undefined)
    return false;
  return (
    (ref.id === undefined || benefit.id === ref.id) &&
    (ref.slug === undefined || benefit.slug === ref.slug) &&
    (ref.description === undefined || benefit.description === ref.description) &&
    (ref.type === undefined || benefit.type === ref.type)
  );
}

function describer(descriptions: CustomerAccessOptions['descriptions']): (id: string) => string | undefined {
  if (descriptions === undefined) return () => undefined;
  if (typeof descriptions === 'function') return descriptions;
  return (id) => (Object.hasOwn(descriptions, id) ? descriptions[id] : undefined);
}

function checkState(state: unknown): asserts state is CustomerState {
  const s = state as Partial<Record<string, unknown>> | null;
  if (
    s !== null &&
    typeof s === 'object' &&
    Array.isArray(s['granted_benefits']) &&
    Array.isArray(s['active_subscriptions'])
  ) {
    return;
  }
  const camel = s !== null && typeof s === 'object' && 'grantedBenefits' in s;
  throw new WebhookConfigurationError(
    'invalid_argument',
    "customerAccess(state): state must be a CustomerState in Polar's wire shape (snake_case, as in " +
      "customer.state_changed's data, the API's JSON, or @polar-sh/sdk 1.x)" +
      (camel
        ? '; this one is camelCase (@polar-sh/sdk 0.x): fetch it with @polar-sh/sdk 1.x or the API instead.'
        : '.'),
  );
}

/**
 * A typed view of what a customer has access to.
 *
 * @example
 * ```ts
 * webhooks.on('customer.state_changed', async (event) => {
 *   const access = customerAccess(event.data);
 *   await db.setPlan(access.externalId ?? access.customerId, {
 *     pro: access.hasBenefit('pro'), // id, metadata slug, or description
 *     seats: access.findBenefits({ type: 'license_keys' }).length,
 *   });
 * });
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_argument` when `state` is not a customer state.
 */
export function customerAccess(state: CustomerState, options: CustomerAccessOptions = {}): CustomerAccess {
  checkState(state);
  const slugKey = options.slugKey ?? 'slug';
  const describe = describer(options.descriptions);
  const benefits: readonly GrantedBenefit[] = Object.freeze(
    state.granted_benefits.map((grant): GrantedBenefit => {
      const metadata = grant.benefit_metadata ?? {};
      const slug = metadata[slugKey];
      return Object.freeze({
        id: grant.benefit_id,
        grantId: grant.id,
        type: grant.benefit_type,
        slug: typeof slug === 'string' ? slug : undefined,
        description: describe(grant.benefit_id),
        metadata,
        properties: grant.properties,
        grantedAt: grant.granted_at,
      });
    }),
  );
  const subscriptions: readonly CustomerStateSubscription[] = Object.freeze([...state.active_subscriptions]);
  const findBenefits = (ref: BenefitRef) => benefits.filter((benefit) => matchesBenefit(benefit, ref));
  return Object.freeze({
    customerId: state.id,
    externalId: state.external_id ?? null,
    email: state.email ?? null,
    deleted: state.deleted_at !== null && state.deleted_at !== undefined,
    subscriptions,
    benefits,
    hasBenefit: (ref: BenefitRef) => benefits.some((benefit) => matchesBenefit(benefit, ref)),
    findBenefit: (ref: BenefitRef) => benefits.find((benefit) => matchesBenefit(benefit, ref)),
    findBenefits,
    hasActiveSubscription: (productId?: string) =>
      subscriptions.some(
        (s) =>
          (s.status === 'active' || s.status === 'trialing') && (productId === undefined || s.product_id === productId),
      ),
  });
}
