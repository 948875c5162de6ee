/**
 * The money paths, replayed: Polar's documented sequences (end-of-period cancellation, immediate
 * revocation, renewal, customer state changes), built from the fixtures, sent through a real router
 * (signed, verified, parsed, dispatched) in Polar's order, shuffled, and with duplicates, on every
 * store engine. After every delivery the state the helpers derive is checked against a plain oracle:
 * access is never given back by a stale event, revocation comes with the revoked state and never with
 * a scheduled cancellation, and a renewal is handled exactly once.
 *
 * Two control apps run the same checks and must fail them: one without the ordering guard (a stale
 * event gives access back), one that revokes on `subscription.canceled` (the classic trap).
 */
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolarWebhookEvent, PolarWebhookEventType } from '../../src/events/catalogue';
import { onBenefitsChanged } from '../../src/lifecycle/benefit-changes';
import { createOrderingGuard, eventVersion, type StaleEvent } from '../../src/lifecycle/ordering';
import type { OrderingStore } from '../../src/lifecycle/ordering-store';
import { onRenewal, type Renewal, type RenewalMoment } from '../../src/lifecycle/renewal';
import { hasSubscriptionAccess } from '../../src/lifecycle/subscription-phase';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhookRouter, WebhooksLogger } from '../../src/router/types';
import { memoryStore } from '../../src/stores/memory';
import { createIdempotencyTable, postgresStore } from '../../src/stores/postgres';
import { redisStore } from '../../src/stores/redis';
import type { IdempotencyStore } from '../../src/stores/types';
import { createEvent } from '../../src/testing';
import { connectIoRedis, createSchema, deleteKeys, pgPool, runName } from '../stores/services';
import { ENGINE_NAMES, freshKey, openEngine, type Engine } from './engines';
import {
  CUSTOMER_ID,
  PERIOD_END,
  SECRET,
  arbitraryReplay,
  deliver,
  endOfPeriodCancellation,
  immediateRevocation,
  renewal,
  type Sequence,
  type Step,
} from './sequences';

const SUBSCRIPTION_TYPES = [
  'subscription.created',
  'subscription.active',
  'subscription.updated',
  'subscription.canceled',
  'subscription.uncanceled',
  'subscription.revoked',
] as const satisfies readonly PolarWebhookEventType[];

interface Logged {
  readonly level: 'warn' | 'error';
  readonly message: string;
}

function router(): { webhooks: WebhookRouter; logged: Logged[] } {
  const logged: Logged[] = [];
  const logger: WebhooksLogger = {
    warn: (message) => void logged.push({ level: 'warn', message }),
    error: (message) => void logged.push({ level: 'error', message }),
  };
  return { webhooks: createWebhooks({ secret: SECRET, logger }), logged };
}

/** The oracle's view of a subscription event: does the state it carries grant access? (`canceled` and `unpaid` are revoked.) */
const grants = (step: Step): boolean =>
  !['canceled', 'unpaid'].includes((step.event.data as { status: string }).status);
const versionOf = (step: Step): number => eventVersion(step.event)?.version as number;

/** What one replay saw: the access after each delivery, and what the guard skipped. */
interface AccessRun {
  readonly trace: { readonly step: Step; readonly status: number; readonly access: boolean | undefined }[];
  readonly stale: StaleEvent[];
  readonly logged: Logged[];
}

type AccessApp = 'guarded' | 'guarded, canceled and revoked only' | 'unguarded' | 'by event name';

/** An app that keeps one subscription's access from its events, the way this package recommends (or a control app). */
async function replayAccess(
  store: OrderingStore,
  steps: readonly Step[],
  app: AccessApp = 'guarded',
): Promise<AccessRun> {
  const { webhooks, logged } = router();
  const stale: StaleEvent[] = [];
  const inOrder = createOrderingGuard({ store, namespace: freshKey('app'), onStale: (info) => void stale.push(info) });
  let access: boolean | undefined;
  if (app === 'by event name') {
    webhooks.on(['subscription.created', 'subscription.active', 'subscription.uncanceled'], () => void (access = true));
    webhooks.on(['subscription.canceled', 'subscription.revoked'], () => void (access = false));
  } else {
    const apply = (event: PolarWebhookEvent<(typeof SUBSCRIPTION_TYPES)[number]>) =>
      void (access = hasSubscriptionAccess(event.data));
    const types =
      app === 'guarded, canceled and revoked only'
        ? (['subscription.active', 'subscription.canceled', 'subscription.revoked'] as const)
        : SUBSCRIPTION_TYPES;
    webhooks.on(types, app === 'unguarded' ? apply : inOrder(apply));
  }
  const trace: AccessRun['trace'] = [];
  for (const step of steps) trace.push({ step, status: await deliver(webhooks, step), access });
  return { trace, stale, logged };
}

