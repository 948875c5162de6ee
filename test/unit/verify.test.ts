import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  WebhookConfigurationError,
  WebhookVerificationError,
  type WebhookConfigurationErrorCode,
  type WebhookVerificationErrorCode,
} from '../../src/errors';
import {
  verifySignature,
  verifySignatureAsync,
  verifyWithWebCrypto,
  type VerifyOptions,
} from '../../src/verify/verify';
import type { WebhookHeaders } from '../../src/verify/headers';
import { delivery, keyOf, legacyPolarSecret, legacyWhsecSecret, sign, standardSecret } from '../helpers/deliveries';

type Verify = typeof verifySignature;
type Args = Parameters<Verify>;

const CONFIGURATION_CODES: ReadonlySet<string> = new Set<WebhookConfigurationErrorCode>([
  'invalid_secret',
  'invalid_option',
  'unsupported_runtime',
  'body_already_parsed',
  'invalid_body',
]);

const reached = new Set<WebhookVerificationErrorCode | WebhookConfigurationErrorCode>();

/** Runs the three implementations and checks they agree; returns the common outcome. */
async function outcome(
  ...args: Args
): Promise<{ ok: true; id: string; scheme: string; secretIndex: number } | { ok: false; code: string }> {
  const results = [];
  for (const run of [
    async () => verifySignature(...args),
    () => verifySignatureAsync(...args),
    () => verifyWithWebCrypto(...args),
  ]) {
    try {
      const r = await run();
      results.push({ ok: true as const, id: r.id, scheme: r.scheme, secretIndex: r.secretIndex });
    } catch (error) {
      // A delivery that is not proven genuine and a set-up problem are told apart by class.
      const e = error as WebhookVerificationError | WebhookConfigurationError;
      expect(e).toBeInstanceOf(CONFIGURATION_CODES.has(e.code) ? WebhookConfigurationError : WebhookVerificationError);
      expect(e.message.length).toBeGreaterThan(20);
      reached.add(e.code);
      results.push({ ok: false as const, code: e.code });
    }
  }
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
  return results[0]!;
}

async function code(...args: Args): Promise<string> {
  const r = await outcome(...args);
  return r.ok ? 'ok' : r.code;
}

