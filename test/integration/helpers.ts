/**
 * Shared by the router's unit tests and the real-server tests: a secret, deliveries signed by an
 * independent implementation (the `standardwebhooks` package), the tricky bodies every adapter
 * must verify, a router whose handlers record what they saw, and the scenarios each server runs.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { createWebhooks } from '../../src/router/create-webhooks';
import type { CreateWebhooksOptions, Webhooks } from '../../src/router/types';
import type { PolarWebhookEventType } from '../../src/events/catalogue';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 bytes. */
export const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** The body size limit the test routers use, small so oversized bodies are cheap to send. */
export const TEST_LIMIT = 64 * 1024;

/** A signed delivery: the exact body and the headers to send with it. */
export interface SignedDelivery {
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly id: string;
}

let counter = 0;

/** Signs `body` with the `standardwebhooks` package (an implementation independent of ours). */
export function sign(body: string, options: { secret?: string; id?: string; at?: Date } = {}): SignedDelivery {
  const id = options.id ?? `msg_test_${process.pid}_${++counter}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(options.secret ?? SECRET).sign(id, at, body);
  return {
    body,
    id,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

type Json = Record<string, unknown>;

/** The project's realistic payload of `type` (fixtures/2026-10/<type>.json), as Polar puts it on the wire. */
export function eventJson(type: PolarWebhookEventType): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/2026-10/${type}.json`, import.meta.url), 'utf8')) as Json;
}

/** An `order.paid` payload with its `data.metadata` replaced. */
export function orderPaid(metadata: Record<string, string | number | boolean> = {}): Json {
  const event = eventJson('order.paid');
  (event.data as Json).metadata = metadata;
  return event;
}

/**
 * An `order.paid` body that only verifies if the raw bytes are used: pretty-printed, with `10.0`
 * floats and integer-like metadata keys in non-ascending order (`JSON.parse` + `JSON.stringify`
 * would reorder them to "1", "2" and write `10`).
 */
export function trapBody(): string {
  const pretty = JSON.stringify(orderPaid({ __trap__: 1 }), null, 2);
  const body = pretty
    .replace(/\{\s*"__trap__": 1\s*\}/, '{ "2": "b", "1": "a", "amount": 10.0 }')
    .replace(/"total_amount": (\d+)/, '"total_amount": $1.0');
  if (!body.includes('"2": "b", "1": "a"') || !body.includes('.0,')) throw new Error('trap body not built');
  if (JSON.stringify(JSON.parse(body)) === body) throw new Error('trap body survives re-serialization');
  return body;
}

/** A verified payload of a type this version does not know. */
export function unknownTypeBody(): string {
  return JSON.stringify({
    type: 'order.teleported',
    timestamp: '2026-10-01T12:00:00.000000Z',
    api_version: '2026-10',
    data: { id: 'teleport_1', destination: 'mars' },
  });
}

/** A verified `order.paid` payload that breaks its schema (`total_amount` is not a number). */
export function invalidBody(): string {
  const event = orderPaid();
  (event.data as Json).total_amount = 'not a number';
  return JSON.stringify(event);
}

/** What a recording router's handlers saw. */
export interface Call {
  readonly route?: string;
  readonly kind: 'event' | 'unknown' | 'error';
  readonly type?: string;
  readonly id?: string;
  readonly data?: Json;
  readonly payload?: unknown;
  readonly code?: string;
  readonly message?: string;
}

/**
 * A router whose `order.paid` handler records the event (and throws when the metadata says
 * `fail: 'yes'`), whose `onUnknown` records the raw payload, and whose `onError` records the error.
 */
