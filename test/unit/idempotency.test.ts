/**
 * Exactly once: claim, run, commit; a failed run frees the id; duplicates of a done id are
 * acknowledged without running anything; a copy that arrives while the first runs waits for it and
 * is never acknowledged before it succeeded; a store that is down makes Polar retry. Then the time
 * budget and background handlers. All on the memory store; the Redis and PostgreSQL stores pass the
 * same contract in their own tests, across processes.
 */
import { describe, expect, it, vi } from 'vitest';
import { createBackgroundTasks } from '../../src/router/background';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { CreateWebhooksOptions, WebhooksLogger } from '../../src/router/types';
import { memoryStore } from '../../src/stores/memory';
import type { IdempotencyStore } from '../../src/stores/types';
import { SECRET, orderPaid, sign, type SignedDelivery } from '../integration/helpers';

interface Logged {
  readonly level: 'warn' | 'error';
  readonly message: string;
}

function setup(options: Partial<CreateWebhooksOptions> = {}) {
  const logged: Logged[] = [];
  const logger: WebhooksLogger = {
    warn: (message) => void logged.push({ level: 'warn', message }),
    error: (message) => void logged.push({ level: 'error', message }),
  };
  const webhooks = createWebhooks({ secret: SECRET, logger, ...options });
  return { webhooks, logged };
}

const post = (webhooks: ReturnType<typeof setup>['webhooks'], delivery: SignedDelivery) =>
  webhooks.respond({ method: 'POST', body: delivery.body, headers: delivery.headers });

const statusOf = async (answer: Promise<{ status: number; body: string }>) => {
  const { status, body } = await answer;
  return { status, code: (JSON.parse(body) as { error?: string }).error };
};

