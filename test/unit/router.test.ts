/**
 * createWebhooks: registration, dispatch order, failure handling, unknown types, invalid payloads.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  UnknownEventTypeError,
  WebhookConfigurationError,
  WebhookHandlerError,
  WebhookPayloadError,
  WebhookVerificationError,
} from '../../src/errors';
import type { PolarWebhookEvent } from '../../src/events/catalogue';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { CapturedDelivery, WebhookContext, WebhooksLogger } from '../../src/router/types';
import { SECRET, eventJson, invalidBody, orderPaid, sign, unknownTypeBody } from '../integration/helpers';

function silentLogger(): WebhooksLogger & { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> } {
  return { warn: vi.fn(), error: vi.fn() };
}

function router(options: Partial<Parameters<typeof createWebhooks>[0]> = {}) {
  const logger = silentLogger();
  const webhooks = createWebhooks({ secret: SECRET, logger, ...options });
  return { webhooks, logger };
}

/** A validated event, as parseEvent would return it (receive() trusts its input). */
function event(type: 'order.paid' | 'order.created' | 'subscription.revoked'): PolarWebhookEvent {
  return eventJson(type) as unknown as PolarWebhookEvent;
}

const context: WebhookContext = { id: 'msg_1', timestamp: new Date(1_790_000_000_000) };

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('dispatch', () => {
  it('runs the handlers of the event type in registration order, then onAny, and no others', async () => {
    const { webhooks } = router();
    const order: string[] = [];
    webhooks.onAny(() => void order.push('any-1'));
    webhooks.on('order.paid', () => void order.push('paid-1'));
    webhooks.on('order.created', () => void order.push('created'));
    webhooks.on('order.paid', () => void order.push('paid-2'));
    webhooks.onAny(() => void order.push('any-2'));
    await webhooks.receive(event('order.paid'), context);
    expect(order).toEqual(['paid-1', 'paid-2', 'any-1', 'any-2']);
    order.length = 0;
    await webhooks.receive(event('subscription.revoked'), context);
    expect(order).toEqual(['any-1', 'any-2']);
  });

  it('passes the event and the context to each handler', async () => {
    const { webhooks } = router();
    const seen: unknown[] = [];
    const e = event('order.paid');
    webhooks.on('order.paid', (ev, ctx) => void seen.push(ev, ctx));
    await webhooks.receive(e, context);
    expect(seen[0]).toBe(e);
    expect(seen[1]).toEqual(context);
  });

  it('starts async handlers together and waits for all of them', async () => {
    const { webhooks } = router();
    const first = deferred();
    const second = deferred();
    const started: string[] = [];
    webhooks.on('order.paid', () => {
      started.push('first');
      return first.promise;
    });
    webhooks.onAny(() => {
      started.push('second');
      return second.promise;
    });
    let done = false;
    const receiving = webhooks.receive(event('order.paid'), context).then(() => (done = true));
    await Promise.resolve();
    expect(started).toEqual(['first', 'second']);
    second.resolve();
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    first.resolve();
    await receiving;
    expect(done).toBe(true);
  });

  it('subscribes one handler to several types with an array, once per type', async () => {
    const { webhooks } = router();
    const types: string[] = [];
    const off = webhooks.on(['order.paid', 'subscription.revoked', 'order.paid'], (e) => void types.push(e.type));
    await webhooks.receive(event('order.paid'), context);
    await webhooks.receive(event('subscription.revoked'), context);
    await webhooks.receive(event('order.created'), context);
    expect(types).toEqual(['order.paid', 'subscription.revoked']);
    off();
    await webhooks.receive(event('order.paid'), context);
    await webhooks.receive(event('subscription.revoked'), context);
    expect(types).toHaveLength(2);
  });

  it('removes exactly one registration per unsubscribe, idempotently, without disturbing a dispatch in progress', async () => {
    const { webhooks } = router();
    const calls: string[] = [];
    const handler = () => void calls.push('h');
    const offA = webhooks.on('order.paid', handler);
    webhooks.on('order.paid', handler);
    let offLater: () => void = () => undefined;
    webhooks.on('order.paid', () => {
      calls.push('remover');
      offLater();
    });
    offLater = webhooks.onAny(() => void calls.push('any'));
    await webhooks.receive(event('order.paid'), context);
    expect(calls).toEqual(['h', 'h', 'remover', 'any']);
    calls.length = 0;
    offA();
    offA();
    await webhooks.receive(event('order.paid'), context);
    expect(calls).toEqual(['h', 'remover']);
  });

  it('defaults the context of receive() to an empty id and the current time', async () => {
    const { webhooks } = router();
    let seen: WebhookContext | undefined;
    webhooks.onAny((_e, ctx) => void (seen = ctx));
    const before = Date.now();
    await webhooks.receive(event('order.paid'));
    expect(seen?.id).toBe('');
    expect(seen?.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    await webhooks.receive(event('order.paid'), { id: 'msg_x' });
    expect(seen?.id).toBe('msg_x');
  });

  it('refuses types outside the catalogue, empty type lists and non-function handlers', () => {
    const { webhooks } = router();
    // @ts-expect-error not a Polar event type
    expect(() => webhooks.on('order.payed', () => undefined)).toThrow(/not a Polar event type/);
    expect(() => webhooks.on([], () => undefined)).toThrow(/at least one event type/);
    // @ts-expect-error not a function
    expect(() => webhooks.on('order.paid', 'nope')).toThrow(/handler function/);
    // @ts-expect-error not a function
    expect(() => webhooks.onError(undefined)).toThrow(/handler function/);
    // Every one of them is the library's own error, a set-up problem, never a bare TypeError.
    for (const misuse of [
      () => webhooks.on('order.payed' as 'order.paid', () => undefined),
      () => webhooks.on([], () => undefined),
      () => webhooks.onAny(null as never),
      () => webhooks.onUnknown(42 as never),
    ]) {
      expect(misuse).toThrow(WebhookConfigurationError);
      try {
        misuse();
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_argument', status: 500 });
        expect(error).not.toBeInstanceOf(TypeError);
      }
    }
  });
});

describe('failures', () => {
  it('runs every handler when some throw or reject, reports each to onError, then rejects with all of them', async () => {
    const { webhooks } = router();
    const ran: string[] = [];
    const boom = new Error('sync boom');
    const later = new Error('async boom');
    webhooks.on('order.paid', () => {
      ran.push('a');
      throw boom;
    });
    webhooks.on('order.paid', async () => {
      ran.push('b');
      throw later;
    });
    webhooks.onAny(() => void ran.push('c'));
    const reported: { error: unknown; eventType: string | undefined; id: string; event: unknown }[] = [];
    webhooks.onError(
      (error, ctx) => void reported.push({ error, eventType: ctx.eventType, id: ctx.id, event: ctx.event }),
    );
    const e = event('order.paid');
    const failure = await webhooks.receive(e, context).catch((x: unknown) => x);
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(failure).toBeInstanceOf(WebhookHandlerError);
    expect((failure as WebhookHandlerError).errors).toEqual([boom, later]);
    expect((failure as WebhookHandlerError).status).toBe(500);
    expect(reported).toEqual([
      { error: boom, eventType: 'order.paid', id: 'msg_1', event: e },
      { error: later, eventType: 'order.paid', id: 'msg_1', event: e },
    ]);
  });

  it('gives every failure to every onError handler', async () => {
    const { webhooks } = router();
    webhooks.on('order.paid', () => {
      throw new Error('one');
    });
    webhooks.onAny(() => Promise.reject(new Error('two')));
    const first: string[] = [];
    const second: string[] = [];
    webhooks.onError((error) => void first.push((error as Error).message));
    webhooks.onError(async (error) => void second.push((error as Error).message));
    await expect(webhooks.receive(event('order.paid'), context)).rejects.toThrow(WebhookHandlerError);
    expect(first).toEqual(['one', 'two']);
    expect(second).toEqual(['one', 'two']);
  });

  it('logs handler failures when no onError handler is registered', async () => {
    const { webhooks, logger } = router();
    const boom = new Error('unseen');
    webhooks.on('order.paid', () => {
      throw boom;
    });
    await expect(webhooks.receive(event('order.paid'), context)).rejects.toThrow(/unseen/);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]?.[1]).toBe(boom);
  });

  it('survives onError handlers that throw or reject: they are logged, the original failure is kept', async () => {
    const { webhooks, logger } = router();
    const boom = new Error('handler');
    webhooks.on('order.paid', () => {
      throw boom;
    });
    webhooks.onError(() => {
      throw new Error('onError sync');
    });
    webhooks.onError(() => Promise.reject(new Error('onError async')));
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const failure = await webhooks.receive(event('order.paid'), context).catch((x: unknown) => x);
      expect((failure as WebhookHandlerError).errors).toEqual([boom]);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
      expect(logger.error.mock.calls.map((c) => (c[1] as Error).message).sort()).toEqual([
        'onError async',
        'onError sync',
      ]);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('verifyAndReceive', () => {
  it('verifies, validates and dispatches; the context carries the webhook id and timestamp', async () => {
    const { webhooks } = router();
    const seen: { type: string; ctx: WebhookContext }[] = [];
    webhooks.on('order.paid', (e, ctx) => void seen.push({ type: e.type, ctx }));
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const delivery = sign(JSON.stringify(orderPaid()), { at });
    const outcome = await webhooks.verifyAndReceive(delivery);
    expect(outcome.kind).toBe('handled');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.type).toBe('order.paid');
    expect(seen[0]?.ctx.id).toBe(delivery.id);
    expect(seen[0]?.ctx.timestamp.getTime()).toBe(at.getTime());
  });

  it('rejects a delivery that fails verification without running any handler or onError', async () => {
    const { webhooks } = router();
    const ran = vi.fn();
    webhooks.onAny(ran);
    webhooks.onError(ran);
    webhooks.onUnknown(ran);
    const delivery = sign(JSON.stringify(orderPaid()));
    const tampered = { ...delivery, body: delivery.body.replace('order.paid', 'order.created') };
    await expect(webhooks.verifyAndReceive(tampered)).rejects.toMatchObject({
      code: 'no_matching_signature',
      status: 403,
    });
    const stale = sign(delivery.body, { at: new Date(Date.now() - 3_600_000) });
    await expect(webhooks.verifyAndReceive(stale)).rejects.toBeInstanceOf(WebhookVerificationError);
    expect(ran).not.toHaveBeenCalled();
  });

  it('accepts the tolerance and secret-list options', async () => {
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const { webhooks } = router({ secret: [other, SECRET], tolerance: 7200 });
    const stale = sign(JSON.stringify(orderPaid()), { at: new Date(Date.now() - 3_600_000) });
    await expect(webhooks.verifyAndReceive(stale)).resolves.toMatchObject({ kind: 'handled' });
  });

  it('hands an unknown type to every onUnknown handler, with the raw payload', async () => {
    const { webhooks, logger } = router();
    const seen: unknown[] = [];
    webhooks.onUnknown((e, ctx) => void seen.push(e, ctx.id));
    webhooks.onUnknown((e) => void seen.push(e.type));
    const delivery = sign(unknownTypeBody());
    const outcome = await webhooks.verifyAndReceive(delivery);
    expect(outcome).toMatchObject({ kind: 'unknown', event: JSON.parse(delivery.body) });
    expect(seen).toEqual([JSON.parse(delivery.body), delivery.id, 'order.teleported']);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('warns once per distinct unknown type when no onUnknown handler is registered', async () => {
    const { webhooks, logger } = router();
    const typed = (type: string) => sign(unknownTypeBody().replace('order.teleported', type));
    for (const type of ['a.one', 'b.two', 'a.one', 'a.one', 'b.two']) {
      await expect(webhooks.verifyAndReceive(typed(type))).resolves.toMatchObject({ kind: 'unknown' });
    }
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls.map((c) => String(c[0]).match(/"([^"]+)"/)?.[1])).toEqual(['a.one', 'b.two']);
  });

  it('treats a throwing onUnknown handler as a handler failure', async () => {
    const { webhooks } = router();
    const reported: unknown[] = [];
    webhooks.onUnknown(() => {
      throw new Error('cannot store');
    });
    webhooks.onError((error, ctx) => void reported.push(ctx.eventType, ctx.event));
    await expect(webhooks.verifyAndReceive(sign(unknownTypeBody()))).rejects.toBeInstanceOf(WebhookHandlerError);
    expect(reported).toEqual(['order.teleported', undefined]);
  });

  it('acknowledges an invalid payload and gives onError the WebhookPayloadError with the raw payload', async () => {
    const { webhooks } = router();
    const ran = vi.fn();
    webhooks.onAny(ran);
    const reported: unknown[] = [];
    webhooks.onError((error, ctx) => void reported.push(error, ctx.eventType));
    const delivery = sign(invalidBody());
    const outcome = await webhooks.verifyAndReceive(delivery);
    expect(outcome.kind).toBe('invalid');
    const error = reported[0] as WebhookPayloadError;
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error.payload).toEqual(JSON.parse(delivery.body));
    expect(error.issues.some((issue) => issue.path.join('.') === 'data.total_amount')).toBe(true);
    expect(reported[1]).toBe('order.paid');
    expect(ran).not.toHaveBeenCalled();
  });

  it('logs an invalid payload when no onError handler is registered, and treats non-JSON the same way', async () => {
    const { webhooks, logger } = router();
    await webhooks.verifyAndReceive(sign(invalidBody()));
    await expect(webhooks.verifyAndReceive(sign('{"type": "order.paid", '))).resolves.toMatchObject({
      kind: 'invalid',
    });
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls.map((c) => (c[1] as WebhookPayloadError).code)).toEqual([
      'invalid_payload',
      'invalid_json',
    ]);
  });

  it("rejects an invalid payload with onInvalidPayload: 'retry', after reporting it", async () => {
    const { webhooks } = router({ onInvalidPayload: 'retry' });
    const reported = vi.fn();
    webhooks.onError(reported);
    await expect(webhooks.verifyAndReceive(sign(invalidBody()))).rejects.toBeInstanceOf(WebhookPayloadError);
    expect(reported).toHaveBeenCalledTimes(1);
  });

  it('never lets UnknownEventTypeError escape', async () => {
    const { webhooks } = router();
    const outcome = await webhooks.verifyAndReceive(sign(unknownTypeBody())).catch((e: unknown) => e);
    expect(outcome).not.toBeInstanceOf(UnknownEventTypeError);
  });
});

describe('options', () => {
  it('fails at start-up on a missing, empty, padded, quoted or placeholder secret, saying how to fix it', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /must be a string.*secret: \(\) => process\.env/],
      ['', /is empty/],
      [`${SECRET}\n`, /whitespace/],
      [`"${SECRET}"`, /quotes/],
      ['whsec_...', /placeholder/],
      [[SECRET, 'whsec_'], /at index 1 is too short or looks like a placeholder/],
      [[], /list of webhook secrets is empty/],
    ];
    for (const [secret, message] of cases) {
      expect(() => createWebhooks({ secret: secret as string })).toThrow(message);
      expect(() => createWebhooks({ secret: secret as string })).toThrow(
        expect.objectContaining({ code: 'invalid_secret', status: 500 }),
      );
    }
  });

  it('lets `next build` load a module whose secret is not set, and checks it on each delivery instead', async () => {
    const previous = process.env.NEXT_PHASE;
    process.env.NEXT_PHASE = 'phase-production-build';
    try {
      const { webhooks } = router({ secret: undefined });
      const answer = await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(orderPaid())) });
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_secret' });
      // Only absence is deferred: a placeholder is wrong whenever it is seen.
      expect(() => router({ secret: 'whsec_...' })).toThrow(/placeholder/);
    } finally {
      if (previous === undefined) delete process.env.NEXT_PHASE;
      else process.env.NEXT_PHASE = previous;
    }
    expect(() => router({ secret: undefined })).toThrow(/must be a string/);
  });

  it('refuses a misspelt option, naming the one it probably meant', () => {
    const misspelt = { secret: SECRET, tolerence: 600 } as unknown as Parameters<typeof createWebhooks>[0];
    expect(() => createWebhooks(misspelt)).toThrow(
      /createWebhooks\(\): unknown option "tolerence"\. Did you mean "tolerance"\?/,
    );
    expect(() => createWebhooks({ secret: SECRET, maxBodySize: 1 } as never)).toThrow(/Did you mean "maxBodyBytes"/);
    expect(() => createWebhooks({ secret: SECRET, onInvalid: 'retry' } as never)).toThrow(
      /Did you mean "onInvalidPayload"/,
    );
    expect(() => createWebhooks({ secret: SECRET, onInvalid: 'retry' } as never)).toThrow(WebhookConfigurationError);
  });

  it('refuses malformed options at creation, with how to fix them', () => {
    expect(() => createWebhooks({ secret: SECRET, maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a positive/);
    expect(() => createWebhooks({ secret: SECRET, maxBodyBytes: 1.5 })).toThrow(
      expect.objectContaining({ code: 'invalid_option', status: 500 }),
    );
    // @ts-expect-error not a policy
    expect(() => createWebhooks({ secret: SECRET, onInvalidPayload: 'ignore' })).toThrow(/'acknowledge' or 'retry'/);
    // @ts-expect-error not a logger
    expect(() => createWebhooks({ secret: SECRET, logger: { warn() {} } })).toThrow(/warn\(\) and error\(\)/);
    expect(() => createWebhooks({ secret: SECRET, tolerance: -1 })).toThrow(/tolerance/);
    // @ts-expect-error no options
    expect(() => createWebhooks()).toThrow(/needs an options object/);
  });

  it('checks the secret when it is built, and a secret given as a function on each delivery', async () => {
    // An unset environment variable fails at start-up, with the way out for build steps in the message.
    expect(() => router({ secret: undefined })).toThrow(/secret: \(\) => process\.env\.POLAR_WEBHOOK_SECRET/);
    let value: string | undefined;
    const { webhooks } = router({ secret: () => value });
    const delivery = sign(JSON.stringify(orderPaid()));
    const before = await webhooks.respond({ method: 'POST', ...delivery });
    expect(before.status).toBe(500);
    expect(JSON.parse(before.body)).toMatchObject({ error: 'invalid_secret' });
    value = SECRET;
    expect((await webhooks.respond({ method: 'POST', ...delivery })).status).toBe(202);
  });

  it('exposes maxBodyBytes, 1 MiB by default', () => {
    expect(router().webhooks.maxBodyBytes).toBe(1024 * 1024);
    expect(router({ maxBodyBytes: 10 }).webhooks.maxBodyBytes).toBe(10);
  });
});

