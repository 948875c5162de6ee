/**
 * The Better Auth webhook endpoints (`polar-webhooks/better-auth`) in a real Better Auth server (memory
 * database), served over HTTP on 127.0.0.1 by Better Auth's own Node handler: as a part in the `use`
 * list of a `polar()` plugin, and as a plugin of their own.
 *
 * `@polar-sh/better-auth` itself cannot be installed beside `@polar-sh/sdk` 1.x (its peer is the 0.x
 * SDK), so `polar()` is stood in for by what it does with its `use` list: call each part with the Polar
 * client and add the endpoints it returns to one plugin. The type its webhooks part has (from its
 * published declarations) is checked below, so that swapping the import type-checks.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { betterAuth, type BetterAuthPlugin, type StrictEndpoint } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBetterAuthWebhooks,
  polarWebhooks,
  webhooks,
  type BetterAuthWebhooksPart,
} from '../../src/adapters/better-auth';
import { EVENT_HANDLER_NAMES, EVENT_TYPES } from '../../src/events/catalogue';
import {
  SECRET,
  deliveryScenarios,
  eventJson,
  listen,
  orderPaid,
  post,
  recordingWebhooks,
  sign,
  type Call,
} from './helpers';

/** The type `@polar-sh/better-auth` 1.8 declares for the part its `webhooks()` returns. */
type OfficialWebhooksPart = (polar: { readonly accessToken?: string }) => {
  polarWebhooks: StrictEndpoint<
    '/polar/webhooks',
    { method: 'POST'; metadata: { isAction: false }; cloneRequest: true },
    { received: boolean }
  >;
};
const typeCheck: OfficialWebhooksPart = webhooks({ secret: SECRET }) satisfies BetterAuthWebhooksPart;
void typeCheck;

/** What `polar()` of `@polar-sh/better-auth` does with its `use` list. */
function polarStandIn(options: { client: object; use: ((client: object) => object)[] }): BetterAuthPlugin {
  const endpoints = Object.assign({}, ...options.use.map((part) => part(options.client)));
  return { id: 'polar', endpoints };
}

/** A Better Auth server on 127.0.0.1 with `plugins`, and its base URL. */
async function startAuth(plugins: BetterAuthPlugin[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer();
  const started = await listen(server);
  const auth = betterAuth({
    baseURL: started.url,
    secret: randomBytes(32).toString('hex'),
    database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
    logger: { disabled: true },
    telemetry: { enabled: false },
    plugins,
  });
  server.on('request', toNodeHandler(auth));
  return started;
}

const calls: Call[] = [];
const optionCalls: { handler: string; type: string; id?: string }[] = [];
let polarAuth: { url: string; close: () => Promise<void> } | undefined;
let ownPluginAuth: { url: string; close: () => Promise<void> } | undefined;

beforeAll(async () => {
  polarAuth = await startAuth([
    polarStandIn({
      client: { accessToken: 'unused' },
      use: [
        () => ({
          checkout: Object.assign(async () => new Response('checkout'), {
            path: '/checkout/:slug',
            options: { method: 'GET' },
          }),
        }),
        () => createBetterAuthWebhooks(recordingWebhooks(calls)),
      ],
    }),
  ]);
  ownPluginAuth = await startAuth([
    polarWebhooks({
      secret: SECRET,
      onPayload: async (payload) => void optionCalls.push({ handler: 'onPayload', type: payload.type }),
      onOrderPaid: async (payload, { id }) => void optionCalls.push({ handler: 'onOrderPaid', type: payload.type, id }),
    }),
  ]);
});

afterAll(async () => {
  await polarAuth?.close();
  await ownPluginAuth?.close();
});

describe("a part in the use list of @polar-sh/better-auth's polar() plugin", () => {
  // Better Auth's Node bridge destroys the connection when the body stream is cancelled, and never
  // drains a body left unread after the answer: how a refused body's connection ends is Better Auth's.
  deliveryScenarios(
    () => ({
      url: `${polarAuth?.url}/api/auth/polar/webhooks`,
      calls: () => calls,
      reset: () => (calls.length = 0),
    }),
    { serverOwnsConnection: true, endlessBody: false },
  );
});

describe('polarWebhooks(): a Better Auth plugin of its own', () => {
  it('answers 202 and calls onPayload and onOrderPaid with the typed payload and the webhook id', async () => {
    optionCalls.length = 0;
    const delivery = sign(JSON.stringify(orderPaid()));
    const answer = await post(`${ownPluginAuth?.url}/api/auth/polar/webhooks`, delivery);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ ok: true });
    expect(optionCalls).toEqual(
      expect.arrayContaining([
        { handler: 'onPayload', type: 'order.paid' },
        { handler: 'onOrderPaid', type: 'order.paid', id: delivery.id },
      ]),
    );
    expect(optionCalls).toHaveLength(2);
  });

  it('answers 403, not 400, to a forged delivery, and no handler runs', async () => {
    optionCalls.length = 0;
    const delivery = sign(JSON.stringify(orderPaid()), { secret: `whsec_${randomBytes(32).toString('base64')}` });
    const answer = await post(`${ownPluginAuth?.url}/api/auth/polar/webhooks`, delivery);
    expect(answer.status).toBe(403);
    expect(answer.json.error).toBe('no_matching_signature');
    expect(optionCalls).toEqual([]);
  });
});