describe('Standard Webhooks conformance (vectors of the reference libraries)', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = '1614265330';
  const body = '{"test": 2432232314}';
  const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const now = new Date(1614265330 * 1000);
  const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': expected };

  it('the published signature is what HMAC-SHA256 of the spec gives', () => {
    expect(sign(keyOf(secret, 'standard'), id, timestamp, body)).toBe(expected);
  });

  it('verifies the published vector, with and without the whsec_ prefix', async () => {
    expect(await outcome(body, headers, secret, { now })).toMatchObject({ ok: true, id, scheme: 'standard' });
    expect(await code(body, headers, 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', { now })).toBe('ok');
    expect(await code(body, headers, 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', { now, scheme: 'standard' })).toBe('ok');
  });

  it('accepts a list of signatures with other versions among them', async () => {
    const signature = [
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      expected,
      'v1a,abc',
    ].join(' ');
    expect(await code(body, { ...headers, 'webhook-signature': signature }, secret, { now })).toBe('ok');
  });

  it('accepts a signature without base64 padding', async () => {
    expect(await code(body, { ...headers, 'webhook-signature': expected.slice(0, -1) }, secret, { now })).toBe('ok');
  });

  it('rejects invalid, partial and empty signatures', async () => {
    expect(await code(body, { ...headers, 'webhook-signature': 'v1,dawfeoifkpqwoekfpqoekf' }, secret, { now })).toBe(
      'no_matching_signature',
    );
    expect(await code(body, { ...headers, 'webhook-signature': expected.slice(0, 8) }, secret, { now })).toBe(
      'no_matching_signature',
    );
    expect(await code(body, { ...headers, 'webhook-signature': 'v1,' }, secret, { now })).toBe('malformed_header');
    expect(await code(body, { ...headers, 'webhook-signature': 'garbage' }, secret, { now })).toBe('malformed_header');
    expect(await code(body, { ...headers, 'webhook-signature': 'v2,' + expected.slice(3) }, secret, { now })).toBe(
      'no_matching_signature',
    );
  });

  it('rejects missing headers, naming them', async () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const partial: Record<string, string> = { ...headers };
      delete partial[name];
      expect(await code(body, partial, secret, { now })).toBe('missing_header');
      expect(() => verifySignature(body, partial, secret, { now })).toThrow(name);
    }
    expect(await code(body, { ...headers, 'webhook-id': '' }, secret, { now })).toBe('missing_header');
  });

  it('rejects a non-numeric timestamp', async () => {
    expect(await code(body, { ...headers, 'webhook-timestamp': 'hello' }, secret, { now })).toBe('malformed_timestamp');
  });
});

describe("Polar's two key schemes", () => {
  const cases = [
    { name: 'legacy polar_whs_ secret', secret: legacyPolarSecret(), scheme: 'legacy' as const },
    { name: 'legacy whsec_ secret (whole string is the key)', secret: legacyWhsecSecret(), scheme: 'legacy' as const },
    { name: 'standard whsec_ secret (base64 key)', secret: standardSecret(), scheme: 'standard' as const },
  ];

  for (const c of cases) {
    it(`${c.name}: verifies in auto mode and reports the scheme`, async () => {
      const d = delivery(c.secret, c.scheme);
      expect(await outcome(d.body, d.headers, c.secret)).toEqual({
        ok: true,
        id: d.id,
        scheme: c.scheme,
        secretIndex: 0,
      });
      expect(await code(d.body, d.headers, c.secret, { scheme: c.scheme })).toBe('ok');
    });

    it(`${c.name}: fails under the other scheme`, async () => {
      const d = delivery(c.secret, c.scheme);
      const other = c.scheme === 'legacy' ? 'standard' : 'legacy';
      const result = await code(d.body, d.headers, c.secret, { scheme: other });
      // A legacy secret that is not base64 cannot even yield a standard key.
      expect(['no_matching_signature', 'invalid_secret']).toContain(result);
    });
  }

  it('the legacy whsec_ trap: its remainder decodes as base64, yet only the whole-string key is right', async () => {
    // A 43-character remainder from the base64 alphabet decodes to 32 bytes: a generic library uses the wrong key.
    let secret = legacyWhsecSecret();
    while (/[-_]/.test(secret.slice(6))) secret = legacyWhsecSecret();
    expect(Buffer.from(secret.slice(6), 'base64').length).toBe(32);
    const d = delivery(secret, 'legacy');
    expect(await outcome(d.body, d.headers, secret)).toMatchObject({ ok: true, scheme: 'legacy' });
    expect(await code(d.body, d.headers, secret, { scheme: 'standard' })).toBe('no_matching_signature');
  });

  it('a polar_whs_ secret under scheme "standard" is an invalid_secret with a hint', () => {
    const secret = legacyPolarSecret();
    const d = delivery(secret, 'legacy');
    expect(() => verifySignature(d.body, d.headers, secret, { scheme: 'standard' })).toThrow(/legacy/);
  });

  it('learns which key matched: a second delivery with the same secret still verifies, for both schemes', async () => {
    const secret = standardSecret();
    for (const scheme of ['legacy', 'standard', 'legacy'] as const) {
      const d = delivery(secret, scheme);
      expect(await outcome(d.body, d.headers, secret)).toMatchObject({ ok: true, scheme });
    }
  });
});

describe('secret rotation', () => {
  it('any secret of the list may match, and the index says which', async () => {
    const oldSecret = legacyPolarSecret();
    const newSecret = standardSecret();
    const oldDelivery = delivery(oldSecret, 'legacy');
    const newDelivery = delivery(newSecret, 'standard');
    expect(await outcome(oldDelivery.body, oldDelivery.headers, [newSecret, oldSecret])).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
    expect(await outcome(newDelivery.body, newDelivery.headers, [newSecret, oldSecret])).toMatchObject({
      ok: true,
      secretIndex: 0,
    });
    const stranger = delivery(standardSecret(), 'standard');
    expect(await code(stranger.body, stranger.headers, [newSecret, oldSecret])).toBe('no_matching_signature');
  });

  it('an empty list, or a bad entry, is an invalid_secret naming its index', async () => {
    const d = delivery(standardSecret(), 'standard');
    expect(await code(d.body, d.headers, [])).toBe('invalid_secret');
    expect(() => verifySignature(d.body, d.headers, [standardSecret(), ' whsec_x '])).toThrow(/index 1/);
  });
});

describe('secret mistakes are errors with a hint, never a silent mismatch', () => {
  const d = delivery(standardSecret(), 'standard');
  const bad: [string, unknown, RegExp][] = [
    ['empty', '', /empty/],
    ['trailing newline', 'whsec_abc\n', /whitespace/],
    ['leading space', ' whsec_abc', /whitespace/],
    ['double quotes', '"whsec_abc"', /quotes/],
    ['single quotes', "'whsec_abc'", /quotes/],
    ['undefined', undefined, /must be a string/],
    ['a number', 42, /must be a string/],
  ];
  for (const [name, secret, message] of bad) {
    it(name, async () => {
      expect(await code(d.body, d.headers, secret as string)).toBe('invalid_secret');
      expect(() => verifySignature(d.body, d.headers, secret as string)).toThrow(message);
      try {
        verifySignature(d.body, d.headers, secret as string);
      } catch (e) {
        expect((e as WebhookVerificationError).status).toBe(500);
      }
    });
  }
  it('an unknown scheme option is invalid_option', async () => {
    expect(await code(d.body, d.headers, standardSecret(), { scheme: 'hex' } as unknown as VerifyOptions)).toBe(
      'invalid_option',
    );
  });
});

describe('placeholder secrets: refused, because their HMAC key is public', () => {
  const d = delivery(standardSecret(), 'standard');
  for (const placeholder of [
    'whsec_...',
    'whsec_',
    'polar_whs_',
    'whsec_x',
    'x',
    `whsec_${'x'.repeat(43)}`,
    `whsec_${'A'.repeat(40)}=`,
    'whsec_your_webhook_secret_here_from_the_dashboard',
    'whsec_<paste the secret of your endpoint in the dashboard>',
    'test-secret',
  ]) {
    it(JSON.stringify(placeholder), async () => {
      expect(await code(d.body, d.headers, placeholder)).toBe('invalid_secret');
      expect(() => verifySignature(d.body, d.headers, placeholder)).toThrow(/too short or looks like a placeholder/);
      // The message never repeats the secret itself, only its prefix and length.
      expect(() => verifySignature(d.body, d.headers, placeholder)).toThrow(
        /polar listen.*organization's id without dashes/,
      );
    });
  }

  it('accepts the secret `polar listen` signs with: the organization id without dashes, legacy key', async () => {
    const secret = randomUUID().replace(/-/g, '');
    const local = delivery(secret, 'legacy');
    expect(await outcome(local.body, local.headers, secret)).toMatchObject({ ok: true, scheme: 'legacy' });
  });

  it('accepts real secrets of every kind, however their random characters fall', async () => {
    for (const secret of [standardSecret(), legacyWhsecSecret(), legacyPolarSecret()]) {
      const scheme = secret.startsWith('polar_whs_') || secret.length === 49 ? 'legacy' : 'standard';
      const real = delivery(secret, scheme);
      expect(await outcome(real.body, real.headers, secret)).toMatchObject({ ok: true });
    }
  });
});

describe('the key cache', () => {
  it('never lets a secret reach the keys another scheme derived for another secret', async () => {
    // "legacy\0S" under auto and S under legacy once shared one cache slot.
    const s = legacyPolarSecret();
    const crafted = `legacy\u0000${s}`;
    const signedWithS = delivery(s, 'legacy');
    expect(await outcome(signedWithS.body, signedWithS.headers, s, { scheme: 'legacy' })).toMatchObject({ ok: true });
    expect(await code(signedWithS.body, signedWithS.headers, crafted)).toBe('no_matching_signature');
    const signedWithCrafted = delivery(crafted, 'legacy');
    expect(await outcome(signedWithCrafted.body, signedWithCrafted.headers, crafted)).toMatchObject({ ok: true });
    expect(await code(signedWithCrafted.body, signedWithCrafted.headers, s, { scheme: 'legacy' })).toBe(
      'no_matching_signature',
    );
  });
});

describe('header values that are not text', () => {
  const secret = standardSecret();
  const d = delivery(secret, 'standard');
  const cases: [string, WebhookHeaders][] = [
    ['a number', { ...d.headers, 'webhook-signature': 123 as unknown as string }],
    ['NaN', { ...d.headers, 'webhook-timestamp': Number.NaN as unknown as string }],
    ['an object', { ...d.headers, 'webhook-id': { id: 'x' } as unknown as string }],
    ['an array holding a number', { ...d.headers, 'webhook-id': ['a', 1] as unknown as string[] }],
    ['null', { ...d.headers, 'webhook-signature': null as unknown as string }],
    [
      'a get() that returns an array of different values',
      { get: (name: string) => [d.headers[name], 'other'] as never },
    ],
    [
      'a get() that returns a number',
      { get: (name: string) => (name === 'webhook-id' ? 7 : d.headers[name]) as string },
    ],
  ];
  for (const [name, headers] of cases) {
    it(`${name}: a typed malformed_header, not a TypeError`, async () => {
      expect(await code(d.body, headers, secret)).toBe('malformed_header');
      expect(() => verifySignature(d.body, headers, secret)).toThrow(WebhookVerificationError);
    });
  }
  it('a get() that returns one value in an array is read as that value', async () => {
    const headers = { get: (name: string) => (d.headers[name] === undefined ? null : [d.headers[name]]) } as never;
    expect(await outcome(d.body, headers, secret)).toMatchObject({ ok: true, id: d.id });
  });
});

describe('option names', () => {
  const secret = standardSecret();
  const d = delivery(secret, 'standard');
  it('a misspelt option is invalid_option naming the option it probably meant', async () => {
    const options = { tolerence: 600 } as unknown as VerifyOptions;
    expect(await code(d.body, d.headers, secret, options)).toBe('invalid_option');
    expect(() => verifySignature(d.body, d.headers, secret, options)).toThrow(
      /verifySignature\(\): unknown option "tolerence"\. Did you mean "tolerance"\?/,
    );
    expect(() => verifySignature(d.body, d.headers, secret, { Scheme: 'legacy' } as never)).toThrow(/"scheme"/);
    expect(() => verifySignature(d.body, d.headers, secret, { zzz: 1 } as never)).toThrow(
      /unknown option "zzz"\. Its options are: scheme, tolerance, now/,
    );
    expect(() => verifySignature(d.body, d.headers, secret, 'fast' as never)).toThrow(/options must be an object/);
  });
});

describe('timestamp tolerance', () => {
  const secret = standardSecret();
  const at = 1_800_000_000;
  const now = new Date(at * 1000);

  it('accepts exactly ±300 s and rejects 301 s either way', async () => {
    for (const offset of [-300, -1, 0, 1, 300]) {
      const d = delivery(secret, 'standard', undefined, { timestamp: at + offset });
      expect(await code(d.body, d.headers, secret, { now })).toBe('ok');
    }
    const old = delivery(secret, 'standard', undefined, { timestamp: at - 301 });
    expect(await code(old.body, old.headers, secret, { now })).toBe('timestamp_too_old');
    const future = delivery(secret, 'standard', undefined, { timestamp: at + 301 });
    expect(await code(future.body, future.headers, secret, { now })).toBe('timestamp_too_new');
  });

  it('honours a custom tolerance, and a fractional clock', async () => {
    const d = delivery(secret, 'standard', undefined, { timestamp: at - 10 });
    expect(await code(d.body, d.headers, secret, { now, tolerance: 10 })).toBe('ok');
    expect(await code(d.body, d.headers, secret, { now, tolerance: 9 })).toBe('timestamp_too_old');
    expect(await code(d.body, d.headers, secret, { now: new Date(at * 1000 + 999), tolerance: 10 })).toBe('ok');
  });

  it('uses the real clock by default', async () => {
    const fresh = delivery(secret, 'standard');
    expect(await code(fresh.body, fresh.headers, secret)).toBe('ok');
    const stale = delivery(secret, 'standard', undefined, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await code(stale.body, stale.headers, secret)).toBe('timestamp_too_old');
  });

  it('rejects timestamps that are not plain digits', async () => {
    for (const ts of ['-1800000000', '1800000000.5', '1e9', ' 1800000000', '0x6B49D200', '', '１８００']) {
      const d = delivery(secret, 'standard', undefined, { timestamp: at });
      const headers = { ...d.headers, 'webhook-timestamp': ts };
      expect(await code(d.body, headers, secret, { now })).toBe(ts === '' ? 'missing_header' : 'malformed_timestamp');
    }
  });

  it('recognises a timestamp in milliseconds and says so', async () => {
    const d = delivery(secret, 'standard', undefined, { timestamp: at * 1000 });
    expect(await code(d.body, d.headers, secret, { now })).toBe('malformed_timestamp');
    expect(() => verifySignature(d.body, d.headers, secret, { now })).toThrow(/milliseconds/);
  });

  it('refuses a tolerance or clock that would disable the check', async () => {
    const d = delivery(secret, 'standard', undefined, { timestamp: at });
    for (const tolerance of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(await code(d.body, d.headers, secret, { now, tolerance })).toBe('invalid_option');
    }
    expect(await code(d.body, d.headers, secret, { now: new Date('nope') })).toBe('invalid_option');
  });
});

describe('every header shape', () => {
  const secret = standardSecret();
  const d = delivery(secret, 'standard');

  it('Fetch Headers', async () => {
    expect(await code(d.body, new Headers(d.headers), secret)).toBe('ok');
  });

  it('Node IncomingHttpHeaders, with array values', async () => {
    const node = {
      host: '127.0.0.1',
      'webhook-id': [d.id],
      'webhook-timestamp': d.headers['webhook-timestamp'],
      'webhook-signature': ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', d.headers['webhook-signature']!],
    };
    expect(await code(d.body, node, secret)).toBe('ok');
  });

  it('conflicting repeated id values are malformed', async () => {
    expect(await code(d.body, { ...d.headers, 'webhook-id': [d.id, 'msg_other'] }, secret)).toBe('malformed_header');
  });

  it('plain records in any letter case', async () => {
    const upper = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toUpperCase(), v]));
    const title = {
      'Webhook-Id': d.id,
      'Webhook-Timestamp': d.headers['webhook-timestamp'],
      'Webhook-Signature': d.headers['webhook-signature'],
    };
    expect(await code(d.body, upper, secret)).toBe('ok');
    expect(await code(d.body, title, secret)).toBe('ok');
  });

  it('svix-* aliases, in a record and in Headers', async () => {
    const svix = {
      'svix-id': d.id,
      'svix-timestamp': d.headers['webhook-timestamp']!,
      'svix-signature': d.headers['webhook-signature']!,
    };
    expect(await code(d.body, svix, secret)).toBe('ok');
    expect(await code(d.body, new Headers(svix), secret)).toBe('ok');
  });

  it('a Map (any object with get)', async () => {
    expect(await code(d.body, new Map(Object.entries(d.headers)), secret)).toBe('ok');
  });

  it('headers lost by spreading a Headers object give a missing_header error that explains it', async () => {
    const spread = { ...new Headers(d.headers) } as unknown as Record<string, string>;
    expect(await code(d.body, spread, secret)).toBe('missing_header');
    expect(() => verifySignature(d.body, spread, secret)).toThrow(/\.\.\.headers|Object\.entries/);
    expect(await code(d.body, null as unknown as Headers, secret)).toBe('missing_header');
  });
});

