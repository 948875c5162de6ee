/**
 * The `Webhooks({ webhookSecret, onPayload, on<Type> })` drop-in of each adapter: every one of the
 * 42 handler names is called for its own type, over real servers (Express 5, Hono on
 * @hono/node-server) and through the Next.js App Router handler.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhooks as expressWebhooks } from '../../src/adapters/express';
import { Webhooks as honoWebhooks } from '../../src/adapters/hono';
import { Webhooks as nextWebhooks } from '../../src/adapters/next';
import type { WebhooksOptions } from '../../src/adapters/compat';
import { EVENT_HANDLER_NAMES, EVENT_TYPES, type PolarWebhookEventType } from '../../src/events/catalogue';
import { SECRET, eventJson, listen, post, sign, unknownTypeBody } from './helpers';

interface Seen {
  readonly handler: string;
  readonly type: string;
  readonly id: string;
}

/** 'benefit_grant.cycled' → 'onBenefitGrantCycled', written independently of the catalogue's table. */
function expectedName(type: string): string {
  return `on${type
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}`;
}

function recordingOptions(seen: Seen[]): WebhooksOptions {
  const options: Record<string, unknown> = {
    webhookSecret: SECRET,
    logger: { warn: () => undefined, error: () => undefined },
    onPayload: (payload: { type: string }, context: { id: string }) =>
      void seen.push({ handler: 'onPayload', type: payload.type, id: context.id }),
  };
  for (const type of EVENT_TYPES) {
    const handler = EVENT_HANDLER_NAMES[type];
    options[handler] = async (payload: { type: string }, context: { id: string }) => {
      await Promise.resolve();
      seen.push({ handler, type: payload.type, id: context.id });
    };
  }
  return options as unknown as WebhooksOptions;
}

function everyHandlerCalledForItsType(send: () => (type: PolarWebhookEventType, seen: Seen[]) => Promise<number>) {
  it.each(EVENT_TYPES.map((type) => [type]))('%s → its own on<Type> handler and onPayload, once each', async (type) => {
    const seen: Seen[] = [];
    const status = await send()(type, seen);
    expect(status).toBe(202);
    const name = EVENT_HANDLER_NAMES[type];
    expect(name).toBe(expectedName(type));
    expect(seen).toHaveLength(2);
    expect(seen).toContainEqual(expect.objectContaining({ handler: name, type }));
    expect(seen).toContainEqual(expect.objectContaining({ handler: 'onPayload', type }));
  });
}

describe('handler names', () => {
  it('covers all 42 event types, including the ones older adapters lacked', () => {
    const names = Object.values(EVENT_HANDLER_NAMES);
    expect(new Set(names).size).toBe(42);
    for (const name of [
      'onBenefitGrantCycled',
      'onCustomerSeatAssigned',
      'onSubscriptionPastDue',
      'onCustomerStateChanged',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('refuses an option that names no event type, instead of never calling it', () => {
    const misspelt = { webhookSecret: SECRET, onOrderPayed: () => undefined } as unknown as WebhooksOptions;
    expect(() => expressWebhooks(misspelt)).toThrow(/unknown option "onOrderPayed"/);
    expect(() => nextWebhooks(misspelt)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    expect(() => honoWebhooks(misspelt)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    const notAFunction = { webhookSecret: SECRET, onOrderPaid: 'fulfil' } as unknown as WebhooksOptions;
    expect(() => expressWebhooks(notAFunction)).toThrow(/onOrderPaid must be a function/);
    // A near miss gets the name it probably meant.
    expect(() => expressWebhooks(misspelt)).toThrow(/Did you mean "onOrderPaid"\?/);
    expect(() => nextWebhooks({ webhookSecret: SECRET, tolerence: 60 } as never)).toThrow(/Did you mean "tolerance"/);
  });

  it('fails at start-up on a missing or placeholder webhookSecret', () => {
    for (const make of [expressWebhooks, nextWebhooks, honoWebhooks]) {
      expect(() => make({ webhookSecret: undefined as unknown as string })).toThrow(
        expect.objectContaining({ code: 'invalid_secret' }),
      );
      expect(() => make({ webhookSecret: 'whsec_...' })).toThrow(/placeholder/);
    }
  });

  it("says how to pass the official adapters' entitlements option", () => {
    const options = { webhookSecret: SECRET, entitlements: {} } as unknown as WebhooksOptions;
    expect(() => nextWebhooks(options)).toThrow(
      /entitlements must be made with Entitlements\.use\(.*polar-webhooks\/lifecycle/s,
    );
  });

  it('warns about an unknown event type naming its own onUnknown option', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message), error: () => undefined };
    const POST = nextWebhooks({ webhookSecret: SECRET, logger });
    const delivery = sign(unknownTypeBody());
    const response = await POST(
      new Request('http://localhost/hook', { method: 'POST', body: delivery.body, headers: delivery.headers }),
    );
    expect(response.status).toBe(202);
    expect(warnings).toEqual([expect.stringContaining('Pass onUnknown to Webhooks()')]);
    expect(warnings[0]).not.toContain('webhooks.onUnknown()');
  });
});

describe('polar-webhooks/express Webhooks() on Express 5', () => {
  const seen: Seen[] = [];
  let base = '';
  let close: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const app = express();
    app.post('/hook', expressWebhooks(recordingOptions(seen)));
    ({ url: base, close } = await listen(http.createServer(app)));
  });
  afterAll(() => close());

  everyHandlerCalledForItsType(() => async (type, out) => {
    seen.length = 0;
    const delivery = sign(JSON.stringify(eventJson(type)));
    const { status } = await post(`${base}/hook`, delivery);
    out.push(...seen);
    expect(seen.every((s) => s.id === delivery.id)).toBe(true);
    return status;
  });
});

describe('polar-webhooks/hono Webhooks() on @hono/node-server', () => {
  const seen: Seen[] = [];
  let base = '';
  let server: ServerType | undefined;
  beforeAll(async () => {
    const app = new Hono();
    app.post('/hook', honoWebhooks(recordingOptions(seen)));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        base = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  everyHandlerCalledForItsType(() => async (type, out) => {
    seen.length = 0;
    const { status } = await post(`${base}/hook`, sign(JSON.stringify(eventJson(type))));
    out.push(...seen);
    return status;
  });
});

describe('polar-webhooks/next Webhooks() as an App Router POST handler', () => {
  const seen: Seen[] = [];
  const POST = nextWebhooks(recordingOptions(seen));

  everyHandlerCalledForItsType(() => async (type, out) => {
    seen.length = 0;
    const delivery = sign(JSON.stringify(eventJson(type)));
    const response = await POST(
      new Request('http://localhost/api/webhooks', { method: 'POST', body: delivery.body, headers: delivery.headers }),
    );
    out.push(...seen);
    return response.status;
  });
});
