/**
 * The queue option on the router's side: a verified delivery becomes a job, is acknowledged only once
 * the queue confirmed the write, and a write that fails makes Polar retry; `process(job)` runs the
 * same handlers in a worker. The engines themselves (BullMQ, pg-boss) are tested on real servers in
 * their own files; here the queue is an in-process one that holds what it is given.
 */
import { describe, expect, it, vi } from 'vitest';
import { WebhookHandlerError, WebhookProcessingError } from '../../src/errors';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { WebhookJob, WebhookQueue, WebhooksLogger } from '../../src/router/types';
import { memoryStore } from '../../src/stores/memory';
import { SECRET, orderPaid, sign, unknownTypeBody } from '../integration/helpers';

const logger: WebhooksLogger = { warn: () => undefined, error: () => undefined };

/** A queue that holds its jobs, and can be made to confirm late or to fail. */
function heldQueue(behaviour: { delayMs?: number; fail?: boolean } = {}) {
  const jobs: WebhookJob[] = [];
  const queue: WebhookQueue = {
    async enqueue(job) {
      if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      if (behaviour.fail) throw new Error('READONLY You can not write against a read only replica.');
      // What an engine stores is JSON: keep exactly that.
      jobs.push(JSON.parse(JSON.stringify(job)) as WebhookJob);
    },
  };
  return { queue, jobs };
}

describe('the queue option', () => {
  it('writes the verified delivery as a job, and answers 202 only once the write is confirmed', async () => {
    const { queue, jobs } = heldQueue({ delayMs: 80 });
    const webhooks = createWebhooks({ secret: SECRET, logger, queue });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    const event = orderPaid();
    const delivery = sign(JSON.stringify(event, null, 2));
    const started = Date.now();
    const answer = await webhooks.respond({
      method: 'POST',
      body: delivery.body,
      headers: { ...delivery.headers, 'webhook-api-version': '2026-10', 'x-polar-triggered': 'true' },
    });
    expect(answer.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(ran).not.toHaveBeenCalled();
    expect(jobs).toEqual([
      {
        id: delivery.id,
        type: 'order.paid',
        timestamp: new Date(Number(delivery.headers['webhook-timestamp']) * 1000).toISOString(),
        apiVersion: (event as { api_version?: string }).api_version ?? '2026-10',
        triggered: true,
        event: JSON.parse(delivery.body),
        body: delivery.body,
      },
    ]);
  });

  it('answers 503 when the queue does not confirm the write, so Polar retries, and says so', async () => {
    const errors: string[] = [];
    const { queue } = heldQueue({ fail: true });
    const webhooks = createWebhooks({
      secret: SECRET,
      logger: { ...logger, error: (m) => void errors.push(m) },
      queue,
    });
    const answer = await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(orderPaid())) });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'queue_unavailable' });
    expect(errors).toEqual([expect.stringContaining('could not write "order.paid"')]);
  });

  it('never enqueues what is not proven to come from Polar', async () => {
    const { queue, jobs } = heldQueue();
    const webhooks = createWebhooks({ secret: SECRET, logger, queue });
    const delivery = sign(JSON.stringify(orderPaid()));
    const answer = await webhooks.respond({ method: 'POST', ...delivery, body: `${delivery.body} ` });
    expect(answer.status).toBe(403);
    expect(jobs).toEqual([]);
  });

  it('a worker runs the same handlers with process(job); a failure rejects so the engine retries', async () => {
    const { queue, jobs } = heldQueue();
    const webhooks = createWebhooks({ secret: SECRET, logger, queue });
    const seen: unknown[] = [];
    let fail = true;
    webhooks.on('order.paid', (event, context) => {
      if (fail) throw new Error('the warehouse API is down');
      seen.push({ id: event.data.id, context });
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    await webhooks.respond({ method: 'POST', ...delivery });
    const [job] = jobs as [WebhookJob];
    await expect(webhooks.process(job)).rejects.toBeInstanceOf(WebhookHandlerError);
    fail = false;
    await expect(webhooks.process(job)).resolves.toMatchObject({ kind: 'handled' });
    expect(seen).toEqual(
      [
        {
          id: (orderPaid().data as { id: string }).id,
          context: { id: delivery.id, timestamp: new Date(job.timestamp), triggered: undefined },
        },
      ].map((s) => ({ ...s, context: expect.objectContaining({ id: s.context.id, timestamp: s.context.timestamp }) })),
    );
  });

  it('with idempotency, a job processed twice (a retry after a crash) runs its handlers once', async () => {
    const { queue, jobs } = heldQueue();
    const webhooks = createWebhooks({ secret: SECRET, logger, queue, idempotency: { store: memoryStore() } });
    const ran = vi.fn();
    webhooks.on('order.paid', ran);
    await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(orderPaid())) });
    const [job] = jobs as [WebhookJob];
    await expect(webhooks.process(job)).resolves.toMatchObject({ kind: 'handled' });
    await expect(webhooks.process(job)).resolves.toMatchObject({ kind: 'duplicate' });
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('queues unknown types too; the worker hands them to onUnknown', async () => {
    const { queue, jobs } = heldQueue();
    const webhooks = createWebhooks({ secret: SECRET, logger, queue });
    const unknown = vi.fn();
    webhooks.onUnknown(unknown);
    expect((await webhooks.respond({ method: 'POST', ...sign(unknownTypeBody()) })).status).toBe(202);
    await expect(webhooks.process(jobs[0] as WebhookJob)).resolves.toMatchObject({ kind: 'unknown' });
    expect(unknown).toHaveBeenCalledTimes(1);
  });

  it('refuses a job it did not write, and a queue that is not one', async () => {
    const webhooks = createWebhooks({ secret: SECRET, logger });
    await expect(webhooks.process({ id: 'x' } as WebhookJob)).rejects.toBeInstanceOf(WebhookProcessingError);
    await expect(webhooks.process(null as never)).rejects.toMatchObject({ code: 'invalid_job' });
    expect(() => createWebhooks({ secret: SECRET, queue: {} as never })).toThrow(/enqueue\(job\)/);
    expect(() => createWebhooks({ secret: SECRET, queue: heldQueue().queue, respond: 'after-verify' })).toThrow(
      /do not go together/,
    );
  });
});