describe('every handler option', () => {
  const seen: { handler: string; type: string }[] = [];
  const options: Record<string, unknown> = {
    secret: SECRET,
    onPayload: (payload: { type: string }) => void seen.push({ handler: 'onPayload', type: payload.type }),
  };
  for (const type of EVENT_TYPES) {
    const handler = EVENT_HANDLER_NAMES[type];
    options[handler] = (payload: { type: string }) => void seen.push({ handler, type: payload.type });
  }
  const auth = betterAuth({
    baseURL: 'http://localhost:3000',
    secret: randomBytes(32).toString('hex'),
    logger: { disabled: true },
    telemetry: { enabled: false },
    plugins: [polarWebhooks(options as unknown as Parameters<typeof polarWebhooks>[0])],
  });

  it.each(EVENT_TYPES.map((type) => [type]))('%s → its own on<Type> handler and onPayload, once each', async (type) => {
    seen.length = 0;
    const delivery = sign(JSON.stringify(eventJson(type)));
    const request = new Request('http://localhost:3000/api/auth/polar/webhooks', {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    expect((await auth.handler(request)).status).toBe(202);
    expect(seen).toHaveLength(2);
    expect(seen).toContainEqual({ handler: EVENT_HANDLER_NAMES[type], type });
    expect(seen).toContainEqual({ handler: 'onPayload', type });
  });
});

describe("Better Auth's rate limit (on by default in production)", () => {
  const limit = { enabled: true, window: 60, max: 2 };

  async function statuses(auth: { handler: (request: Request) => Promise<Response> }, path: string): Promise<number[]> {
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const delivery = sign(JSON.stringify(orderPaid()));
      const request = new Request(`http://localhost:3000/api/auth${path}`, {
        method: path === '/ok' ? 'GET' : 'POST',
        body: path === '/ok' ? undefined : delivery.body,
        headers: { ...delivery.headers, 'x-forwarded-for': '203.0.113.7' },
      });
      seen.push((await auth.handler(request)).status);
    }
    return seen;
  }

  function authWith(plugins: BetterAuthPlugin[], rateLimit: Record<string, unknown>) {
    return betterAuth({
      baseURL: 'http://localhost:3000',
      secret: randomBytes(32).toString('hex'),
      logger: { disabled: true },
      telemetry: { enabled: false },
      rateLimit,
      plugins,
    });
  }

  it('never answers 429 on the webhook path of polarWebhooks(), while other paths are limited', async () => {
    const auth = authWith([polarWebhooks({ secret: SECRET })], limit);
    expect(await statuses(auth, '/polar/webhooks')).toEqual([202, 202, 202, 202, 202]);
    expect(await statuses(auth, '/ok')).toContain(429);
  });

  it("limits webhooks() in polar()'s use list unless the documented customRules lift it", async () => {
    const part = () => polarStandIn({ client: {}, use: [webhooks({ secret: SECRET })] });
    expect(await statuses(authWith([part()], limit), '/polar/webhooks')).toContain(429);
    const lifted = authWith([part()], { ...limit, customRules: { '/polar/webhooks': false } });
    expect(await statuses(lifted, '/polar/webhooks')).toEqual([202, 202, 202, 202, 202]);
  });
});

describe('a plugin that reads the request body before the endpoint', () => {
  it('answers 500 body_already_parsed, saying how to fix it', async () => {
    const reader: BetterAuthPlugin = {
      id: 'reads-bodies',
      onRequest: async (request) => {
        await request.text();
      },
    };
    const seen: string[] = [];
    const auth = betterAuth({
      baseURL: 'http://localhost:3000',
      secret: randomBytes(32).toString('hex'),
      logger: { disabled: true },
      telemetry: { enabled: false },
      plugins: [reader, polarWebhooks({ secret: SECRET, onPayload: (payload) => void seen.push(payload.type) })],
    });
    const delivery = sign(JSON.stringify(orderPaid()));
    const response = await auth.handler(
      new Request('http://localhost:3000/api/auth/polar/webhooks', {
        method: 'POST',
        body: delivery.body,
        headers: delivery.headers,
      }),
    );
    expect(response.status).toBe(500);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('body_already_parsed');
    expect(answer.message).toContain('request.clone()');
    expect(seen).toEqual([]);
  });
});

describe('webhooks() options', () => {
  it('refuses a misspelt handler name, naming the right one', () => {
    expect(() => webhooks({ secret: SECRET, onOrderPayed: async () => undefined } as never)).toThrow(
      /webhooks\(\): unknown option "onOrderPayed"\. Did you mean "onOrderPaid"\?/,
    );
  });

  it('refuses a missing secret when auth is built, naming the option', () => {
    expect(() => webhooks({ secret: undefined as never })).toThrow(expect.objectContaining({ code: 'invalid_secret' }));
    expect(() => webhooks({ secret: undefined as never })).toThrow(/secret/);
    expect(() => webhooks({ secret: undefined as never })).not.toThrow(/webhookSecret/);
  });

  it('refuses a handler that is not a function', () => {
    expect(() => webhooks({ secret: SECRET, onOrderPaid: 'yes' as never })).toThrow(/onOrderPaid must be a function/);
  });
});
