import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  PolarWebhookError,
  UnknownEventTypeError,
  WebhookConfigurationError,
  WebhookPayloadError,
} from '../../src/errors';
import {
  API_VERSIONS,
  DEFAULT_API_VERSION,
  isPolarApiVersion,
  resolveApiVersion,
  type PolarApiVersion,
} from '../../src/events/api-version';
import { EVENT_TYPES } from '../../src/events/catalogue';
import { EVENT_SCHEMAS } from '../../src/events/generated/schemas';
import { MAX_ISSUES } from '../../src/events/guard-issues';
import { parseEvent, safeParseEvent } from '../../src/events/parse';
import { fixtureText, requiredByHistory, SPEC_VERSIONS, specOf } from '../helpers/event-data';

const OLDEST = API_VERSIONS[0];
const NEWEST = API_VERSIONS[API_VERSIONS.length - 1]!;
const fixture = (type: string, version: string = NEWEST) => JSON.parse(fixtureText(version, type));

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('parseEvent', () => {
  describe.each(API_VERSIONS)('%s', (version) => {
    it.each(EVENT_TYPES)('parses the raw %s body, keeps the wire shape, and says which version read it', (type) => {
      const text = fixtureText(version, type);
      const result = safeParseEvent(text);
      expect(result.success).toBe(true);
      if (!result.success) return;
      expect(result.event.type).toBe(type);
      expect(result.apiVersion).toBe(version);
      expect(result.versionMismatch).toBeUndefined();
      expect(JSON.parse(JSON.stringify(result.event))).toEqual(JSON.parse(text));
    });
  });

  it('accepts the body as bytes (Uint8Array or ArrayBuffer) and as an already parsed object', () => {
    const text = fixtureText(NEWEST, 'order.paid');
    const bytes = new TextEncoder().encode(text);
    const expected = JSON.parse(text);
    expect(parseEvent(bytes)).toEqual(expected);
    expect(parseEvent(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).toEqual(expected);
    expect(parseEvent(expected)).toBe(expected);
  });

  it('types the data by event type (order.paid → an Order with cents as numbers)', () => {
    const event = parseEvent(fixtureText(NEWEST, 'order.paid'));
    if (event.type !== 'order.paid') throw new Error('wrong type');
    expect(typeof event.data.total_amount).toBe('number');
    expect(event.data.customer.email).toBe('ada.lindqvist@example.com');
  });

  it('subscription.migrated carries provider and provider_subscription_id at the top level, both required', () => {
    const event = parseEvent(fixtureText(NEWEST, 'subscription.migrated'));
    if (event.type !== 'subscription.migrated') throw new Error('wrong type');
    expect(event.provider).toBe('stripe');
    expect(event.provider_subscription_id).toMatch(/^sub_/);
    const { provider: _provider, ...withoutProvider } = fixture('subscription.migrated');
    const error = thrown(() => parseEvent(withoutProvider)) as WebhookPayloadError;
    expect(error.issues.map((i) => i.path)).toEqual([['provider']]);
  });

  it('invalid JSON: WebhookPayloadError invalid_json (202) with the raw text attached', () => {
    const raw = '{"type":"order.paid",';
    const error = thrown(() => parseEvent(raw));
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error).toMatchObject({ code: 'invalid_json', status: 202, payload: raw, issues: [] });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect((error as Error).message).toMatch(/not valid JSON/);
  });

  it.each([
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"order.paid"'],
  ])('a payload that is %s: invalid_payload', (_what, text) => {
    const error = thrown(() => parseEvent(text));
    expect(error).toMatchObject({ code: 'invalid_payload', status: 202, payload: JSON.parse(text) });
    expect((error as Error).message).toMatch(/must be a JSON object with a string `type`/);
  });

  it.each([
    ['missing', {}],
    ['a number', { type: 7 }],
    ['null', { type: null }],
  ])('a `type` that is %s: invalid_payload at type', (_what, extra) => {
    const { type: _type, ...rest } = fixture('order.paid');
    const payload = { ...rest, ...extra };
    const error = thrown(() => parseEvent(payload)) as WebhookPayloadError;
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error.code).toBe('invalid_payload');
    expect(error.eventType).toBeUndefined();
    expect(error.issues).toEqual([{ path: ['type'], message: expect.any(String) }]);
    expect(error.payload).toBe(payload);
  });

  it('an unknown type: UnknownEventTypeError (202) with the type and the payload', () => {
    const payload = { ...fixture('order.paid'), type: 'order.teleported' };
    const error = thrown(() => parseEvent(JSON.stringify(payload)));
    expect(error).toBeInstanceOf(UnknownEventTypeError);
    expect(error).toMatchObject({ code: 'unknown_event_type', status: 202, eventType: 'order.teleported', payload });
  });

  it('a type inherited from Object.prototype is unknown, not a crash', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(thrown(() => parseEvent({ type, data: {} }))).toBeInstanceOf(UnknownEventTypeError);
    }
  });

  it('a schema failure: invalid_payload naming the type, the version and the first paths, with every issue listed', () => {
    const payload = fixture('order.paid');
    delete payload.data.customer.email_verified;
    payload.data.total_amount = '36.25';
    payload.data.items[0].amount = null;
    payload.data.currency = 3;
    payload.data.status = 4;
    const error = thrown(() => parseEvent(payload)) as WebhookPayloadError;
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error).toMatchObject({ code: 'invalid_payload', status: 202, eventType: 'order.paid', payload });
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        ['data', 'customer', 'email_verified'],
        ['data', 'total_amount'],
        ['data', 'items', 0, 'amount'],
        ['data', 'currency'],
        ['data', 'status'],
      ]),
    );
    expect(error.issues).toHaveLength(5);
    expect(error.message).toMatch(/^The "order\.paid" payload does not match its schema at /);
    expect(error.message).toMatch(/data\.total_amount \(/);
    expect(error.message).toMatch(/and 2 more, read as API version 2027-01\./);
    expect(error.message).toMatch(/upgrade polar-webhooks/);
  });

  it('a failure inside a union names the closest branch, not "invalid input"', () => {
    const payload = fixture('subscription.updated');
    delete payload.data.discount.basis_points; // a percentage discount without its percentage
    const error = thrown(() => parseEvent(payload)) as WebhookPayloadError;
    expect(error.issues).toEqual([{ path: ['data', 'discount', 'basis_points'], message: expect.any(String) }]);
    expect(error.message).toMatch(/data\.discount\.basis_points/);
  });

  it('a value that fits no branch of a union of primitives gets one issue at its path', () => {
    const payload = fixture('order.paid');
    payload.data.metadata = { seats: { nested: true } };
    const error = thrown(() => parseEvent(payload)) as WebhookPayloadError;
    expect(error.issues).toEqual([{ path: ['data', 'metadata', 'seats'], message: expect.stringMatching(/string/) }]);
  });

  it('a wrong amount is described as such: expected a number, received a string', () => {
    const payload = fixture('order.paid');
    payload.data.total_amount = '3625';
    const error = thrown(() => parseEvent(payload)) as WebhookPayloadError;
    expect(error.issues).toEqual([{ path: ['data', 'total_amount'], message: 'Expected number, received string' }]);
  });

  it('does not let a "__proto__" key reach Object.prototype, nor the event', () => {
    const text = fixtureText(NEWEST, 'customer.created').replace(
      '"metadata": {',
      '"metadata": { "__proto__": { "polluted": "yes" }, "\\u005f_proto__": { "again": 1 },',
    );
    const event = parseEvent(text);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    const metadata = (event.data as { metadata: object }).metadata;
    expect(Object.hasOwn(metadata, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.keys(metadata).length).toBeGreaterThan(0);
  });

  it('an object given with an own "__proto__" key comes back without it (the rest is the same objects)', () => {
    const payload = JSON.parse(fixtureText(NEWEST, 'order.paid'));
    Object.defineProperty(payload.data.customer, '__proto__', { value: { x: 1 }, enumerable: true, writable: true });
    const event = parseEvent(payload) as typeof payload;
    expect(event).not.toBe(payload);
    expect(Object.hasOwn(event.data.customer, '__proto__')).toBe(false);
    expect(event.data.items).toBe(payload.data.items);
    expect(event.data.customer.email).toBe(payload.data.customer.email);
  });
});

