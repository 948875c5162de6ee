import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { webhooks as sdk202604 } from '@polar-sh/sdk/2026-04';
import { webhooks as sdk202610 } from '@polar-sh/sdk/2026-10';
import { webhooks as sdk202701 } from '@polar-sh/sdk/2027-01';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UnknownEventTypeError, WebhookConfigurationError, WebhookPayloadError } from '../../src/errors';
import { API_VERSIONS, DEFAULT_API_VERSION, type PolarApiVersion } from '../../src/events/api-version';
import { EVENT_TYPES, type PolarWebhookEventType } from '../../src/events/catalogue';
import { createEvent } from '../../src/testing/fixtures';
import { createSignedRequest, DEFAULT_WEBHOOK_URL } from '../../src/testing/request';
import { fixturesOf, fixtureText, ROOT, specOf, type SpecDocument } from '../helpers/event-data';

const FIXTURES_DIR = join(ROOT, 'fixtures');
const NEWEST = API_VERSIONS[API_VERSIONS.length - 1]!;
const fixture = (type: string, version: string = DEFAULT_API_VERSION) => JSON.parse(fixtureText(version, type));
const SDK = { '2026-04': sdk202604, '2026-10': sdk202610, '2027-01': sdk202701 } as const;

const STANDARD_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

// ── each version's spec as an independent oracle (ajv, JSON Schema 2020-12) ──
// The spec's oneOfs overlap (a legacy recurring price also matches the current price shape), so a
// strict oneOf rejects genuine payloads: the oracle reads them as anyOf.
const asAnyOf = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(asAnyOf)
    : node && typeof node === 'object'
      ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k === 'oneOf' ? 'anyOf' : k, asAnyOf(v)]))
      : node;
const oracles = new Map<string, (type: string, payload: unknown) => { ok: boolean; errors: unknown }>();
function specAccepts(version: string) {
  let oracle = oracles.get(version);
  if (!oracle) {
    const spec = asAnyOf(specOf(version)) as SpecDocument;
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addFormat('uuid4', UUID_V4);
    ajv.addFormat('ipvanyaddress', true);
    const id = `https://example.invalid/polar/${version}.json`;
    ajv.addSchema({ ...spec, $id: id });
    oracle = (type, payload) => {
      const validate = ajv.getSchema(`${id}#/$defs/${spec['x-event-types'][type]}`)!;
      const ok = validate(payload) as boolean;
      return { ok, errors: validate.errors?.slice(0, 3) };
    };
    oracles.set(version, oracle);
  }
  return oracle;
}

describe('fixtures/', () => {
  it('holds one folder per API version (and the real deliveries in wire/), each with one <type>.json per event type', () => {
    expect(
      readdirSync(FIXTURES_DIR)
        .filter((f) => f !== 'wire' && !f.endsWith('.md'))
        .sort(),
    ).toEqual([...API_VERSIONS]);
    for (const version of API_VERSIONS) {
      expect(readdirSync(join(FIXTURES_DIR, version)).sort()).toEqual(EVENT_TYPES.map((t) => `${t}.json`).sort());
    }
  });

  describe.each(API_VERSIONS)('%s', (version) => {
    const fixtures = fixturesOf(version);

    it.each(EVENT_TYPES)('%s looks like a real delivery: envelope, UUID v4 ids, ISO dates', (type) => {
      const payload = fixtures[type]!;
      expect(payload).toMatchObject({ type, api_version: version });
      expect(Object.keys(payload).slice(0, 4)).toEqual(['type', 'timestamp', 'api_version', 'data']);
      const values = strings(payload);
      const ids = values.filter((s) => UUID.test(s));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(UUID_V4);
      const dates = values.filter((s) => /^\d{4}-\d\d-\d\dT/.test(s));
      for (const date of dates) {
        expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|\+00:00)$/);
        expect(Number.isNaN(Date.parse(date))).toBe(false);
      }
    });

    it.each(EVENT_TYPES)("%s is valid against the version's spec (ajv, 2020-12)", (type) => {
      const { ok, errors } = specAccepts(version)(type, fixtures[type]);
      expect(ok, JSON.stringify(errors)).toBe(true);
    });

    it.each(EVENT_TYPES)("%s is accepted by @polar-sh/sdk 1.0.1's validateEvent of the version", async (type) => {
      const body = fixtureText(version, type);
      const id = `msg_${randomBytes(12).toString('hex')}`;
      const signature = new Webhook(STANDARD_SECRET).sign(id, new Date(), body);
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': signature,
      };
      await expect(SDK[version].validateEvent(body, headers, STANDARD_SECRET)).resolves.toEqual(JSON.parse(body));
    });
  });

  it('the oracle can say no (a fixture missing data.total_amount is rejected)', () => {
    const payload = fixture('order.paid');
    delete payload.data.total_amount;
    expect(specAccepts(DEFAULT_API_VERSION)('order.paid', payload).ok).toBe(false);
  });

  it('has the sizes of real deliveries: order.paid ~3 KB, subscription.updated ~8 KB, customer.created ~1 KB', () => {
    const compact = (type: string) => JSON.stringify(fixture(type)).length;
    expect(compact('order.paid')).toBeGreaterThan(2500);
    expect(compact('order.paid')).toBeLessThan(4000);
    expect(compact('subscription.updated')).toBeGreaterThan(7000);
    expect(compact('subscription.updated')).toBeLessThan(10000);
    expect(compact('customer.created')).toBeGreaterThan(700);
    expect(compact('customer.created')).toBeLessThan(1500);
  });

  it('carries fields the server sends beyond the spec (x-polar-wire-only-fields)', () => {
    const spec = specOf(DEFAULT_API_VERSION);
    const order = fixture('order.paid').data;
    for (const key of ['amount', 'from_balance_amount', 'user_id', 'product_price', 'product_price_id']) {
      expect(order).toHaveProperty(key);
      expect(spec.$defs.Order.properties).not.toHaveProperty(key);
    }
    expect(fixture('subscription.updated').data).toHaveProperty('price.legacy', true);
    expect(fixture('checkout.created').data).toHaveProperty('customer_billing_address_fields');
    expect(fixture('organization.updated').data).toHaveProperty('notification_settings');
    expect(fixture('benefit_grant.created').data).toHaveProperty('user_id');
  });

  it('covers the shapes that matter: legacy and current prices, tiered prices, several benefit kinds, team customers, nested filters', () => {
    const text = API_VERSIONS.flatMap((v) => EVENT_TYPES.map((t) => fixtureText(v, t))).join('\n');
    for (const needle of [
      '"legacy": true',
      '"amount_type": "metered_unit"',
      '"amount_type": "metered_tiers"',
      '"type": "team"',
      '"conjunction": "or"',
    ]) {
      expect(text).toContain(needle);
    }
    const benefitTypes = new Set(
      [...text.matchAll(/"type": "(license_keys|discord|custom|downloadables|meter_credit|github_repository)"/g)].map(
        (m) => m[1],
      ),
    );
    expect(benefitTypes.size).toBe(6);
  });

  it('holds no field Polar removed from its newest models (guild_token)', () => {
    for (const version of API_VERSIONS) {
      for (const type of EVENT_TYPES) expect(fixtureText(version, type)).not.toContain('"guild_token"');
    }
  });
});