/** A promise and the functions that settle it. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('idempotency: claim, run, commit', () => {
  it('runs the handlers of a webhook id once; every later copy is acknowledged and reported', async () => {
    const duplicates: unknown[] = [];
    const store = memoryStore();
    const { webhooks } = setup({ idempotency: { store, onDuplicate: (info) => void duplicates.push(info) } });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    const delivery = sign(JSON.stringify(orderPaid()));
    for (let i = 0; i < 3; i++) expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 202 });
    expect(ran).toHaveBeenCalledTimes(1);
    expect(duplicates).toEqual([
      { id: delivery.id, eventType: 'order.paid', state: 'done' },
      { id: delivery.id, eventType: 'order.paid', state: 'done' },
    ]);
    // A retry re-stamps the timestamp and the signature, never the id: still a duplicate.
    expect(await statusOf(post(webhooks, sign(delivery.body, { id: delivery.id })))).toEqual({ status: 202 });
    expect(ran).toHaveBeenCalledTimes(1);
    const outcome = await webhooks.verifyAndReceive(sign(delivery.body, { id: delivery.id }));
    expect(outcome).toMatchObject({ kind: 'duplicate', context: { id: delivery.id } });
  });

  it('reports duplicates on the logger when no onDuplicate is given', async () => {
    const { webhooks, logged } = setup({ idempotency: { store: memoryStore() } });
    webhooks.on('order.paid', () => undefined);
    const delivery = sign(JSON.stringify(orderPaid()));
    await post(webhooks, delivery);
    await post(webhooks, delivery);
    expect(logged).toEqual([{ level: 'warn', message: expect.stringContaining('was already processed') }]);
  });

  it('a failed run marks nothing done: the claim is released and the next delivery runs the handlers', async () => {
    const { webhooks } = setup({ idempotency: { store: memoryStore() } });
    let calls = 0;
    webhooks.on('order.paid', async () => {
      calls += 1;
      if (calls === 1) throw new Error('the database blinked');
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 500, code: 'handler_failed' });
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 202 });
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 202 });
    expect(calls).toBe(2);
  });

  it('a copy that arrives while the first runs waits, and is acknowledged only once the first succeeded', async () => {
    const { webhooks } = setup({ idempotency: { store: memoryStore(), waitMs: 2000 } });
    const release = gate();
    const ran = vi.fn(() => release.promise);
    webhooks.on('order.paid', ran);
    const delivery = sign(JSON.stringify(orderPaid()));
    const first = statusOf(post(webhooks, delivery));
    const second = statusOf(post(webhooks, delivery));
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(secondDone).toBe(false);
    release.open();
    expect(await first).toEqual({ status: 202 });
    expect(await second).toEqual({ status: 202 });
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('a copy that waited in vain is answered 409 so that Polar retries it later, never 2xx', async () => {
    const { webhooks } = setup({ idempotency: { store: memoryStore(), waitMs: 100 } });
    const release = gate();
    webhooks.on('order.paid', () => release.promise);
    const delivery = sign(JSON.stringify(orderPaid()));
    const first = statusOf(post(webhooks, delivery));
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 409, code: 'delivery_in_progress' });
    release.open();
    expect(await first).toEqual({ status: 202 });
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 202 });
  });

  it('a copy waiting on a first that fails takes over and runs the handlers itself', async () => {
    const { webhooks } = setup({ idempotency: { store: memoryStore(), waitMs: 2000 } });
    const release = gate();
    let calls = 0;
    webhooks.on('order.paid', async () => {
      calls += 1;
      if (calls === 1) {
        await release.promise;
        throw new Error('first copy fails');
      }
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    const first = statusOf(post(webhooks, delivery));
    const second = statusOf(post(webhooks, delivery));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release.open();
    expect(await first).toEqual({ status: 500, code: 'handler_failed' });
    expect(await second).toEqual({ status: 202 });
    expect(calls).toBe(2);
  });

  it('a claim whose process died lapses after its lease, and the next copy runs the handlers', async () => {
    const store = memoryStore();
    // A claim left by a process that was killed in the middle of its handlers.
    const delivery = sign(JSON.stringify(orderPaid()));
    expect(await store.claim(`polar:${delivery.id}`, 'dead-process', 200)).toBe('claimed');
    const { webhooks } = setup({ idempotency: { store, waitMs: 1000 } });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 202 });
    expect(ran).toHaveBeenCalledTimes(1);
    // The dead process can no longer commit or release what it no longer holds.
    expect(await store.commit(`polar:${delivery.id}`, 'dead-process', 1000)).toBe(false);
  });

  it('keeps a claim alive while slow handlers run, so no second copy runs them', async () => {
    const { webhooks } = setup({ idempotency: { store: memoryStore(), leaseMs: 90, waitMs: 5000 }, timeout: 5000 });
    let calls = 0;
    webhooks.on('order.paid', async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 400)); // several leases long
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    const answers = await Promise.all([statusOf(post(webhooks, delivery)), statusOf(post(webhooks, delivery))]);
    expect(answers).toEqual([{ status: 202 }, { status: 202 }]);
    expect(calls).toBe(1);
  });

  it('namespaces keep endpoints apart when they share a store', async () => {
    const store = memoryStore();
    const orders = setup({ idempotency: { store, namespace: 'orders' } }).webhooks;
    const audit = setup({ idempotency: { store, namespace: 'audit' } }).webhooks;
    const ran = vi.fn();
    orders.on('order.paid', ran);
    audit.on('order.paid', ran);
    const delivery = sign(JSON.stringify(orderPaid()));
    await post(orders, delivery);
    await post(audit, delivery);
    expect(ran).toHaveBeenCalledTimes(2);
  });

  it('a store that is down gets a 503 so Polar retries, with a clear log line, and no handler runs', async () => {
    const down: IdempotencyStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')),
      extend: () => Promise.resolve(false),
      commit: () => Promise.resolve(false),
      release: () => Promise.resolve(),
    };
    const { webhooks, logged } = setup({ idempotency: { store: down } });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    expect(await statusOf(post(webhooks, sign(JSON.stringify(orderPaid()))))).toEqual({
      status: 503,
      code: 'store_unavailable',
    });
    expect(ran).not.toHaveBeenCalled();
    expect(logged).toEqual([{ level: 'error', message: expect.stringContaining('could not be reached') }]);
  });

  it('handlers that succeeded are acknowledged even when the done mark cannot be written, and it is logged', async () => {
    const store = memoryStore();
    const flaky: IdempotencyStore = { ...store, commit: () => Promise.reject(new Error('connection reset')) };
    const { webhooks, logged } = setup({ idempotency: { store: flaky } });
    webhooks.on('order.paid', () => undefined);
    expect(await statusOf(post(webhooks, sign(JSON.stringify(orderPaid()))))).toEqual({ status: 202 });
    expect(logged).toEqual([{ level: 'error', message: expect.stringContaining('could not mark it done') }]);
  });

  it('refuses a store that is not one, and misspelt idempotency options', () => {
    expect(() => createWebhooks({ secret: SECRET, idempotency: { store: {} as never } })).toThrow(
      /claim, extend, commit, release/,
    );
    expect(() =>
      createWebhooks({ secret: SECRET, idempotency: { store: memoryStore(), leaseMS: 5 } as never }),
    ).toThrow(/Did you mean "leaseMs"/);
  });
});

describe('the time budget', () => {
  it('answers 503 when handlers outrun it, before they finish, and reports them once they settle', async () => {
    const slow: unknown[] = [];
    const { webhooks, logged } = setup({ timeout: 100, onSlow: (info) => void slow.push(info) });
    let finished = false;
    webhooks.on('order.paid', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    const started = Date.now();
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 503, code: 'handler_timeout' });
    expect(Date.now() - started).toBeLessThan(280);
    expect(finished).toBe(false);
    expect(logged[0]?.message).toContain('Polar’s retry runs them again');
    await vi.waitFor(() => expect(slow).toHaveLength(1));
    expect(slow[0]).toMatchObject({ id: delivery.id, eventType: 'order.paid', outcome: 'succeeded' });
    expect((slow[0] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(290);
  });

  it('with idempotency, the claim outlives the answer: the retry after the handlers finished is a duplicate', async () => {
    const { webhooks, logged } = setup({ timeout: 100, idempotency: { store: memoryStore(), waitMs: 1000 } });
    let calls = 0;
    webhooks.on('order.paid', async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 503, code: 'handler_timeout' });
    expect(logged[0]?.message).toContain('deduplicated');
    // Polar's retry, while the first run goes on: it waits for it, then is acknowledged.
    expect(await statusOf(post(webhooks, delivery))).toEqual({ status: 202 });
    expect(calls).toBe(1);
  });

  it('never cuts short handlers that return nothing', async () => {
    const { webhooks } = setup({ timeout: 1 });
    webhooks.on('order.paid', () => {
      const until = Date.now() + 20;
      while (Date.now() < until);
    });
    expect(await statusOf(post(webhooks, sign(JSON.stringify(orderPaid()))))).toEqual({ status: 202 });
  });
});

describe("respond: 'after-verify'", () => {
  it('answers 202 as soon as the delivery is verified, and runs the handlers in the background', async () => {
    const background = createBackgroundTasks();
    const { webhooks } = setup({ respond: 'after-verify', waitUntil: background.waitUntil });
    const release = gate();
    const ran = vi.fn(() => release.promise);
    webhooks.on('order.paid', ran);
    expect(await statusOf(post(webhooks, sign(JSON.stringify(orderPaid()))))).toEqual({ status: 202 });
    expect(background.pending).toBe(1);
    expect(await background.drain({ timeoutMs: 50 })).toEqual({ pending: 1 });
    release.open();
    expect(await background.drain()).toEqual({ pending: 0 });
    expect(ran).toHaveBeenCalledTimes(1);
    // Still refuses what is not from Polar, at once.
    const forged = sign(JSON.stringify(orderPaid()));
    expect(await statusOf(post(webhooks, { ...forged, body: `${forged.body} ` }))).toEqual({
      status: 403,
      code: 'no_matching_signature',
    });
  });

  it('reports a background failure to onError, since Polar will not retry it', async () => {
    const background = createBackgroundTasks();
    const { webhooks } = setup({ respond: 'after-verify', waitUntil: background.waitUntil });
    const errors: unknown[] = [];
    webhooks.onError((error) => void errors.push(error));
    webhooks.on('order.paid', async () => {
      throw new Error('failed after the answer');
    });
    expect(await statusOf(post(webhooks, sign(JSON.stringify(orderPaid()))))).toEqual({ status: 202 });
    await background.drain();
    expect(errors).toEqual([expect.objectContaining({ message: 'failed after the answer' })]);
  });

  it("takes a Worker's ctx.waitUntil from fetch(request, env, ctx), bound to ctx", async () => {
    const { webhooks } = setup({ respond: 'after-verify' });
    const kept: Promise<unknown>[] = [];
    const ctx = {
      kept,
      waitUntil(this: { kept: Promise<unknown>[] }, work: Promise<unknown>) {
        this.kept.push(work);
      },
    };
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    const delivery = sign(JSON.stringify(orderPaid()));
    const request = new Request('http://localhost/', {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    const response = await webhooks.handle(request, {} as never, ctx);
    expect(response.status).toBe(202);
    expect(kept).toHaveLength(1);
    await kept[0];
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('with idempotency, a background duplicate does not run the handlers again', async () => {
    const background = createBackgroundTasks();
    const { webhooks } = setup({
      respond: 'after-verify',
      waitUntil: background.waitUntil,
      idempotency: { store: memoryStore() },
    });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    const delivery = sign(JSON.stringify(orderPaid()));
    await post(webhooks, delivery);
    await background.drain();
    await post(webhooks, delivery);
    await background.drain();
    expect(ran).toHaveBeenCalledTimes(1);
  });
});

describe('memoryStore', () => {
  it('keeps the contract: one claim wins, commit and release only for its holder, done marks expire', async () => {
    let now = 1_000;
    const store = memoryStore({ now: () => now });
    expect(await store.claim('k', 'a', 100)).toBe('claimed');
    expect(await store.claim('k', 'b', 100)).toBe('busy');
    expect(await store.commit('k', 'b', 1000)).toBe(false);
    await store.release('k', 'b');
    expect(await store.claim('k', 'b', 100)).toBe('busy');
    expect(await store.extend('k', 'a', 500)).toBe(true);
    now += 400;
    expect(await store.claim('k', 'b', 100)).toBe('busy');
    expect(await store.commit('k', 'a', 1000)).toBe(true);
    expect(await store.claim('k', 'b', 100)).toBe('done');
    now += 1001;
    expect(await store.claim('k', 'b', 100)).toBe('claimed');
  });

  it('stays within its bounds however many distinct ids arrive', async () => {
    const store = memoryStore({ maxEntries: 1000, maxBytes: 64 * 1024 });
    for (let i = 0; i < 20_000; i++) {
      const key = `polar:msg_${i.toString(36).padStart(12, '0')}`;
      expect(await store.claim(key, `t${i}`, 60_000)).toBe('claimed');
      await store.commit(key, `t${i}`, 86_400_000);
      expect(store.size).toBeLessThanOrEqual(1000);
    }
  });
});