describe('the API version a payload is read by', () => {
  it('API_VERSIONS are the versions of the specs, oldest first; the default is the oldest', () => {
    expect([...API_VERSIONS]).toEqual([...SPEC_VERSIONS]);
    expect([...API_VERSIONS]).toEqual([...API_VERSIONS].sort());
    expect(DEFAULT_API_VERSION).toBe(OLDEST);
    for (const version of API_VERSIONS) expect(isPolarApiVersion(version)).toBe(true);
    for (const other of ['2025-01', '2026', 'latest', '', 42, null]) expect(isPolarApiVersion(other)).toBe(false);
  });

  it('its own api_version; none (an event from before versioning): the oldest', () => {
    for (const version of API_VERSIONS) {
      const payload = fixture('order.paid', version);
      expect(safeParseEvent(payload)).toMatchObject({ success: true, apiVersion: version });
      const { api_version: _dropped, ...versionless } = payload;
      expect(safeParseEvent(versionless)).toMatchObject({ success: true, apiVersion: OLDEST });
    }
  });

  it('an unknown version: newer than every known one → the newest; older → the oldest; in between → the closest before it', () => {
    expect(resolveApiVersion('2099-01')).toBe(NEWEST);
    expect(resolveApiVersion('2020-01')).toBe(OLDEST);
    expect(resolveApiVersion(undefined)).toBe(OLDEST);
    expect(resolveApiVersion(null)).toBe(OLDEST);
    expect(resolveApiVersion('not a version')).toBe(OLDEST);
    for (let i = 1; i < API_VERSIONS.length; i++) {
      const [before, after] = [API_VERSIONS[i - 1]!, API_VERSIONS[i]!];
      const between = `${before}-15`;
      expect(between > before && between < after).toBe(true);
      expect(resolveApiVersion(between)).toBe(before);
    }
    const payload = { ...fixture('order.paid'), api_version: '2099-01' };
    expect(safeParseEvent(payload)).toMatchObject({ success: true, apiVersion: NEWEST });
  });

  it('the webhook-api-version header does not choose: the payload is what Polar stored when the event happened', () => {
    const { api_version: _dropped, ...versionless } = fixture('order.paid', OLDEST);
    const result = safeParseEvent(versionless, { apiVersion: NEWEST, deliveredVersion: NEWEST });
    expect(result).toMatchObject({ success: true, apiVersion: OLDEST });
    expect(result.success && result.versionMismatch).toBeUndefined();
    const newest = fixture('order.paid', NEWEST);
    expect(safeParseEvent(newest, { deliveredVersion: OLDEST })).toMatchObject({ success: true, apiVersion: NEWEST });
  });

  it('a payload in another version than the endpoint is pinned to: read by its own, and the mismatch reported', () => {
    const payload = fixture('order.paid', NEWEST);
    const result = safeParseEvent(payload, { apiVersion: OLDEST, deliveredVersion: NEWEST });
    expect(result).toMatchObject({
      success: true,
      apiVersion: NEWEST,
      versionMismatch: { expected: OLDEST, received: NEWEST },
    });
    const same = safeParseEvent(payload, { apiVersion: NEWEST });
    expect(same.success && same.versionMismatch).toBeUndefined();
    const unknown = safeParseEvent({ ...payload, api_version: '2099-01' }, { apiVersion: NEWEST });
    expect(unknown).toMatchObject({ versionMismatch: { expected: NEWEST, received: '2099-01' } });
  });

  it('a bad apiVersion option throws WebhookConfigurationError invalid_option naming the valid values', () => {
    for (const bad of ['2026-07', 'latest', 202610, null]) {
      const error = thrown(() => safeParseEvent('{}', { apiVersion: bad as PolarApiVersion }));
      expect(error).toBeInstanceOf(WebhookConfigurationError);
      expect(error).toMatchObject({ code: 'invalid_option', status: 500 });
      for (const version of API_VERSIONS) expect((error as Error).message).toContain(`'${version}'`);
    }
  });

  it('a field Polar added later is optional where the history says older events lack it, and required where Polar always sent it', () => {
    // One of each, read from the spec and the history (not from the generated code).
    const checked = { optional: 0, required: 0 };
    for (const version of API_VERSIONS) {
      const spec = specOf(version);
      const order = fixture('order.paid', version);
      for (const field of spec.$defs.Order.required as string[]) {
        if (!(field in order.data)) continue;
        const { [field]: _dropped, ...rest } = order.data;
        const result = safeParseEvent({ ...order, data: rest });
        const required = requiredByHistory(version, 'Order', field);
        expect(result.success, `${version} Order.${field}`).toBe(!required);
        checked[required ? 'required' : 'optional'] += 1;
      }
    }
    expect(checked.required).toBeGreaterThan(20);
    expect(checked.optional).toBeGreaterThan(0);
  });

  it('api_version is optional in every version', () => {
    for (const version of API_VERSIONS) {
      const { api_version: _dropped, ...versionless } = fixture('customer.created', version);
      expect(EVENT_SCHEMAS[version]['customer.created'].safeParse(versionless).success).toBe(true);
      expect(safeParseEvent({ ...versionless, api_version: 7 }).success).toBe(false);
    }
  });
});