describe('createEvent', () => {
  describe.each(API_VERSIONS)('%s', (version) => {
    it.each(EVENT_TYPES)('createEvent(%s) is the fixture of the version, typed and validated', (type) => {
      expect(createEvent(type, undefined, { apiVersion: version as PolarApiVersion })).toEqual(fixture(type, version));
    });
  });

  it('without apiVersion, the default (oldest) version', () => {
    expect(createEvent('order.paid')).toEqual(fixture('order.paid', DEFAULT_API_VERSION));
    expect(createEvent('order.paid').api_version).toBe(DEFAULT_API_VERSION);
  });

  it('bundles one set of payloads: the other versions differ from the default only where listed', () => {
    // what src/testing/fixtures.ts relies on: every other fixture is the default version's with its
    // api_version changed, or is one of the few it imports itself
    const differing: string[] = [];
    for (const version of API_VERSIONS) {
      for (const type of EVENT_TYPES) {
        const own = fixture(type, version);
        const derived = { ...fixture(type, DEFAULT_API_VERSION), api_version: version };
        if (!isDeepStrictEqual(own, derived)) differing.push(`${version}/${type}`);
      }
    }
    expect(differing.length).toBeLessThan(10);
    expect(differing).toContain('2027-01/product.updated');
  });

  it('a bad apiVersion is a WebhookConfigurationError naming the valid ones', () => {
    const call = () => createEvent('order.paid', undefined, { apiVersion: '2026-07' as PolarApiVersion });
    expect(call).toThrow(WebhookConfigurationError);
    expect(call).toThrow(/'2026-04', '2026-10', '2027-01'/);
  });

  it('returns a fresh deep copy on every call', () => {
    const first = createEvent('order.paid');
    first.data.customer.email = 'changed@example.com';
    first.data.items.length = 0;
    const second = createEvent('order.paid');
    expect(second.data.customer.email).toBe('ada.lindqvist@example.com');
    expect(second.data.items).toHaveLength(1);
  });

  it('merges overrides deeply, replaces arrays and nulls, and ignores undefined', () => {
    const base = fixture('order.paid');
    const event = createEvent('order.paid', {
      timestamp: '2027-01-01T00:00:00.000000Z',
      data: {
        total_amount: 4900,
        customer: { email: 'buyer@example.com', metadata: { vip: true } },
        items: [
          { ...base.data.items[0], label: 'Only item' },
          { ...base.data.items[0], id: '0b7d9a52-3f41-4c8e-9a6b-2f6c1d0e8a31' },
        ],
        billing_address: null,
        discount_id: undefined,
      },
    });
    expect(event.timestamp).toBe('2027-01-01T00:00:00.000000Z');
    expect(event.data.total_amount).toBe(4900);
    expect(event.data.customer.email).toBe('buyer@example.com');
    expect(event.data.customer.name).toBe(base.data.customer.name);
    expect(event.data.customer.metadata).toEqual({ ...base.data.customer.metadata, vip: true });
    expect(event.data.items.map((i) => i.label)).toEqual(['Only item', base.data.items[0].label]);
    expect(event.data.billing_address).toBeNull();
    expect(event.data.discount_id).toBe(base.data.discount_id);
    expect(event.data.subtotal_amount).toBe(base.data.subtotal_amount);
  });

  it('an empty array override empties the array (arrays are replaced, not merged)', () => {
    expect(createEvent('product.updated', { data: { benefits: [] } }).data.benefits).toEqual([]);
  });

  it('does not share objects with the overrides it was given', () => {
    const customer = { email: 'shared@example.com' };
    const event = createEvent('customer.updated', { data: customer });
    customer.email = 'mutated@example.com';
    expect(event.data.email).toBe('shared@example.com');
  });

  it('throws WebhookPayloadError when the overrides break the schema, UnknownEventTypeError for an unknown type', () => {
    expect(() => createEvent('order.paid', { data: { total_amount: '49' as unknown as number } })).toThrow(
      WebhookPayloadError,
    );
    expect(() => createEvent('order.teleported' as PolarWebhookEventType)).toThrow(UnknownEventTypeError);
  });
});

