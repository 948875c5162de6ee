/**
 * The official adapters' `entitlements` option, used as their code and tests use it
 * (`Entitlements.use(slug, new EntitlementStrategy().grant(…).revoke(…))` passed to `Webhooks()`),
 * through the drop-in adapters: grants on `benefit_grant.created`, revocations on
 * `benefit_grant.revoked`, for the benefit the key names; no state shared between routers; a failing
 * callback fails the delivery; and, behind an ordering guard, a grant that arrives after its
 * revocation is not applied.
 */
import { describe, expect, it, vi } from 'vitest';
import { Webhooks as NextWebhooks, type WebhooksOptions } from '../../src/adapters/next';
import type { PolarWebhookEvent } from '../../src/events/catalogue';
import { Entitlements, EntitlementStrategy, type EntitlementContext } from '../../src/lifecycle/entitlements';
import { createOrderingGuard } from '../../src/lifecycle/ordering';
import { memoryOrderingStore } from '../../src/lifecycle/ordering-memory';
import { createWebhooks } from '../../src/router/create-webhooks';
import { createEvent, createSignedRequest } from '../../src/testing';
import { SECRET, deliver } from './sequences';

const created = () => createEvent('benefit_grant.created');
/** The revocation of the same grant (the license key of the created fixture), a while later. */
const revokedOf = (grant: PolarWebhookEvent<'benefit_grant.created'>) => {
  const { benefit, properties, customer, id } = grant.data;
  // Merged over the revoked fixture's Discord grant: the id, kind and description are the grant's.
  const overrides = {
    data: {
      id,
      benefit,
      properties,
      customer,
      is_granted: false,
      is_revoked: true,
      modified_at: '2026-09-21T14:13:25.000001Z',
    },
  };
  return createEvent('benefit_grant.revoked', overrides as never);
};

async function post(handler: (request: Request) => Promise<Response>, event: PolarWebhookEvent, id?: string) {
  return (await handler(createSignedRequest({ event, secret: SECRET, ...(id !== undefined && { id }) }))).status;
}