/** The checks every replay of a cancellation must pass; they throw on the first that fails. */
function checkAccessRun(sequence: Sequence, run: AccessRun): void {
  const replayed = run.trace.map((t) => t.step);
  let newest = -Infinity;
  let wasRevoked = false;
  for (const [i, { step, status, access }] of run.trace.entries()) {
    expect(status, `delivery ${i} (${step.event.type})`).toBe(202);
    newest = Math.max(newest, versionOf(step));
    // The access after each delivery is the access of the newest state delivered so far (all the
    // events of one state agree on it).
    const newestStep = replayed.slice(0, i + 1).find((s) => versionOf(s) === newest) as Step;
    expect(access, `access after delivery ${i} (${step.event.type})`).toBe(grants(newestStep));
    // Once revoked, never given back.
    if (wasRevoked) expect(access, `access given back by ${step.event.type} at delivery ${i}`).toBe(false);
    wasRevoked ||= access === false;
  }
  expect(run.trace.at(-1)?.access).toBe(grants(sequence.steps.at(-1) as Step));
  // Nothing failed, and nothing went to the logger: every skipped event went to the hook.
  expect(run.logged).toEqual([]);
  // Every skipped event was older than one applied before it, and is reported.
  for (const info of run.stale) expect(info.current !== undefined && info.current > info.version).toBe(true);
}

const cancellations = (): Sequence[] => [
  endOfPeriodCancellation('2026-04'),
  endOfPeriodCancellation('2026-10', { trailingCanceled: true }),
  endOfPeriodCancellation('2027-01'),
  immediateRevocation('2026-04'),
  immediateRevocation('2027-01'),
];

for (const engineName of ENGINE_NAMES) {
  describe(`money paths with the ordering store on ${engineName}`, () => {
    let engine: Engine;
    const runs = engineName === 'memory' ? 150 : 25;
    beforeAll(async () => {
      engine = await openEngine(engineName);
    });
    afterAll(async () => {
      await engine?.close();
    });

    it("cancellations in Polar's order: access stays through the scheduled cancellation and ends with the revoked state", async () => {
      const eop = endOfPeriodCancellation('2026-04', { trailingCanceled: true });
      const run = await replayAccess(engine.store(), [...eop.before, ...eop.steps]);
      expect(run.trace.map((t) => [t.step.event.type, t.access])).toEqual([
        ['subscription.active', true],
        ['subscription.updated', true],
        ['subscription.canceled', true], // scheduled: status still active, access kept
        ['subscription.updated', false], // the period ended: status canceled
        ['subscription.canceled', false], // the trailing canceled of the revocation gives nothing back
        ['subscription.revoked', false],
      ]);
      expect(run.stale).toEqual([]);

      // An app that listens to canceled and revoked alone revokes on subscription.revoked, not before.
      const brief = endOfPeriodCancellation('2027-01');
      const narrow = await replayAccess(
        engine.store(),
        [...brief.before, ...brief.steps],
        'guarded, canceled and revoked only',
      );
      expect(narrow.trace.map((t) => [t.step.event.type, t.access])).toEqual([
        ['subscription.active', true],
        ['subscription.updated', true], // not listened to
        ['subscription.canceled', true],
        ['subscription.updated', true], // not listened to
        ['subscription.revoked', false],
      ]);

      const now = immediateRevocation('2026-10');
      const immediate = await replayAccess(engine.store(), [...now.before, ...now.steps]);
      expect(immediate.trace.map((t) => t.access)).toEqual([true, false, false, false]);
      expect(immediate.stale).toEqual([]); // one change, one modified_at: all three events run
    });

    it('cancellations shuffled and duplicated: a stale event never gives access back', async () => {
      for (const sequence of cancellations()) {
        await fc.assert(
          fc.asyncProperty(arbitraryReplay(sequence.steps, { duplicates: true }), async (replay) => {
            checkAccessRun(sequence, await replayAccess(engine.store(), [...sequence.before, ...replay]));
          }),
          { numRuns: runs },
        );
      }
    });

    it('customer state changes shuffled and duplicated: benefits converge on the newest state, never granted back', async () => {
      const steps = benefitStates();
      await fc.assert(
        fc.asyncProperty(arbitraryReplay(steps, { duplicates: true }), async (replay) => {
          const { webhooks } = router();
          const held = new Set<string>();
          const applied: number[] = [];
          onBenefitsChanged(
            webhooks,
            ({ granted, revoked, event }) => {
              applied.push(versionOf({ id: '', event }));
              for (const benefit of granted) held.add(benefit.id);
              for (const benefit of revoked) held.delete(benefit.id);
            },
            { store: engine.store(), namespace: freshKey('benefits') },
          );
          for (const step of replay) expect(await deliver(webhooks, step)).toBe(202);
          expect([...held].sort()).toEqual(['benefit-a']);
          // Each change came from a state at least as new as the one before it.
          expect(applied).toEqual([...applied].sort((x, y) => x - y));
        }),
        { numRuns: runs },
      );
    });
  });
}

