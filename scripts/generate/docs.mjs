// @ts-check
// Descriptions for declarations the spec leaves undescribed, and names for the inline unions that
// several properties share. Edited by hand when Polar adds models.
import { typeName } from './ir.mjs';

/** Names for inline unions that are shared by several properties (sorted member names → name). */
export const UNION_NAMES = /** @type {Record<string, string>} */ ({
  'LegacyRecurringProductPrice|ProductPrice': 'AnyProductPrice',
  'DiscountFixedOnceForeverDurationBase|DiscountFixedRepeatDurationBase|DiscountPercentageOnceForeverDurationBase|DiscountPercentageRepeatDurationBase':
    'DiscountBase',
  'CheckoutDiscountFixedOnceForeverDuration|CheckoutDiscountFixedRepeatDuration|CheckoutDiscountPercentageOnceForeverDuration|CheckoutDiscountPercentageRepeatDuration':
    'CheckoutDiscount',
  'CountAggregation|PropertyAggregation|UniqueAggregation': 'MeterAggregation',
  'BenefitGrantCustomProperties|BenefitGrantDiscordProperties|BenefitGrantDownloadablesProperties|BenefitGrantFeatureFlagProperties|BenefitGrantGitHubRepositoryProperties|BenefitGrantLicenseKeysProperties|BenefitGrantSlackSharedChannelProperties':
    'BenefitGrantProperties',
  'BenefitGrantCustomProperties|BenefitGrantDiscordProperties|BenefitGrantDownloadablesProperties|BenefitGrantFeatureFlagProperties|BenefitGrantGitHubRepositoryProperties|BenefitGrantLicenseKeysProperties|BenefitGrantMeterCreditProperties|BenefitGrantSlackSharedChannelProperties':
    'BenefitGrantProperties',
  'Filter|FilterClause': 'FilterClauseOrFilter',
});

/** Descriptions for models the spec leaves undescribed. */
const DOCS = /** @type {Record<string, string>} */ ({
  Address: 'A postal address.',
  Benefit: 'A benefit: what a customer gets with a product (a license key, a download, a Discord role...).',
  BenefitGrantWebhook: 'A benefit granted to (or revoked from) a customer, with the customer and the benefit embedded.',
  Customer: 'A customer of the organization: an individual or a team.',
  CustomerSeat: 'A seat of a seat-based subscription or order, assigned to someone by email.',
  CustomerState:
    'A customer with what access control needs in one object: active subscriptions, granted benefits and active meters.',
  Discount: 'A discount: a fixed amount or a percentage, applied once, forever or for a number of months.',
  LegacyRecurringProductPrice:
    'A recurring price of the older kind, where the interval lived on the price (`legacy: true`).',
  MetadataOutputType: 'Your own key-value metadata: string keys; string, number or boolean values.',
  Meter: 'A meter: turns usage events into billable units.',
  Order: 'An order: a one-time purchase, or one billing period of a subscription.',
  OrderCustomer: 'The customer of an order.',
  OrderProduct: 'The product of an order.',
  OrderSubscription: 'The subscription an order belongs to.',
  Organization: 'The organization (the seller) on Polar.',
  ProductPrice: 'A price of a product.',
  Refund: 'A refund of all or part of an order.',
  Subscription: 'A subscription of a customer to a recurring product.',
  SubscriptionCustomer: 'The customer of a subscription.',
});

/** Spec prose as TSDoc text: `@` would start a tag. */
export const prose = (/** @type {string} */ text) => text.trim().replace(/@(?=[A-Za-z])/g, '\\@');

/**
 * What a declaration's doc comment says first.
 *
 * @param {string} name
 * @param {{ description?: string, enum?: unknown[] }} def
 * @returns {string}
 */
export function describe(name, def) {
  if (def.description) return prose(def.description);
  if (DOCS[name]) return DOCS[name];
  let m;
  if ((m = /^BenefitGrant(\w+)Webhook$/.exec(name)))
    return `A grant of a ${m[1]} benefit ({@link Benefit${m[1]}}), as webhooks carry it.`;
  if ((m = /^BenefitGrant(\w+)Properties$/.exec(name))) return `What a grant of a ${m[1]} benefit records.`;
  if ((m = /^Benefit(\w+)Properties$/.exec(name))) return `Settings of a ${m[1]} benefit.`;
  if (def.enum) return `Known values of ${typeName(name)}.`;
  return `The ${typeName(name)} model.`;
}