describe('entitlements, as the official adapters document them', () => {
  it('grants on benefit_grant.created and revokes on benefit_grant.revoked, for the benefit named by its description', async () => {
    const grant = vi.fn();
    const revoke = vi.fn();
    const POST = NextWebhooks({
      webhookSecret: SECRET,
      entitlements: Entitlements.use(
        'Pro license key',
        new EntitlementStrategy<{ license_key_id: string }>().grant(grant).revoke(revoke),
      ),
    });
    const event = created();
    expect(await post(POST, event)).toBe(202);
    expect(grant).toHaveBeenCalledTimes(1);
    const context = grant.mock.calls[0]?.[0] as EntitlementContext<{ license_key_id: string }>;
    expect(context).toMatchObject({ customer: event.data.customer, properties: event.data.properties, payload: event });
    expect(context.properties.license_key_id).toBe(
      (event.data.properties as { license_key_id: string }).license_key_id,
    );
    expect(revoke).not.toHaveBeenCalled();

    expect(await post(POST, revokedOf(event))).toBe(202);
    expect(revoke).toHaveBeenCalledTimes(1);
    expect(grant).toHaveBeenCalledTimes(1);
    // Another benefit (the fixture's Discord role) is none of this strategy's business.
    expect(await post(POST, createEvent('benefit_grant.revoked'))).toBe(202);
    expect(revoke).toHaveBeenCalledTimes(1);
  });

  it('also names a benefit by its id or its metadata slug, and chains several with .use()', async () => {
    const calls: string[] = [];
    const strategy = (label: string) => new EntitlementStrategy().grant(() => void calls.push(label));
    const event = createEvent('benefit_grant.created', { data: { benefit: { metadata: { slug: 'pro-keys' } } } });
    const POST = NextWebhooks({
      webhookSecret: SECRET,
      entitlements: Entitlements.use(event.data.benefit.id, strategy('by id'))
        .use('pro-keys', strategy('by slug'))
        .use('Another benefit', strategy('unrelated')),
    });
    expect(await post(POST, event)).toBe(202);
    expect(calls).toEqual(['by id', 'by slug']);
  });

  it('keeps no global state: each router runs only its own set, however many are built', async () => {
    const first = vi.fn();
    const second = vi.fn();
    const one = NextWebhooks({
      webhookSecret: SECRET,
      entitlements: Entitlements.use('Pro license key', new EntitlementStrategy().grant(first)),
    });
    // The same module loaded again (hot reload) builds its set again: nothing doubles.
    NextWebhooks({
      webhookSecret: SECRET,
      entitlements: Entitlements.use('Pro license key', new EntitlementStrategy().grant(first)),
    });
    const two = NextWebhooks({
      webhookSecret: SECRET,
      entitlements: Entitlements.use('Pro license key', new EntitlementStrategy().grant(second)),
    });
    await post(two, created());
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    await post(one, created());
    expect(first).toHaveBeenCalledTimes(1);
  });

  it('fails the delivery when a callback throws, so that Polar retries it', async () => {
    const POST = NextWebhooks({
      webhookSecret: SECRET,
      entitlements: Entitlements.use(
        'Pro license key',
        new EntitlementStrategy().grant(async () => {
          throw new Error('license server down');
        }),
      ),
    });
    expect(await post(POST, created())).toBe(500);
  });

  it('refuses what is not a set from Entitlements.use(), naming the import to change', () => {
    const official = { handlers: [], use: () => official };
    for (const entitlements of [{}, official, Entitlements]) {
      expect(() => NextWebhooks({ webhookSecret: SECRET, entitlements } as unknown as WebhooksOptions)).toThrow(
        /entitlements must be made with Entitlements\.use\(.*polar-webhooks\/lifecycle/,
      );
    }
    expect(() => NextWebhooks({ webhookSecret: SECRET, entitlements: undefined })).not.toThrow();
    expect(() => Entitlements.use('', new EntitlementStrategy())).toThrow(/key must be/);
    expect(() => Entitlements.use('x', {} as never)).toThrow(/new EntitlementStrategy\(\)/);
    expect(() => new EntitlementStrategy().grant('nope' as never)).toThrow(/callback function/);
  });

  it("runs a strategy's handler on its own, as the official tests call it", async () => {
    const grant = vi.fn();
    const event = created();
    await new EntitlementStrategy().grant(grant).handler('Pro license key')(event);
    expect(grant).toHaveBeenCalledWith(expect.objectContaining({ customer: event.data.customer, payload: event }));
  });
});

describe('entitlements behind an ordering guard', () => {
  it('does not apply a grant that arrives after its revocation', async () => {
    const log: string[] = [];
    const webhooks = createWebhooks({ secret: SECRET });
    const strategy = new EntitlementStrategy()
      .grant(() => void log.push('grant'))
      .revoke(() => void log.push('revoke'));
    const inOrder = createOrderingGuard({ store: memoryOrderingStore(), onStale: () => void log.push('skipped') });
    Entitlements.use('Pro license key', strategy).register(webhooks, { inOrder });
    const grant = created();
    await deliver(webhooks, { id: 'msg_revoke', event: revokedOf(grant) });
    await deliver(webhooks, { id: 'msg_grant', event: grant });
    expect(log).toEqual(['revoke', 'skipped']);

    // Without the guard, the late grant gives the benefit back.
    const unguarded = createWebhooks({ secret: SECRET });
    const late: string[] = [];
    Entitlements.use(
      'Pro license key',
      new EntitlementStrategy().grant(() => void late.push('grant')).revoke(() => void late.push('revoke')),
    ).register(unguarded);
    await deliver(unguarded, { id: 'msg_revoke', event: revokedOf(grant) });
    await deliver(unguarded, { id: 'msg_grant', event: grant });
    expect(late).toEqual(['revoke', 'grant']);
  });
});