describe('the checks catch the traps (control apps must fail them)', () => {
  it('without the ordering guard, some order of the deliveries gives access back', async () => {
    const store = (await openEngine('memory')).store();
    const sequence = endOfPeriodCancellation('2026-04');
    const result = await fc.check(
      fc.asyncProperty(arbitraryReplay(sequence.steps), async (replay) => {
        checkAccessRun(sequence, await replayAccess(store, [...sequence.before, ...replay], 'unguarded'));
      }),
      { numRuns: 200 },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/access (given back|after delivery)/);
  });

  it('revoking on subscription.canceled ends access at the scheduled cancellation, a period too early', async () => {
    const store = (await openEngine('memory')).store();
    const sequence = endOfPeriodCancellation('2026-04');
    const run = await replayAccess(store, [...sequence.before, ...sequence.steps], 'by event name');
    expect(() => checkAccessRun(sequence, run)).toThrow(/access after delivery 2 \(subscription.canceled\)/);
  });
});

/** Three states of one customer: holds a and b; gains c; loses b and c. */
function benefitStates(): Step[] {
  const grant = (benefit: string) => ({
    id: `grant-${benefit}`,
    created_at: '2026-09-02T09:52:52.221721Z',
    modified_at: '2026-09-02T09:52:53.429660Z',
    granted_at: '2026-09-02T09:52:53.883236Z',
    benefit_id: benefit,
    benefit_type: 'custom',
    benefit_metadata: {},
    properties: {},
  });
  const state = (timestamp: string, benefits: string[], n: number): Step => ({
    id: `msg_state_${n}`,
    event: createEvent('customer.state_changed', {
      timestamp,
      data: { id: CUSTOMER_ID, granted_benefits: benefits.map(grant) },
    }) as PolarWebhookEvent,
  });
  return [
    state('2026-09-02T09:52:54.000001Z', ['benefit-a', 'benefit-b'], 0),
    state('2026-09-10T10:00:00.000002Z', ['benefit-a', 'benefit-b', 'benefit-c'], 1),
    state('2026-10-02T09:52:42.000003Z', ['benefit-a'], 2),
  ];
}

// Renewals: once per subscription and period, on the idempotency store of each engine.

type IdempotencyEngine = 'memory' | 'redis' | 'postgres';

interface RenewalHarness {
  store(): IdempotencyStore;
  close(): Promise<void>;
}

async function openIdempotency(name: IdempotencyEngine): Promise<RenewalHarness> {
  if (name === 'memory') return { store: () => memoryStore(), close: async () => undefined };
  if (name === 'redis') {
    const prefix = `${runName('renewal')}:`;
    const client = connectIoRedis();
    return {
      store: () => redisStore(client, { prefix }),
      async close() {
        await deleteKeys(client, prefix);
        client.disconnect();
      },
    };
  }
  const schema = runName('renewal');
  const pool: pg.Pool = pgPool();
  const created = await createSchema(pool, schema);
  await createIdempotencyTable(pool, { schema });
  return {
    store: () => postgresStore(pool, { schema, pruneIntervalMs: 0 }),
    async close() {
      await created.drop();
      await pool.end();
    },
  };
}

/** The events that can carry a renewal at each moment (the oracle's list, from Polar's docs). */
const CARRIERS: Record<RenewalMoment, (step: Step) => boolean> = {
  paid: (step) =>
    step.event.type === 'order.paid' ||
    (step.event.type === 'order.updated' && (step.event.data as { status: string }).status === 'paid'),
  started: (step) => ['subscription.cycled', 'order.created', 'order.updated', 'order.paid'].includes(step.event.type),
};