describe('a payload with many problems', () => {
  it('keeps the first 100 issues, says there are more, and does not walk the rest', () => {
    const payload = fixture('order.paid');
    payload.data.items = Array.from({ length: 340_000 }, () => ({}));
    const started = performance.now();
    const result = safeParseEvent(payload);
    const elapsed = performance.now() - started;
    expect(result.success).toBe(false);
    if (result.success) return;
    const error = result.error as WebhookPayloadError;
    expect(error.issues).toHaveLength(MAX_ISSUES);
    expect(error.message).toMatch(/and more \(the first 100 are in `error\.issues`\)/);
    // bounded work: a walk of all 340,000 items would take far longer than this generous bound
    expect(elapsed).toBeLessThan(2000);
  });

  it('with zod schemas given, zod explains a rejection (its error is the cause), unless there are more than 100 issues', async () => {
    const { EVENT_SCHEMAS: zodSchemas } = await import('../../src/events/generated/schemas');
    const payload = fixture('order.paid');
    payload.data.total_amount = 'ten';
    const result = safeParseEvent(payload, { zodSchemas });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.cause).toBeDefined();
    expect((result.error.cause as Error).name).toBe('ZodError');
    expect((result.error as WebhookPayloadError).issues).toEqual([
      { path: ['data', 'total_amount'], message: expect.stringMatching(/number/) },
    ]);
    const many = fixture('order.paid');
    many.data.items = Array.from({ length: 50_000 }, () => ({}));
    const bounded = safeParseEvent(many, { zodSchemas });
    expect(bounded.success).toBe(false);
    if (!bounded.success) {
      expect(bounded.error.cause).toBeUndefined();
      expect((bounded.error as WebhookPayloadError).issues).toHaveLength(MAX_ISSUES);
    }
  });
});

