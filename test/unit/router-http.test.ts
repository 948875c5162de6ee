/**
 * The HTTP policy through webhooks.handle (Fetch Request → Response) and webhooks.respond, and the
 * body reading underneath, including property tests over untrusted input.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebhookRequestError } from '../../src/errors';
import { createWebhooks } from '../../src/router/create-webhooks';
import { arrayBufferIsFaster, checkDeclaredLength, exceedsLimit, readRequestBody } from '../../src/router/read-body';
import type { WebhooksLogger } from '../../src/router/types';
import { SECRET, invalidBody, orderPaid, sign, trapBody, unknownTypeBody } from '../integration/helpers';

const logger: WebhooksLogger = { warn: () => undefined, error: () => undefined };
const LIMIT = 32 * 1024;

function setup(options: Partial<Parameters<typeof createWebhooks>[0]> = {}) {
  const ran = vi.fn();
  const webhooks = createWebhooks({ secret: SECRET, logger, maxBodyBytes: LIMIT, ...options });
  webhooks.onAny(ran);
  return { webhooks, ran };
}

function request(delivery: { body: string; headers: Record<string, string> }, init: RequestInit = {}): Request {
  return new Request('http://localhost/hook', {
    method: 'POST',
    body: delivery.body,
    headers: delivery.headers,
    ...init,
  });
}

async function answer(response: Response): Promise<{ status: number; json: Record<string, unknown> }> {
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('handle(request)', () => {
  it('answers 202 {"ok":true} to a verified delivery, JSON typed', async () => {
    const { webhooks, ran } = setup();
    const response = await webhooks.handle(request(sign(trapBody())));
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await answer(response)).toEqual({ status: 202, json: { ok: true } });
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('answers with the status and code of a verification failure, and a message saying what to do', async () => {
    const { webhooks, ran } = setup();
    const delivery = sign(JSON.stringify(orderPaid()));
    const tampered = await answer(await webhooks.handle(request({ ...delivery, body: `${delivery.body} ` })));
    expect(tampered.status).toBe(403);
    expect(tampered.json.error).toBe('no_matching_signature');
    expect(String(tampered.json.message).length).toBeGreaterThan(20);
    const stale = await answer(
      await webhooks.handle(request(sign(delivery.body, { at: new Date(Date.now() - 600_000) }))),
    );
    expect(stale).toMatchObject({ status: 403, json: { error: 'timestamp_too_old' } });
    const noHeaders = await answer(await webhooks.handle(request({ body: delivery.body, headers: {} })));
    expect(noHeaders).toMatchObject({ status: 400, json: { error: 'missing_header' } });
    expect(ran).not.toHaveBeenCalled();
  });

  it('answers 500 for a misconfigured secret, so deliveries are retried once it is fixed', async () => {
    // A secret read on each delivery (the form for modules loaded where the environment is not set).
    const { webhooks } = setup({ secret: () => '' });
    const result = await answer(await webhooks.handle(request(sign(JSON.stringify(orderPaid())))));
    expect(result).toMatchObject({ status: 500, json: { error: 'invalid_secret' } });
  });

  it('answers 202 to unknown types and invalid payloads, 500 for invalid payloads in retry mode', async () => {
    const { webhooks } = setup();
    expect((await webhooks.handle(request(sign(unknownTypeBody())))).status).toBe(202);
    expect((await webhooks.handle(request(sign(invalidBody())))).status).toBe(202);
    const retrying = setup({ onInvalidPayload: 'retry' }).webhooks;
    const retried = await answer(await retrying.handle(request(sign(invalidBody()))));
    expect(retried).toMatchObject({ status: 500, json: { error: 'invalid_payload' } });
    expect((await retrying.handle(request(sign(unknownTypeBody())))).status).toBe(202);
  });

  it('answers 500 without the handler error message when a handler throws', async () => {
    const { webhooks } = setup();
    webhooks.on('order.paid', () => {
      throw new Error('database password is hunter2');
    });
    const result = await answer(await webhooks.handle(request(sign(JSON.stringify(orderPaid())))));
    expect(result.status).toBe(500);
    expect(result.json.error).toBe('handler_failed');
    expect(JSON.stringify(result.json)).not.toContain('hunter2');
  });

  it('answers 405 with Allow: POST to every other method, without reading the body', async () => {
    const { webhooks, ran } = setup();
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const response = await webhooks.handle(new Request('http://localhost/hook', { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
    expect(ran).not.toHaveBeenCalled();
  });

  it('answers 413 to a declared content-length over the limit without touching the stream', async () => {
    const { webhooks } = setup();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const response = await webhooks.handle(
      new Request('http://localhost/hook', {
        method: 'POST',
        body,
        headers: { 'content-length': String(LIMIT * 100) },
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulls).toBeLessThanOrEqual(1); // a stream may be primed once when it is created
  });

  it('answers 413 to an endless stream, reading just past the limit and cancelling it', async () => {
    const { webhooks } = setup();
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1000;
        controller.enqueue(new Uint8Array(1000));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await webhooks.handle(
      new Request('http://localhost/hook', { method: 'POST', body, duplex: 'half' } as RequestInit),
    );
    expect(await answer(response)).toMatchObject({ status: 413, json: { error: 'body_too_large' } });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(LIMIT + 3000);
  });
});

describe('handle(request): handlers, answers and runtimes', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('answers only once async handlers have settled: 202 when they resolve, 500 when one rejects', async () => {
    const { webhooks } = setup();
    let release: () => void = () => undefined;
    let finished = false;
    webhooks.on('order.paid', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    });
    const answering = webhooks.handle(request(sign(JSON.stringify(orderPaid()))));
    let answered = false;
    void answering.then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    release();
    const response = await answering;
    expect(finished).toBe(true);
    expect(response.status).toBe(202);

    const failing = setup().webhooks;
    const seen: unknown[] = [];
    failing.onError((error) => {
      seen.push(error);
    });
    failing.on('order.paid', () => Promise.reject(new Error('queue unavailable')));
    const failed = await answer(await failing.handle(request(sign(JSON.stringify(orderPaid())))));
    expect(failed).toMatchObject({ status: 500, json: { error: 'handler_failed' } });
    expect(seen).toEqual([expect.objectContaining({ message: 'queue unavailable' })]);
  });

  it('waits for async onUnknown and onError handlers before acknowledging', async () => {
    const { webhooks } = setup();
    const done: string[] = [];
    webhooks.onUnknown(async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(event.type);
    });
    webhooks.onError(async (error) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push((error as { code: string }).code);
    });
    expect((await webhooks.handle(request(sign(unknownTypeBody())))).status).toBe(202);
    expect(done).toEqual(['order.teleported']);
    expect((await webhooks.handle(request(sign(invalidBody())))).status).toBe(202);
    expect(done).toEqual(['order.teleported', 'invalid_payload']);
  });

  it('gives Response a headers object of its own each time, as servers that replace Response add to it', async () => {
    const { webhooks, ran } = setup();
    const given: Record<string, string>[] = [];
    const Native = Response;
    // Like @hono/node-server's Response: it keeps the init and writes content-length into its headers.
    class AddingResponse extends Native {
      constructor(body?: BodyInit | null, init?: ResponseInit) {
        const headers = init?.headers as Record<string, string>;
        headers['content-length'] = String(new TextEncoder().encode(String(body)).length);
        given.push(headers);
        super(body, init);
      }
    }
    vi.stubGlobal('Response', AddingResponse);
    const first = await webhooks.handle(request(sign(JSON.stringify(orderPaid()))));
    const second = await webhooks.handle(request(sign(JSON.stringify(orderPaid()))));
    const refused = await webhooks.handle(new Request('http://localhost/hook', { method: 'GET' }));
    vi.unstubAllGlobals();
    expect([first.status, second.status, refused.status]).toEqual([202, 202, 405]);
    expect(given).toHaveLength(3);
    expect(new Set(given).size).toBe(3);
    expect(given[0]).toEqual({ 'content-type': 'application/json; charset=utf-8', 'content-length': '11' });
    expect(ran).toHaveBeenCalledTimes(2);
  });

  it('reads a body of declared length in one call where that is faster, with the same limits', async () => {
    expect(arrayBufferIsFaster()).toBe(false); // Node.js: the stream is read directly
    const delivery = sign(trapBody());
    const bytes = new TextEncoder().encode(delivery.body);
    const declared = new Request('http://localhost/hook', {
      method: 'POST',
      body: delivery.body,
      headers: { ...delivery.headers, 'content-length': String(bytes.length) },
    });
    expect(Array.from(await readRequestBody(declared, LIMIT, true))).toEqual(Array.from(bytes));
    // A Request built in process may declare less than it carries: still refused over the limit.
    const understated = new Request('http://localhost/hook', {
      method: 'POST',
      body: new Uint8Array(LIMIT + 1),
      headers: { 'content-length': '10' },
    });
    await expect(readRequestBody(understated, LIMIT, true)).rejects.toMatchObject({
      code: 'body_too_large',
      status: 413,
    });
    const overstated = new Request('http://localhost/hook', {
      method: 'POST',
      body: 'x',
      headers: { 'content-length': String(LIMIT + 1) },
    });
    await expect(readRequestBody(overstated, LIMIT, true)).rejects.toMatchObject({ code: 'body_too_large' });
    expect(overstated.bodyUsed).toBe(false);
  });

  it('takes only a plain byte count as a declared length', () => {
    expect(checkDeclaredLength('3375', LIMIT)).toBe(3375);
    expect(checkDeclaredLength('0', LIMIT)).toBe(0);
    for (const odd of [null, undefined, '', 'abc', '12.5', '-1', '10, 10'])
      expect(checkDeclaredLength(odd, LIMIT)).toBeUndefined();
    expect(() => checkDeclaredLength(String(LIMIT + 1), LIMIT)).toThrow(WebhookRequestError);
  });

  it('applies the same policy where node:crypto is missing (Web Crypto), for handle and respond', async () => {
    const proc = globalThis.process as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    vi.resetModules();
    proc.getBuiltinModule = undefined;
    try {
      const fresh = await import('../../src/router/create-webhooks');
      const seen: string[] = [];
      const webhooks = fresh.createWebhooks({ secret: SECRET, logger, maxBodyBytes: LIMIT });
      webhooks.on('order.paid', async (_event, { id }) => {
        await Promise.resolve();
        seen.push(id);
      });
      const delivery = sign(trapBody());
      expect(await answer(await webhooks.handle(request(delivery)))).toEqual({ status: 202, json: { ok: true } });
      const tampered = await webhooks.respond({ method: 'POST', body: `${delivery.body} `, headers: delivery.headers });
      expect(tampered.status).toBe(403);
      expect(seen).toEqual([delivery.id]);
    } finally {
      proc.getBuiltinModule = original;
      vi.resetModules();
    }
  });
});

describe('respond({ method, body, headers })', () => {
  it('applies the same policy to a body read by the caller, as string, bytes or ArrayBuffer', async () => {
    const { webhooks, ran } = setup();
    const delivery = sign(trapBody());
    const bytes = new TextEncoder().encode(delivery.body);
    for (const body of [delivery.body, bytes, bytes.buffer.slice(0)]) {
      const result = await webhooks.respond({ method: 'POST', body, headers: delivery.headers });
      expect(result).toEqual({
        status: 202,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '{"ok":true}',
      });
    }
    expect(ran).toHaveBeenCalledTimes(3);
    expect((await webhooks.respond({ method: 'GET', body: null, headers: {} })).headers).toMatchObject({
      allow: 'POST',
    });
  });

  it('gives every caller an answer object of its own, which it may change', async () => {
    const { webhooks } = setup();
    const first = await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(orderPaid())) });
    expect(Object.isFrozen(first) || Object.isFrozen(first.headers)).toBe(false);
    (first.headers as Record<string, string>)['x-extra'] = 'mine';
    const second = await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(orderPaid())) });
    expect(second).toEqual({
      status: 202,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"ok":true}',
    });
    expect(second).not.toBe(first);
  });

  it('counts the limit in UTF-8 bytes, not characters', async () => {
    const { webhooks } = setup({ maxBodyBytes: 100 });
    const accented = 'é'.repeat(60); // 60 characters, 120 bytes
    const result = await webhooks.respond({ method: 'POST', body: accented, headers: {} });
    expect(result.status).toBe(413);
    expect((await webhooks.respond({ method: 'POST', body: 'é'.repeat(50), headers: {} })).status).toBe(400);
  });

  it('never rejects, and never runs a handler, for arbitrary unsigned input', async () => {
    const { webhooks, ran } = setup();
    const headerRecord = fc.dictionary(
      fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'content-length', 'x-other'),
      fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 5000 }), fc.constant(null)),
        headerRecord,
        fc.constantFrom('POST', 'GET', 'PUT'),
        async (body, headers, method) => {
          const result = await webhooks.respond({ method, body, headers });
          expect([400, 403, 405, 413]).toContain(result.status);
          expect(() => JSON.parse(result.body)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
    expect(ran).not.toHaveBeenCalled();
  });

  it('acknowledges any signed JSON value, whatever its shape, without rejecting', async () => {
    const { webhooks } = setup({ maxBodyBytes: 1024 * 1024 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ type: fc.constantFrom('order.paid', 'subscription.updated', 'x.y'), data: fc.jsonValue() }),
        ),
        async (value) => {
          const result = await webhooks.respond({ method: 'POST', ...sign(JSON.stringify(value)) });
          expect(result.status).toBe(202);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('body limits (properties)', () => {
  it('exceedsLimit agrees with the UTF-8 encoding for any string and limit', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
            fc.constantFrom('\uD800', '\uDC00', 'é', '€', '😀'),
          ),
          maxLength: 200,
        }),
        fc.nat(800),
        (text, limit) => {
          expect(exceedsLimit(text, limit)).toBe(encoder.encode(text).length > limit);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('readRequestBody returns the exact bytes under the limit and 413 over it, however the stream is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
        fc.nat(2000),
        async (chunks, limit) => {
          const total = chunks.reduce((n, c) => n + c.length, 0);
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              for (const chunk of chunks) controller.enqueue(chunk);
              controller.close();
            },
          });
          const req = new Request('http://localhost/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
          const read = readRequestBody(req, limit);
          if (total > limit) {
            await expect(read).rejects.toBeInstanceOf(WebhookRequestError);
          } else {
            const expected = new Uint8Array(total);
            let offset = 0;
            for (const chunk of chunks) {
              expected.set(chunk, offset);
              offset += chunk.length;
            }
            expect(Array.from(await read)).toEqual(Array.from(expected));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