export function recordingWebhooks(calls: Call[], options: Partial<CreateWebhooksOptions> = {}): Webhooks {
  const webhooks = createWebhooks({ secret: SECRET, maxBodyBytes: TEST_LIMIT, ...options });
  webhooks.on('order.paid', (event, context) => {
    if (event.data.metadata.fail === 'yes') throw new Error('handler failed on purpose');
    calls.push({ kind: 'event', type: event.type, id: context.id, data: event.data as unknown as Json });
  });
  webhooks.onUnknown((event, context) => {
    calls.push({ kind: 'unknown', type: event.type, id: context.id, payload: event });
  });
  webhooks.onError((error, context) => {
    const e = error as { code?: string; payload?: unknown; message?: string };
    calls.push({ kind: 'error', code: e.code, id: context.id, payload: e.payload, message: e.message });
  });
  return webhooks;
}

/** Sends a signed (or any) POST with fetch and returns status, headers and the parsed JSON body. */
export async function post(
  url: string,
  delivery: { body: string; headers: Record<string, string> },
): Promise<{ status: number; headers: Headers; json: Json }> {
  const response = await fetch(url, { method: 'POST', body: delivery.body, headers: delivery.headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Json) : {} };
}

/**
 * Streams a body that never ends (chunked, no content-length) over a raw socket until the server
 * answers, and resolves with the status. A server that buffered the whole body would never answer,
 * so the test fails instead of passing. Gives up after `cap` bytes.
 *
 * A raw socket rather than node:http: a server that closes the connection right after answering
 * makes the client's next write fail, and node:http then drops the answer it has not parsed yet.
 */