for (const engineName of ['memory', 'redis', 'postgres'] as const) {
  describe(`renewals on the ${engineName} idempotency store`, () => {
    let harness: RenewalHarness;
    const runs = engineName === 'memory' ? 100 : 20;
    beforeAll(async () => {
      harness = await openIdempotency(engineName);
    });
    afterAll(async () => {
      await harness?.close();
    });

    async function replayRenewals(steps: readonly Step[], when: RenewalMoment, store = harness.store()) {
      const { webhooks, logged } = router();
      const renewals: Renewal[] = [];
      onRenewal(webhooks, (r) => void renewals.push(r), { store, when, namespace: freshKey('renewals') });
      const statuses: number[] = [];
      for (const step of steps) statuses.push(await deliver(webhooks, step));
      return { renewals, statuses, logged };
    }

    const sequences = () => [
      renewal('2026-04'),
      renewal('2026-10', { cycled: true }),
      renewal('2027-01', { cycled: true, afterTrial: true }),
    ];

    for (const when of ['paid', 'started'] as const) {
      it(`when: '${when}': in order, shuffled and duplicated, each renewal is handled once, by its first carrier`, async () => {
        for (const sequence of sequences()) {
          await fc.assert(
            fc.asyncProperty(arbitraryReplay(sequence.steps, { duplicates: true }), async (replay) => {
              const { renewals, statuses } = await replayRenewals(replay, when);
              expect(statuses.every((status) => status === 202)).toBe(true);
              expect(renewals).toHaveLength(1);
              const [only] = renewals as [Renewal];
              const first = replay.find(CARRIERS[when]) as Step;
              expect(only.event).toEqual(first.event);
              expect(new Date(only.periodStart).getTime()).toBe(new Date(PERIOD_END).getTime());
              expect(only.subscriptionId).toBe(
                first.event.type === 'subscription.cycled'
                  ? (first.event.data as { id: string }).id
                  : (first.event.data as { subscription_id: string }).subscription_id,
              );
              expect(only.paid).toBe(
                first.event.type !== 'subscription.cycled' &&
                  (first.event.data as { status: string }).status === 'paid',
              );
              expect(only.afterTrial).toBe(sequence.name.includes('after a trial'));
            }),
            { numRuns: runs },
          );
        }
      });
    }

    it('two periods interleaved are two renewals', async () => {
      const steps = [
        ...renewal('2026-10', { cycled: true }).steps,
        ...renewal('2026-10', { cycled: true, nth: 1 }).steps,
      ];
      await fc.assert(
        fc.asyncProperty(arbitraryReplay(steps, { duplicates: true }), async (replay) => {
          const { renewals } = await replayRenewals(replay, 'paid');
          expect(renewals.map((r) => new Date(r.periodStart).toISOString()).sort()).toEqual([
            '2026-10-02T09:52:40.313Z',
            '2026-11-02T09:52:40.313Z',
          ]);
        }),
        { numRuns: Math.ceil(runs / 2) },
      );
    });

    it('a handler that fails leaves the renewal to the next carrier, which handles it once', async () => {
      const { webhooks } = router();
      const store = harness.store();
      let attempts = 0;
      const handled: string[] = [];
      onRenewal(
        webhooks,
        (r) => {
          attempts += 1;
          if (attempts === 1) throw new Error('the credits service is down');
          handled.push(r.event.type);
        },
        { store, when: 'started', namespace: freshKey('renewals') },
      );
      const statuses: number[] = [];
      for (const step of renewal('2026-10', { cycled: true }).steps) statuses.push(await deliver(webhooks, step));
      // updated (not a carrier), cycled (fails: 500, Polar retries), created (handles), updated, paid (skipped).
      expect(statuses).toEqual([202, 500, 202, 202, 202]);
      expect(handled).toEqual(['order.created']);
    });
  });
}

describe('renewals: what is not one', () => {
  it('skips the final order of a revoked subscription, meter-cycle orders, first orders and refunds', async () => {
    const { webhooks } = router();
    const renewals: Renewal[] = [];
    onRenewal(webhooks, (r) => void renewals.push(r), { store: memoryStore(), when: 'started' });
    const subscription = createEvent('order.created').data.subscription;
    const order = (data: Record<string, unknown>): Step => ({
      id: freshKey('msg'),
      event: createEvent('order.paid', {
        data: { billing_reason: 'subscription_cycle', status: 'paid', subscription, ...data },
      }) as PolarWebhookEvent,
    });
    const final = order({
      subscription: { ...subscription, status: 'canceled', ended_at: '2026-10-02T09:52:41.498770Z' },
    });
    const meter = order({ billing_reason: 'subscription_meter_cycle' });
    const first = order({ billing_reason: 'subscription_create' });
    const refund: Step = {
      id: freshKey('msg'),
      event: createEvent('order.updated', {
        data: { billing_reason: 'subscription_cycle', status: 'refunded' },
      }) as PolarWebhookEvent,
    };
    for (const step of [final, meter, first, refund]) expect(await deliver(webhooks, step)).toBe(202);
    expect(renewals).toEqual([]);
    // The same order, of a subscription still active, is one.
    await deliver(webhooks, order({}));
    expect(renewals.map((r) => r.event.type)).toEqual(['order.paid']);
  });
});