describe('safeParseEvent', () => {
  it('returns the event, or the error parseEvent would throw', () => {
    const ok = safeParseEvent(fixtureText(NEWEST, 'refund.created'));
    expect(ok).toEqual({ success: true, event: fixture('refund.created'), apiVersion: NEWEST });
    const bad = safeParseEvent('nope');
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error).toMatchObject({ code: 'invalid_json', payload: 'nope' });
    const unknown = safeParseEvent({ type: 'x.y' });
    expect(!unknown.success && unknown.error).toBeInstanceOf(UnknownEventTypeError);
  });

  it('a hand-built object whose getter throws is an invalid payload, not a crash', () => {
    const payload = fixture('customer.created');
    Object.defineProperty(payload.data, 'email', {
      enumerable: true,
      get() {
        throw new TypeError('a getter threw');
      },
    });
    const result = safeParseEvent(payload);
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error.code).toBe('invalid_payload');
      expect(result.error.cause).toBeInstanceOf(TypeError);
    }
  });
});

describe('untrusted input (fast-check)', () => {
  const onlyTypedErrors = (input: unknown) => {
    try {
      parseEvent(input);
    } catch (error) {
      expect(error).toBeInstanceOf(PolarWebhookError);
      expect([WebhookPayloadError, UnknownEventTypeError].some((E) => error instanceof E)).toBe(true);
      expect((error as PolarWebhookError).status).toBe(202);
    }
  };

  it('any string, any JSON value: an event or a typed 202 error, never anything else', () => {
    fc.assert(fc.property(fc.string(), onlyTypedErrors), { numRuns: 300 });
    fc.assert(fc.property(fc.json(), onlyTypedErrors), { numRuns: 300 });
    fc.assert(fc.property(fc.anything(), onlyTypedErrors), { numRuns: 300 });
  });

  it('any JSON value as the data of a known event, in any version: an event or a typed error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_TYPES),
        fc.constantFrom(...API_VERSIONS),
        fc.jsonValue(),
        (type, version, data) => {
          onlyTypedErrors({ ...fixture(type, version), data });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('fields Polar once sent as null', () => {
  const fixture = (type: string): Record<string, unknown> =>
    JSON.parse(readFileSync(new URL(`../../fixtures/2026-04/${type}.json`, import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;

  it('accept null where the history says Polar sent it (current_period_end until 2026-03, customer type)', () => {
    const subscription = fixture('subscription.updated');
    (subscription.data as Record<string, unknown>).current_period_end = null;
    expect(safeParseEvent(subscription)).toMatchObject({ success: true });
    const customer = fixture('customer.created');
    (customer.data as Record<string, unknown>).type = null;
    expect(safeParseEvent(customer)).toMatchObject({ success: true });
    // Zod agrees with the guards on both.
    expect(EVENT_SCHEMAS['2026-04']['subscription.updated'].safeParse(subscription).success).toBe(true);
    expect(EVENT_SCHEMAS['2026-04']['customer.created'].safeParse(customer).success).toBe(true);
  });

  it('still refuse null where Polar never sent it', () => {
    const subscription = fixture('subscription.updated');
    (subscription.data as Record<string, unknown>).current_period_start = null;
    expect(safeParseEvent(subscription)).toMatchObject({ success: false });
  });
});