describe('the context and the capture option', () => {
  it("tells handlers when Polar's CLI triggered the event (x-polar-triggered: true)", async () => {
    const { webhooks } = router();
    const contexts: WebhookContext[] = [];
    webhooks.on('order.paid', (_event, context) => {
      contexts.push(context);
    });
    const triggered = sign(JSON.stringify(orderPaid()));
    await webhooks.verifyAndReceive({ ...triggered, headers: { ...triggered.headers, 'x-polar-triggered': 'true' } });
    await webhooks.verifyAndReceive(sign(JSON.stringify(orderPaid())));
    expect(contexts.map((c) => c.triggered)).toEqual([true, undefined]);
  });

  it('hands each verified delivery to capture, headers and raw body, and never one that failed verification', async () => {
    const captured: CapturedDelivery[] = [];
    const { webhooks } = router({ capture: (delivery) => void captured.push(delivery) });
    const delivery = sign(`${JSON.stringify(orderPaid(), null, 2)}\n`);
    const headers = { ...delivery.headers, 'webhook-api-version': '2026-10', 'x-other': 'dropped' };
    await webhooks.verifyAndReceive({ ...delivery, headers });
    await expect(webhooks.verifyAndReceive({ ...delivery, body: `${delivery.body} ` })).rejects.toThrow();
    expect(captured).toHaveLength(1);
    expect(captured[0]).toMatchObject({ id: delivery.id, body: delivery.body });
    expect(captured[0]?.headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': delivery.id,
      'webhook-timestamp': delivery.headers['webhook-timestamp'],
      'webhook-signature': delivery.headers['webhook-signature'],
      'webhook-api-version': '2026-10',
    });
  });

  it('a capture that throws or rejects is a warning; the delivery goes on', async () => {
    const warnings: string[] = [];
    const logger: WebhooksLogger = { warn: (message) => void warnings.push(message), error: () => undefined };
    for (const capture of [
      () => {
        throw new Error('disk full');
      },
      () => Promise.reject(new Error('disk full')),
    ]) {
      const webhooks = createWebhooks({ secret: SECRET, logger, capture });
      const ran = vi.fn();
      webhooks.on('order.paid', ran);
      const answer = await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(orderPaid())) });
      expect(answer.status).toBe(202);
      expect(ran).toHaveBeenCalledTimes(1);
    }
    await vi.waitFor(() => expect(warnings).toHaveLength(2));
    expect(warnings.every((w) => w.includes('capture failed'))).toBe(true);
    expect(() => createWebhooks({ secret: SECRET, capture: 'dir' as never })).toThrow(/capture must be a function/);
  });
});
