import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { hmacSha256, sha256 } from '../../src/testing/sha256';
import { signPayload } from '../../src/testing/sign';
import { decodeBase64, encodeBase64 } from '../../src/verify/base64';
import { guessScheme } from '../../src/verify/secret';
import { verifySignature } from '../../src/verify/verify';
import { keyOf, legacyPolarSecret, legacyWhsecSecret, sign, standardSecret } from '../helpers/deliveries';

describe('the pure-JS HMAC-SHA256 used where no synchronous crypto exists', () => {
  it('matches node:crypto for SHA-256 on any input, including block boundaries', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      }),
      { numRuns: 300 },
    );
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 128]) {
      const data = new Uint8Array(n).fill(0x61);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('matches node:crypto for HMAC, with keys shorter and longer than a block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, data) => {
        expect(Buffer.from(hmacSha256(key, data)).toString('base64')).toBe(
          createHmac('sha256', key).update(data).digest('base64'),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('base64', () => {
  it('round-trips and agrees with Buffer on valid input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(new Uint8Array(bytes));
        expect(decodeBase64(text.replace(/=+$/, ''))).toEqual(new Uint8Array(bytes));
      }),
    );
  });

  it('rejects characters outside the standard alphabet and impossible lengths', () => {
    for (const bad of ['ab-c', 'ab_c', 'a', 'abcde', 'ab=c', 'ab c', 'é']) expect(decodeBase64(bad)).toBeUndefined();
  });
});

describe('signPayload', () => {
  it('guesses the scheme from the secret the way Polar issues them', () => {
    expect(guessScheme(legacyPolarSecret())).toBe('legacy');
    expect(guessScheme(legacyWhsecSecret())).toBe('legacy');
    expect(guessScheme(standardSecret())).toBe('standard');
  });

  it('signs with the key Polar uses for each kind of secret, checked against node:crypto', () => {
    for (const [secret, scheme] of [
      [legacyPolarSecret(), 'legacy'],
      [legacyWhsecSecret(), 'legacy'],
      [standardSecret(), 'standard'],
    ] as const) {
      const body = '{"type":"order.paid"}';
      const headers = signPayload({ body, secret, id: 'msg_1', timestamp: 1_800_000_000 });
      expect(headers).toEqual({
        'webhook-id': 'msg_1',
        'webhook-timestamp': '1800000000',
        'webhook-signature': sign(keyOf(secret, scheme), 'msg_1', '1800000000', body),
      });
      const forced = scheme === 'legacy' ? 'legacy' : 'standard';
      expect(verifySignature(body, headers, secret, { scheme: forced, now: new Date(1_800_000_000_000) }).scheme).toBe(
        scheme,
      );
    }
  });

  it('an explicit scheme overrides the guess; bytes and strings sign the same', () => {
    const secret = standardSecret();
    const a = signPayload({ body: 'x', secret, id: 'm', timestamp: new Date(1_800_000_000_500), scheme: 'legacy' });
    const b = signPayload({
      body: new TextEncoder().encode('x'),
      secret,
      id: 'm',
      timestamp: 1_800_000_000,
      scheme: 'legacy',
    });
    expect(a).toEqual(b);
    expect(a['webhook-signature']).toBe(sign(keyOf(secret, 'legacy'), 'm', '1800000000', 'x'));
  });

  it('defaults to a fresh id and the current time', () => {
    const secret = standardSecret();
    const a = signPayload({ body: '{}', secret });
    const b = signPayload({ body: '{}', secret });
    expect(a['webhook-id']).toMatch(/^msg_[A-Za-z0-9]+$/);
    expect(a['webhook-id']).not.toBe(b['webhook-id']);
    expect(Math.abs(Number(a['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(verifySignature('{}', a, secret).id).toBe(a['webhook-id']);
  });

  it('refuses a timestamp in milliseconds or a bad secret', () => {
    expect(() => signPayload({ body: '{}', secret: standardSecret(), timestamp: 1.5 })).toThrow(/whole Unix seconds/);
    expect(() => signPayload({ body: '{}', secret: ' whsec_x' })).toThrow(/whitespace/);
  });

  it('signs synchronously without node:crypto, identically', async () => {
    const secret = standardSecret();
    const expected = signPayload({ body: '{"a":1}', secret, id: 'msg_x', timestamp: 1_800_000_000 });
    const proc = globalThis.process as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    vi.resetModules();
    proc.getBuiltinModule = undefined;
    try {
      const fresh = await import('../../src/testing/sign');
      expect(fresh.signPayload({ body: '{"a":1}', secret, id: 'msg_x', timestamp: 1_800_000_000 })).toEqual(expected);
    } finally {
      proc.getBuiltinModule = original;
      vi.resetModules();
    }
  });
});