describe('createSignedRequest', () => {
  it('builds a POST with JSON content type, Polar user agent, the event version and signature headers a Standard Webhooks library accepts', async () => {
    const event = createEvent('order.paid', undefined, { apiVersion: NEWEST });
    const request = createSignedRequest({ event, secret: STANDARD_SECRET });
    expect(request.method).toBe('POST');
    expect(request.url).toBe(DEFAULT_WEBHOOK_URL);
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('user-agent')).toBe('polar.sh webhooks');
    expect(request.headers.get('webhook-api-version')).toBe(NEWEST);
    const body = await request.text();
    expect(body).toBe(JSON.stringify(event));
    const headers = Object.fromEntries(request.headers);
    expect(new Webhook(STANDARD_SECRET).verify(body, headers)).toEqual(event);
  });

  it('is accepted by @polar-sh/sdk 1.0.1 validateEvent, for a body given as bytes too', async () => {
    const body = new TextEncoder().encode(fixtureText(NEWEST, 'subscription.migrated'));
    const request = createSignedRequest({ body, secret: STANDARD_SECRET, url: 'https://example.com/hooks' });
    expect(request.url).toBe('https://example.com/hooks');
    const text = await request.text();
    expect(text).toBe(fixtureText(NEWEST, 'subscription.migrated'));
    await expect(
      SDK[NEWEST].validateEvent(text, Object.fromEntries(request.headers), STANDARD_SECRET),
    ).resolves.toMatchObject({ type: 'subscription.migrated' });
  });

  it('uses the id and timestamp it is given, and signs with the legacy key (the whole secret as UTF-8) on request', async () => {
    const secret = `polar_whs_${randomBytes(24).toString('hex')}`;
    const timestamp = new Date('2026-09-21T14:13:20Z');
    const request = createSignedRequest({
      body: fixtureText(NEWEST, 'refund.created'),
      secret,
      id: 'msg_fixed',
      timestamp,
      scheme: 'legacy',
    });
    expect(request.headers.get('webhook-id')).toBe('msg_fixed');
    expect(request.headers.get('webhook-timestamp')).toBe(String(timestamp.getTime() / 1000));
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(`msg_fixed.${timestamp.getTime() / 1000}.${await request.text()}`)
      .digest('base64');
    expect(request.headers.get('webhook-signature')).toBe(`v1,${expected}`);
  });

  it('lets extra headers through but never lets them replace the signature', () => {
    const request = createSignedRequest({
      body: '{}',
      secret: STANDARD_SECRET,
      headers: { 'x-trace': 'abc', 'webhook-signature': 'v1,forged' },
    });
    expect(request.headers.get('x-trace')).toBe('abc');
    expect(request.headers.get('webhook-signature')).not.toContain('forged');
  });

  describe('sent to a real HTTP server on 127.0.0.1', () => {
    let url = '';
    const received: { body: string; verified: unknown }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const verified = new Webhook(STANDARD_SECRET).verify(body, req.headers as Record<string, string>);
          received.push({ body, verified });
          res.writeHead(202).end();
        } catch {
          res.writeHead(403).end();
        }
      });
    });
    beforeAll(async () => {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/polar`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('arrives intact and verifies on the server side; a tampered copy does not', async () => {
      const event = createEvent('customer.state_changed');
      const request = createSignedRequest({ event, secret: STANDARD_SECRET, url });
      expect((await fetch(request)).status).toBe(202);
      expect(received.at(-1)?.verified).toEqual(event);
      const tampered = new Request(request.url, {
        method: 'POST',
        headers: createSignedRequest({ event, secret: STANDARD_SECRET, url }).headers,
        body: JSON.stringify({ ...event, type: 'order.paid' }),
      });
      expect((await fetch(tampered)).status).toBe(403);
    });
  });
});
