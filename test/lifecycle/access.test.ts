/**
 * Access from a customer state: the typed view (benefits by id, slug, description and type; active
 * subscriptions), on the fixtures of every API version; and onBenefitsChanged, which diffs each
 * state against the last one seen, skips older ones, and gives a failed change again on retry.
 */
import { describe, expect, it } from 'vitest';
import { API_VERSIONS } from '../../src/events/api-version';
import type { PolarWebhookEvent } from '../../src/events/catalogue';
import type { CustomerState } from '../../src/events/generated/types';
import { customerAccess, type GrantedBenefit } from '../../src/lifecycle/access';
import { diffBenefits, onBenefitsChanged, type BenefitChange } from '../../src/lifecycle/benefit-changes';
import { memoryOrderingStore } from '../../src/lifecycle/ordering-memory';
import type { StaleEvent } from '../../src/lifecycle/ordering';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhooksLogger } from '../../src/router/types';
import { createEvent } from '../../src/testing';
import { CUSTOMER_ID, SECRET, deliver, type Step } from './sequences';

const stateOf = (apiVersion: (typeof API_VERSIONS)[number] = '2026-04') =>
  createEvent('customer.state_changed', undefined, { apiVersion }).data;

describe('customerAccess', () => {
  for (const apiVersion of API_VERSIONS) {
    it(`${apiVersion}: lists every grant and subscription of the fixture, typed`, () => {
      const state = stateOf(apiVersion);
      const access = customerAccess(state);
      expect(access.customerId).toBe(state.id);
      expect(access.email).toBe(state.email ?? null);
      expect(access.deleted).toBe(false);
      expect(access.benefits.map((b) => [b.id, b.grantId, b.type, b.grantedAt])).toEqual(
        state.granted_benefits.map((g) => [g.benefit_id, g.id, g.benefit_type, g.granted_at]),
      );
      expect(access.subscriptions.map((s) => s.id)).toEqual(state.active_subscriptions.map((s) => s.id));
      for (const grant of state.granted_benefits) {
        expect(access.hasBenefit(grant.benefit_id)).toBe(true);
        expect(access.findBenefit({ type: grant.benefit_type })?.type).toBe(grant.benefit_type);
      }
      expect(access.hasBenefit('not-a-benefit')).toBe(false);
      const product = state.active_subscriptions[0]?.product_id as string;
      expect(access.hasActiveSubscription()).toBe(true);
      expect(access.hasActiveSubscription(product)).toBe(true);
      expect(access.hasActiveSubscription('another-product')).toBe(false);
    });
  }

  it('finds a benefit by its metadata slug, and by its description when given the descriptions', () => {
    const state = stateOf();
    const [first, second] = state.granted_benefits;
    const withSlug: CustomerState = {
      ...state,
      granted_benefits: [{ ...first!, benefit_metadata: { slug: 'pro', tier: 2 } }, second!],
    } as CustomerState;
    const access = customerAccess(withSlug, { descriptions: { [second!.benefit_id]: 'Pro Discord role' } });
    expect(access.findBenefit('pro')?.id).toBe(first!.benefit_id);
    expect(access.findBenefit('Pro Discord role')?.id).toBe(second!.benefit_id);
    expect(access.hasBenefit({ slug: 'pro', type: first!.benefit_type })).toBe(true);
    expect(access.hasBenefit({ slug: 'pro', type: 'not-its-type' })).toBe(false);
    expect(access.hasBenefit({})).toBe(false);
    // A slug that is not text is no slug; another key can hold it.
    expect(customerAccess(withSlug, { slugKey: 'tier' }).findBenefit('2')).toBeUndefined();
    const byFunction = customerAccess(withSlug, {
      descriptions: (id) => (id === first!.benefit_id ? 'Pro license key' : undefined),
    });
    expect(byFunction.findBenefits('Pro license key').map((b) => b.id)).toEqual([first!.benefit_id]);
  });

  it('refuses what is not a customer state, and says what to do with an SDK 0.x model', () => {
    expect(() => customerAccess({ id: 'x' } as never)).toThrow(/CustomerState in Polar's wire shape/);
    expect(() => customerAccess({ id: 'x', grantedBenefits: [], activeSubscriptions: [] } as never)).toThrow(
      /camelCase.*1\.x/,
    );
  });
});

describe('diffBenefits', () => {
  const benefit = (id: string, grantId = `grant-${id}`): GrantedBenefit => ({
    id,
    grantId,
    type: 'custom',
    slug: undefined,
    description: undefined,
    metadata: {},
    properties: {},
    grantedAt: '2026-09-02T09:52:53Z',
  });

  it('compares benefits, not grants: a second grant of a held benefit changes nothing', () => {
    const before = [benefit('a'), benefit('b'), benefit('b', 'grant-b-2')];
    expect(diffBenefits(before, [benefit('a'), benefit('b', 'grant-b-2'), benefit('c')])).toEqual({
      granted: [benefit('c')],
      revoked: [],
    });
    expect(diffBenefits(before, [benefit('c'), benefit('c', 'again')])).toEqual({
      granted: [benefit('c')],
      revoked: [benefit('a'), benefit('b')],
    });
  });
});

describe('onBenefitsChanged', () => {
  const grant = (benefit: string) => ({
    id: `grant-${benefit}`,
    created_at: '2026-09-02T09:52:52.221721Z',
    modified_at: null,
    granted_at: '2026-09-02T09:52:53.883236Z',
    benefit_id: benefit,
    benefit_type: 'custom',
    benefit_metadata: { slug: benefit },
    properties: { note: `for ${benefit}` },
  });
  let n = 0;
  const state = (timestamp: string, benefits: string[]): Step => ({
    id: `msg_access_${++n}`,
    event: createEvent('customer.state_changed', {
      timestamp,
      data: { id: CUSTOMER_ID, granted_benefits: benefits.map(grant) },
    }) as PolarWebhookEvent,
  });

  function setup(handler?: (change: BenefitChange) => void) {
    const warnings: string[] = [];
    const logger: WebhooksLogger = { warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
    const webhooks = createWebhooks({ secret: SECRET, logger });
    const changes: BenefitChange[] = [];
    const stale: StaleEvent[] = [];
    const store = memoryOrderingStore();
    return {
      webhooks,
      changes,
      stale,
      warnings,
      store,
      listen: (withHook: boolean) =>
        onBenefitsChanged(webhooks, handler ?? ((change) => void changes.push(change)), {
          store,
          ...(withHook && { onStale: (info: StaleEvent) => void stale.push(info) }),
        }),
    };
  }

  const ids = (list: readonly GrantedBenefit[]) => list.map((b) => b.id);

  it('reports what was granted and revoked, state after state; nothing when nothing changed', async () => {
    const { webhooks, changes, listen } = setup();
    listen(true);
    const steps = [
      state('2026-09-02T09:52:54.000001Z', ['a', 'b']),
      state('2026-09-03T00:00:00.000001Z', ['a', 'b']), // same benefits, later: no change to report
      state('2026-09-10T10:00:00.000002Z', ['a', 'b', 'c']),
      state('2026-10-02T09:52:42.000003Z', ['a']),
    ];
    for (const step of steps) expect(await deliver(webhooks, step)).toBe(202);
    expect(changes.map((c) => [ids(c.granted), ids(c.revoked), c.firstSeen])).toEqual([
      [['a', 'b'], [], true],
      [['c'], [], false],
      [[], ['b', 'c'], false],
    ]);
    // What was revoked is described as it was held, properties and slug included.
    expect(changes[2]?.revoked[0]).toMatchObject({ id: 'b', slug: 'b', properties: { note: 'for b' } });
    expect(changes[2]?.access.hasBenefit('a')).toBe(true);
  });

  it('skips a state older than the last one seen, and reports it to the hook or the logger', async () => {
    for (const withHook of [true, false]) {
      const { webhooks, changes, stale, warnings, listen } = setup();
      listen(withHook);
      await deliver(webhooks, state('2026-10-02T09:52:42.000003Z', ['a']));
      const old = state('2026-09-10T10:00:00.000002Z', ['a', 'b', 'c']);
      expect(await deliver(webhooks, old)).toBe(202);
      expect(changes.map((c) => ids(c.granted))).toEqual([['a']]);
      if (withHook) {
        expect(stale).toEqual([
          {
            id: old.id,
            eventType: 'customer.state_changed',
            resource: `CustomerState:${CUSTOMER_ID}`,
            version: '2026-09-10T10:00:00.000002Z',
            current: '2026-10-02T09:52:42.000003Z',
          },
        ]);
      } else {
        expect(warnings).toEqual([
          expect.stringMatching(/skipped "customer.state_changed" \(webhook-id msg_access_\d+\).*newer/),
        ]);
      }
    }
  });

  it('gives a change whose handler failed again when Polar retries the delivery', async () => {
    let calls = 0;
    const seen: string[][] = [];
    const { webhooks, listen } = setup((change) => {
      calls += 1;
      seen.push(ids(change.granted));
      if (calls === 1) throw new Error('discord is down');
    });
    listen(true);
    const step = state('2026-09-02T09:52:54.000001Z', ['a', 'b']);
    expect(await deliver(webhooks, step)).toBe(500);
    expect(await deliver(webhooks, step)).toBe(202);
    expect(seen).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('refuses a missing store and misspelt options', () => {
    const webhooks = createWebhooks({ secret: SECRET });
    expect(() => onBenefitsChanged(webhooks, () => undefined, {} as never)).toThrow(/store must be an ordering store/);
    expect(() =>
      onBenefitsChanged(webhooks, () => undefined, { store: memoryOrderingStore(), slugkey: 'x' } as never),
    ).toThrow(/Did you mean "slugKey"/);
    expect(() => onBenefitsChanged(webhooks, 'nope' as never, { store: memoryOrderingStore() })).toThrow(
      /handler function/,
    );
  });
});
