/**
 * The ordering guard on its own: what it takes as a resource and its version for every event type
 * in every API version, how it reports what it skips, and how it refuses a wrong set-up.
 */
import { describe, expect, it, vi } from 'vitest';
import { API_VERSIONS } from '../../src/events/api-version';
import { EVENT_DATA_MODELS, EVENT_TYPES, type PolarWebhookEvent } from '../../src/events/catalogue';
import { microsecondsOf } from '../../src/lifecycle/instant';
import { createOrderingGuard, eventVersion, type StaleEvent } from '../../src/lifecycle/ordering';
import { memoryOrderingStore } from '../../src/lifecycle/ordering-memory';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhooksLogger } from '../../src/router/types';
import { createEvent } from '../../src/testing';
import { SECRET, deliver } from './sequences';

describe('eventVersion', () => {
  for (const apiVersion of API_VERSIONS) {
    it(`${apiVersion}: every event type names its resource and a version`, () => {
      for (const type of EVENT_TYPES) {
        const event = createEvent(type, undefined, { apiVersion }) as PolarWebhookEvent;
        const data = event.data as { id: string; modified_at?: string | null; created_at?: string };
        const version = eventVersion(event);
        expect(version?.resource, type).toBe(`${EVENT_DATA_MODELS[type]}:${data.id}`);
        expect(Number.isSafeInteger(version?.version), type).toBe(true);
      }
    });
  }

  it('takes modified_at, then created_at while never modified, and the envelope timestamp for customer.state_changed', () => {
    const modified = createEvent('subscription.updated', { data: { modified_at: '2026-09-21T14:13:19.816549+00:00' } });
    expect(eventVersion(modified)?.version).toBe(microsecondsOf('2026-09-21T14:13:19.816549Z'));
    const fresh = createEvent('order.created', {
      data: { modified_at: null, created_at: '2026-09-02T09:52:44.479653Z' },
    });
    expect(eventVersion(fresh)?.version).toBe(microsecondsOf('2026-09-02T09:52:44.479653Z'));
    const state = createEvent('customer.state_changed', {
      timestamp: '2026-09-21T14:13:26.424961Z',
      data: { modified_at: '2026-03-02T09:41:12.786052Z' },
    });
    expect(eventVersion(state)).toEqual({
      resource: `CustomerState:${state.data.id}`,
      version: microsecondsOf('2026-09-21T14:13:26.424961Z'),
    });
  });
});

describe('createOrderingGuard', () => {
  const at = (iso: string) => createEvent('subscription.updated', { data: { modified_at: iso } });
  const older = at('2026-09-21T14:13:19.000001Z');
  const newer = at('2026-09-21T14:13:19.000002Z');

  it('runs the handler for current events only, and tells the hook about the rest', async () => {
    const stale: StaleEvent[] = [];
    const inOrder = createOrderingGuard({ store: memoryOrderingStore(), onStale: (info) => void stale.push(info) });
    const webhooks = createWebhooks({ secret: SECRET });
    const ran = vi.fn();
    webhooks.on('subscription.updated', inOrder(ran));
    for (const [id, event] of [
      ['msg_new', newer],
      ['msg_old', older],
      ['msg_new_again', newer],
    ] as const) {
      expect(await deliver(webhooks, { id, event })).toBe(202);
    }
    expect(ran.mock.calls.map(([event]) => (event as typeof newer).data.modified_at)).toEqual([
      newer.data.modified_at,
      newer.data.modified_at,
    ]);
    expect(stale).toEqual([
      {
        id: 'msg_old',
        eventType: 'subscription.updated',
        resource: `Subscription:${older.data.id}`,
        version: '2026-09-21T14:13:19.000001Z',
        current: '2026-09-21T14:13:19.000002Z',
      },
    ]);
  });

  it('orders each resource on its own', async () => {
    const inOrder = createOrderingGuard({ store: memoryOrderingStore(), onStale: () => undefined });
    const other = createEvent('subscription.updated', {
      data: { id: 'another-subscription', modified_at: '2020-01-01T00:00:00Z' },
    });
    expect(await inOrder.admit(newer)).toBe(true);
    expect(await inOrder.admit(other)).toBe(true);
    expect(await inOrder.admit(older)).toBe(false);
  });

  it('reports to the logger without a hook, and survives a hook that throws', async () => {
    const lines: string[] = [];
    const logger: WebhooksLogger = {
      warn: (m) => void lines.push(`warn ${m}`),
      error: (m) => void lines.push(`error ${m}`),
    };
    const quiet = createOrderingGuard({ store: memoryOrderingStore(), logger });
    await quiet.admit(newer, { id: 'msg_1' });
    expect(await quiet.admit(older, { id: 'msg_2' })).toBe(false);
    expect(lines).toEqual([
      `warn polar-webhooks: skipped "subscription.updated" (webhook-id msg_2): Subscription:${older.data.id} is at ` +
        "2026-09-21T14:13:19.000002Z, newer than this event's 2026-09-21T14:13:19.000001Z.",
    ]);
    const throwing = createOrderingGuard({
      store: memoryOrderingStore(),
      logger,
      onStale: () => {
        throw new Error('hook broke');
      },
    });
    await throwing.admit(newer);
    expect(await throwing.admit(older)).toBe(false);
    expect(lines.at(-1)).toBe('error polar-webhooks: the onStale hook threw');
  });

  it('admits an event it cannot place (no date to order by)', async () => {
    const inOrder = createOrderingGuard({ store: memoryOrderingStore() });
    const undated = {
      ...newer,
      data: { ...newer.data, modified_at: 'not a date', created_at: 'nor this' },
    } as typeof newer;
    expect(await inOrder.admit(undated)).toBe(true);
    expect(await inOrder.admit(undated)).toBe(true);
  });

  it('fails the handler when the store fails, so that Polar retries', async () => {
    const inOrder = createOrderingGuard({
      store: { recordUnlessStale: () => Promise.reject(new Error('redis down')) },
    });
    const webhooks = createWebhooks({ secret: SECRET, logger: { warn: () => undefined, error: () => undefined } });
    const ran = vi.fn();
    webhooks.on('subscription.updated', inOrder(ran));
    expect(await deliver(webhooks, { id: 'msg_down', event: newer })).toBe(500);
    expect(ran).not.toHaveBeenCalled();
  });

  it('refuses a missing store, misspelt options and a handler that is not a function', () => {
    expect(() => createOrderingGuard({} as never)).toThrow(/store must be an ordering store/);
    expect(() => createOrderingGuard({ store: memoryOrderingStore(), ttl: 5 } as never)).toThrow(
      /Did you mean "ttlMs"/,
    );
    expect(() => createOrderingGuard({ store: memoryOrderingStore(), ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => createOrderingGuard({ store: memoryOrderingStore() })('nope' as never)).toThrow(
      /wraps a handler function/,
    );
  });
});