describe('every body shape', () => {
  const secret = standardSecret();
  const text = '{"type":"order.paid","data":{"name":"Zoë ☕ 𝄞","amount":10.0}}';
  const d = delivery(secret, 'standard', text);
  const bytes = new TextEncoder().encode(text);

  it('string, Buffer, Uint8Array, ArrayBuffer, an offset view, and a DataView', async () => {
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    for (const body of [text, Buffer.from(text), bytes, bytes.buffer.slice(0), padded.subarray(4, 4 + bytes.length)]) {
      expect(await code(body, d.headers, secret)).toBe('ok');
    }
    const view = new DataView(padded.buffer, 4, bytes.length) as unknown as Uint8Array;
    expect(await code(view, d.headers, secret)).toBe('ok');
  });

  it('a body whose bytes differ (re-serialized JSON) does not verify', async () => {
    const reserialized = JSON.stringify(JSON.parse(text));
    expect(reserialized).not.toBe(text);
    expect(await code(reserialized, d.headers, secret)).toBe('no_matching_signature');
  });

  it('an already-parsed object is body_already_parsed, with the framework fixes in the message', async () => {
    const parsed = JSON.parse(text) as unknown as string;
    expect(await code(parsed, d.headers, secret)).toBe('body_already_parsed');
    expect(() => verifySignature(parsed, d.headers, secret)).toThrow(/express\.raw|bodyParser/);
  });

  it('undefined, null and numbers are invalid_body', async () => {
    for (const body of [undefined, null, 42]) {
      expect(await code(body as unknown as string, d.headers, secret)).toBe('invalid_body');
    }
  });
});

