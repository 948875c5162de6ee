import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { PolarWebhookError, UnknownEventTypeError, WebhookPayloadError } from '../../src/errors';
import { EVENT_TYPES } from '../../src/events/catalogue';
import { parseEvent, safeParseEvent } from '../../src/events/parse';

const fixtureText = (type: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', `${type}.json`), 'utf8');
const fixture = (type: string) => JSON.parse(fixtureText(type));

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('parseEvent', () => {
  it.each(EVENT_TYPES)('parses the raw %s body and keeps the wire shape', (type) => {
    const text = fixtureText(type);
    const event = parseEvent(text);
    expect(event.type).toBe(type);
    expect(JSON.parse(JSON.stringify(event))).toEqual(JSON.parse(text));
  });

  it('accepts the body as bytes (Uint8Array or ArrayBuffer) and as an already parsed object', () => {
    const text = fixtureText('order.paid');
    const bytes = new TextEncoder().encode(text);
    const expected = JSON.parse(text);
    expect(parseEvent(bytes)).toEqual(expected);
    expect(parseEvent(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).toEqual(expected);
    expect(parseEvent(expected)).toEqual(expected);
  });

  it('types the data by event type (order.paid → an Order with cents as numbers)', () => {
    const event = parseEvent(fixtureText('order.paid'));
    if (event.type !== 'order.paid') throw new Error('wrong type');
    expect(typeof event.data.total_amount).toBe('number');
    expect(event.data.customer.email).toBe('ada.lindqvist@example.com');
  });

  it('subscription.migrated carries provider and provider_subscription_id at the top level, both required', () => {
    const event = parseEvent(fixtureText('subscription.migrated'));
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

  it('a schema failure: invalid_payload naming the type and the first paths, with every issue listed', () => {
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
    expect(error.message).toMatch(/and 2 more/);
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

  it('does not let a "__proto__" key reach Object.prototype', () => {
    const text = fixtureText('customer.created').replace(
      '"metadata": {',
      '"metadata": { "__proto__": { "polluted": "yes" },',
    );
    const event = parseEvent(text);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
  });
});

describe('safeParseEvent', () => {
  it('returns the event, or the error parseEvent would throw', () => {
    const ok = safeParseEvent(fixtureText('refund.created'));
    expect(ok).toEqual({ success: true, event: fixture('refund.created') });
    const bad = safeParseEvent('nope');
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error).toMatchObject({ code: 'invalid_json', payload: 'nope' });
    const unknown = safeParseEvent({ type: 'x.y' });
    expect(!unknown.success && unknown.error).toBeInstanceOf(UnknownEventTypeError);
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

  it('any JSON value as the data of a known event: an event or a typed error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), fc.jsonValue(), (type, data) => {
        onlyTypedErrors({ ...fixture(type), data });
      }),
      { numRuns: 200 },
    );
  });
});