export function postEndlessBody(url: string, cap = 64 * 1024 * 1024): Promise<{ status: number; sent: number }> {
  const target = new URL(url);
  const head =
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
    `Transfer-Encoding: chunked\r\n${Object.entries(sign('{}').headers)
      .filter(([name]) => name.startsWith('webhook-'))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;
  const payload = Buffer.alloc(16 * 1024, 0x20);
  const chunk = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(target.port), target.hostname);
    let received = '';
    let sent = 0;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      if (status === undefined && !socket.destroyed && sent < cap) return;
      settled = true;
      socket.destroy();
      if (status === undefined) reject(new Error(`no answer after ${sent} bytes`));
      else resolve({ status: Number(status), sent });
    };
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      settle();
    });
    // Once it has answered, the server may close the connection: writes then fail, as expected.
    socket.on('error', () => undefined);
    socket.on('close', settle);
    const pump = (): void => {
      while (!settled && !socket.destroyed && sent < cap) {
        sent += payload.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      settle();
    };
    socket.once('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

/** Sends headers announcing a body over the limit, and only a few bytes of it. */
export async function postDeclaredTooLarge(url: string, declared: number): Promise<number> {
  const target = new URL(url);
  const request = http.request({
    method: 'POST',
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    headers: { 'content-type': 'application/json', 'content-length': String(declared), ...sign('{}').headers },
  });
  request.on('error', () => undefined);
  request.write('{"type":');
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  response.resume();
  request.destroy();
  return response.statusCode ?? 0;
}

/**
 * Sends a signed POST with a whole body of `size` bytes, as a client that reads nothing until it has
 * written everything (curl under load, most blocking HTTP clients): its socket is paused while it
 * writes. Resolves with the first status it then reads, or 'reset' when the connection was reset
 * before the answer could be read (the server closed it with the client's bytes unread).
 */
export function postWholeBodyThenRead(url: string, size: number): Promise<number | 'reset'> {
  const target = new URL(url);
  const head =
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${size}\r\n${Object.entries(sign('{}').headers)
      .filter(([name]) => name.startsWith('webhook-'))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;
  return new Promise((resolve) => {
    const socket = net.connect(Number(target.port), target.hostname);
    socket.pause();
    let received = '';
    const settle = (): void => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      socket.destroy();
      resolve(status === undefined ? 'reset' : Number(status));
    };
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (/^HTTP\/1\.1 \d{3}/.test(received)) settle();
    });
    socket.on('error', settle);
    socket.on('close', settle);
    socket.once('connect', async () => {
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let sent = 0; sent < size && !socket.destroyed; sent += chunk.length) {
        const part = sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent);
        if (!socket.write(part)) await once(socket, 'drain').catch(() => undefined);
      }
      socket.resume();
    });
  });
}

/** Where a server under test listens, and how to read what its handlers recorded. */
export interface ScenarioTarget {
  /** URL of the webhook route. */
  readonly url: string;
  /** The calls the route's handlers made, oldest first (may be filtered to this route). */
  calls(): readonly Call[];
  /** Forgets the calls recorded so far. */
  reset(): void;
}

/**
 * The behaviour every server must show, as `it` blocks: valid, tampered, unknown type, invalid
 * payload, handler failure, raw-body traps, oversized bodies and methods.
 *
 * @param options.streamsBody - false when the platform reads the whole request body before the
 *   handler runs (Next.js Edge routes under `next start`): the handler cannot stop an endless or
 *   half-sent body there, so only complete oversized bodies are tried.
 * @param options.endlessBody - false when the platform reads ahead of the handler and then resets
 *   the connection under a sender that never stops (Next.js Pages routes under `next start`), so
 *   that the answer can be lost in transit whatever the handler does.
 * @param options.serverOwnsConnection - true when the server around the handler decides how a refused
 *   body's connection is closed, out of the handler's reach (`@hono/node-server` and `next start` reset
 *   it under a client that is still sending); the adapters that own the Node response pass this test.
 */
export function deliveryScenarios(
  target: () => ScenarioTarget,
  options: { streamsBody?: boolean; endlessBody?: boolean; serverOwnsConnection?: boolean } = {},
): void {
  it('answers 202 to a valid delivery, and the handler runs once with the typed event and webhook id', async () => {
    const t = target();
    t.reset();
    const event = orderPaid({ plan: 'pro' });
    const delivery = sign(JSON.stringify(event));
    const answer = await post(t.url, delivery);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ ok: true });
    expect(t.calls()).toEqual([expect.objectContaining({ kind: 'event', type: 'order.paid', id: delivery.id })]);
    const seen = t.calls()[0]?.data as Json;
    expect(seen.id).toBe((event.data as Json).id);
    expect(seen.total_amount).toBe((event.data as Json).total_amount);
    expect(seen.metadata).toEqual({ plan: 'pro' });
  });

  it('answers 403 to a tampered body or signature, and no handler runs', async () => {
    const t = target();
    t.reset();
    const delivery = sign(JSON.stringify(orderPaid()));
    const tamperedBody = await post(t.url, {
      ...delivery,
      body: delivery.body.replace('"order.paid"', '"order.paid" '),
    });
    expect(tamperedBody.status).toBe(403);
    expect(tamperedBody.json).toMatchObject({ error: 'no_matching_signature' });
    const other = sign(delivery.body, { secret: `whsec_${randomBytes(32).toString('base64')}`, id: delivery.id });
    const wrongKey = await post(t.url, {
      body: delivery.body,
      headers: { ...delivery.headers, 'webhook-signature': other.headers['webhook-signature'] as string },
    });
    expect(wrongKey.status).toBe(403);
    const missing = await post(t.url, { body: delivery.body, headers: { 'content-type': 'application/json' } });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ error: 'missing_header' });
    expect(t.calls()).toEqual([]);
  });

  it('answers 202 to a verified delivery of an unknown type, and onUnknown gets the raw payload', async () => {
    const t = target();
    t.reset();
    const delivery = sign(unknownTypeBody());
    const answer = await post(t.url, delivery);
    expect(answer.status).toBe(202);
    expect(t.calls()).toEqual([
      expect.objectContaining({
        kind: 'unknown',
        type: 'order.teleported',
        id: delivery.id,
        payload: JSON.parse(delivery.body),
      }),
    ]);
  });

  it('answers 202 to a verified payload that breaks its schema, and onError gets the raw payload', async () => {
    const t = target();
    t.reset();
    const delivery = sign(invalidBody());
    const answer = await post(t.url, delivery);
    expect(answer.status).toBe(202);
    expect(t.calls()).toEqual([
      expect.objectContaining({
        kind: 'error',
        code: 'invalid_payload',
        id: delivery.id,
        payload: JSON.parse(delivery.body),
      }),
    ]);
  });

  it('answers 500 when a handler throws, so Polar retries', async () => {
    const t = target();
    t.reset();
    const answer = await post(t.url, sign(JSON.stringify(orderPaid({ fail: 'yes' }))));
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ error: 'handler_failed' });
    expect(t.calls()).toEqual([expect.objectContaining({ kind: 'error', message: 'handler failed on purpose' })]);
  });

  it('verifies a pretty-printed body with 10.0 floats and integer-like keys out of order', async () => {
    const t = target();
    t.reset();
    const delivery = sign(trapBody());
    const answer = await post(t.url, delivery);
    expect(answer.status).toBe(202);
    expect(t.calls()).toHaveLength(1);
    expect(t.calls()[0]?.data?.metadata).toEqual({ 1: 'a', 2: 'b', amount: 10 });
  });

  it('answers 413 to a complete body over the limit, and no handler runs', async () => {
    const t = target();
    t.reset();
    const oversized = sign(JSON.stringify(orderPaid({ pad: 'x'.repeat(TEST_LIMIT) })));
    const answer = await post(t.url, oversized);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: 'body_too_large' });
    expect(t.calls()).toEqual([]);
  });

  if (options.streamsBody !== false) {
    it('answers 413 to a body announced larger than the limit, before it is sent', async () => {
      const t = target();
      t.reset();
      expect(await postDeclaredTooLarge(t.url, TEST_LIMIT * 100)).toBe(413);
      expect(t.calls()).toEqual([]);
    });
  }

  if (options.streamsBody !== false && options.serverOwnsConnection !== true) {
    it('answers 413 to a declared oversized body so that even a client that reads only after sending reads it', async () => {
      // 16 MiB: more than the loopback socket buffers hold, so that the client is still sending when
      // the server has answered. Closing at once would reset the connection under its unread answer.
      const t = target();
      t.reset();
      const statuses: (number | 'reset')[] = [];
      for (let i = 0; i < 5; i++) statuses.push(await postWholeBodyThenRead(t.url, 16 * 1024 * 1024));
      expect(statuses).toEqual(Array(5).fill(413));
      expect(t.calls()).toEqual([]);
    });
  }

  if (options.streamsBody !== false && options.endlessBody !== false) {
    it('answers 413 to an endless chunked body without reading all of it', async () => {
      const t = target();
      t.reset();
      const { status } = await postEndlessBody(t.url);
      expect(status).toBe(413);
      expect(t.calls()).toEqual([]);
    });
  }

  it('answers 405 with Allow: POST to other methods', async () => {
    const t = target();
    const response = await fetch(t.url, { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ error: 'method_not_allowed' });
  });
}

/** Starts a Node HTTP server on 127.0.0.1 with a random port; resolves with its base URL and a closer. */
export async function listen(server: http.Server): Promise<{ url: string; close: () => Promise<void> }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Sends a signed POST that announces a 1000-byte body, writes only its start, and waits for the
 * answer (the server under test fails the stream on purpose). Destroys the request once answered.
 */
export async function postHalfSentBody(url: string): Promise<{ status: number | undefined; text: string }> {
  const target = new URL(url);
  const request = http.request({
    method: 'POST',
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    headers: { 'content-type': 'application/json', 'content-length': '1000', ...sign('{}').headers },
  });
  request.on('error', () => undefined);
  request.write('{"type":"order.paid",');
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  let text = '';
  response.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(response, 'end');
  request.destroy();
  return { status: response.statusCode, text };
}