describe('runtimes without node:crypto', () => {
  it('the sync functions throw unsupported_runtime naming the async variant; the async ones use Web Crypto', async () => {
    const secret = standardSecret();
    const d = delivery(secret, 'standard');
    const proc = globalThis.process as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    vi.resetModules();
    proc.getBuiltinModule = undefined;
    try {
      const fresh = await import('../../src/verify/verify');
      expect(() => fresh.verifySignature(d.body, d.headers, secret)).toThrow(/verifySignatureAsync/);
      try {
        fresh.verifySignature(d.body, d.headers, secret);
      } catch (e) {
        expect(e).toMatchObject({ code: 'unsupported_runtime', status: 500 });
        reached.add('unsupported_runtime');
      }
      await expect(fresh.verifySignatureAsync(d.body, d.headers, secret)).resolves.toMatchObject({ id: d.id });
    } finally {
      proc.getBuiltinModule = original;
      vi.resetModules();
    }
  });
});

afterAll(() => {
  // Every verification error code is reached by at least one test above.
  const all: (WebhookVerificationErrorCode | WebhookConfigurationErrorCode)[] = [
    'missing_header',
    'malformed_header',
    'malformed_timestamp',
    'timestamp_too_old',
    'timestamp_too_new',
    'no_matching_signature',
    'invalid_secret',
    'body_already_parsed',
    'invalid_body',
    'invalid_option',
    'unsupported_runtime',
  ];
  expect([...reached].sort()).toEqual([...all].sort());
});
