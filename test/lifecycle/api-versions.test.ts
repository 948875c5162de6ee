/**
 * The helpers on a router typed for one API version (`createWebhooks({ apiVersion })`): they accept
 * it (checked by the type checker, which compiles this file), and still read the events of other
 * versions that such an endpoint receives at run time (events from before the version was set,
 * redeliveries after it was changed).
 */
import { describe, expect, it } from 'vitest';
import { onBenefitsChanged, type BenefitChange } from '../../src/lifecycle/benefit-changes';
import { Entitlements, EntitlementStrategy } from '../../src/lifecycle/entitlements';
import { createOrderingGuard } from '../../src/lifecycle/ordering';
import { memoryOrderingStore } from '../../src/lifecycle/ordering-memory';
import { onRenewal, type Renewal } from '../../src/lifecycle/renewal';
import { hasSubscriptionAccess } from '../../src/lifecycle/subscription-phase';
import { createWebhooks } from '../../src/router/create-webhooks';
import { memoryStore } from '../../src/stores/memory';
import { createEvent } from '../../src/testing';
import { SECRET, deliver, renewal } from './sequences';

describe('a router typed for one API version', () => {
  it('takes every helper, and they read events of the other versions too', async () => {
    const webhooks = createWebhooks({ secret: SECRET, apiVersion: '2026-10' });
    const renewals: Renewal[] = [];
    const changes: BenefitChange[] = [];
    const grants: string[] = [];
    const access: boolean[] = [];
    onRenewal(webhooks, (r) => void renewals.push(r), { store: memoryStore() });
    onBenefitsChanged(webhooks, (c) => void changes.push(c), { store: memoryOrderingStore() });
    Entitlements.use(
      'Pro license key',
      new EntitlementStrategy().grant(({ benefit }) => void grants.push(benefit.id)),
    ).register(webhooks);
    const inOrder = createOrderingGuard({ store: memoryOrderingStore() });
    webhooks.on(
      'subscription.revoked',
      inOrder((event) => void access.push(hasSubscriptionAccess(event.data))),
    );

    for (const apiVersion of ['2026-04', '2026-10', '2027-01'] as const) {
      const paid = renewal(apiVersion, {
        nth: apiVersion === '2026-04' ? 0 : apiVersion === '2026-10' ? 1 : 2,
      }).steps.at(-1)!;
      expect(await deliver(webhooks, paid)).toBe(202);
    }
    for (const [i, event] of [
      createEvent('customer.state_changed', undefined, { apiVersion: '2026-04' }),
      createEvent('benefit_grant.created', undefined, { apiVersion: '2027-01' }),
      createEvent('subscription.revoked', undefined, { apiVersion: '2026-04' }),
    ].entries()) {
      expect(await deliver(webhooks, { id: `msg_versions_${i}`, event })).toBe(202);
    }
    expect(renewals.map((r) => r.event.api_version)).toEqual(['2026-04', '2026-10', '2027-01']);
    expect(changes).toHaveLength(1);
    expect(grants).toHaveLength(1);
    expect(access).toEqual([false]);
  });
});
