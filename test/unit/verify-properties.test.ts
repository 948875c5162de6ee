/**
 * Property-based and differential tests of verification against independent implementations:
 * the Standard Webhooks reference library and Polar's own SDK.
 */
import { webhooks as polarSdk } from '@polar-sh/sdk/2026-10';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { PolarWebhookError, WebhookVerificationError } from '../../src/errors';
import { signPayload } from '../../src/testing/sign';
import { verifySignature, verifySignatureAsync, verifyWithWebCrypto } from '../../src/verify/verify';
import { delivery, legacyPolarSecret, legacyWhsecSecret, standardSecret } from '../helpers/deliveries';

const runs = { numRuns: 150 };
/**
 * Key bytes as Polar makes them: at least 24 (Standard Webhooks secrets hold 24 to 64), and not the
 * degenerate runs (all zeros) that fast-check likes to try, which the secret check refuses as placeholders.
 */
const keyBytesArb = (minLength: number, maxLength: number) =>
  fc
    .uint8Array({ minLength, maxLength })
    .filter((b) => new Set(Buffer.from(b).toString('base64')).size >= 8 && new Set(b).size >= 6);
const secretArb = fc.oneof(
  keyBytesArb(24, 64).map((b) => `whsec_${Buffer.from(b).toString('base64')}`),
  keyBytesArb(24, 48).map((b) => `polar_whs_${Buffer.from(b).toString('base64url')}`),
  keyBytesArb(32, 32).map((b) => `whsec_${Buffer.from(b).toString('base64url')}`),
);
const idArb = fc.stringMatching(/^msg_[A-Za-z0-9]{1,40}$/);
const bodyArb = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.json({ maxDepth: 3 }));

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof PolarWebhookError)) throw e;
    return e.code;
  }
}

async function asyncCodeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof PolarWebhookError)) throw e;
    return e.code;
  }
}

describe('differential: standardwebhooks signs, we verify', () => {
  it('any body, id and time: a Standard Webhooks signature made with the right key verifies', () => {
    fc.assert(
      fc.property(
        keyBytesArb(24, 64),
        idArb,
        bodyArb,
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        (key, id, body, at) => {
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const signature = new Webhook(secret).sign(id, new Date(at * 1000), body);
          const headers = { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signature };
          const result = verifySignature(body, headers, secret, { now: new Date(at * 1000) });
          expect(result.id).toBe(id);
          expect(result.scheme).toBe('standard');
        },
      ),
      runs,
    );
  });

  it('and we sign what standardwebhooks verifies (standard key)', () => {
    fc.assert(
      // The reference verifier also parses the body as JSON.
      fc.property(keyBytesArb(32, 32), idArb, fc.json({ maxDepth: 3 }), (key, id, body) => {
        const secret = `whsec_${Buffer.from(key).toString('base64')}`;
        const headers = signPayload({ body, secret, id, scheme: 'standard' });
        expect(() => new Webhook(secret).verify(body, { ...headers })).not.toThrow();
      }),
      runs,
    );
  });
});

describe("differential: Polar's SDK 1.0.1 accepts what we sign, for every kind of secret", () => {
  it('legacy polar_whs_, legacy whsec_ and standard whsec_ secrets', async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, idArb, fc.string({ maxLength: 200 }), async (secret, id, note) => {
        const body = JSON.stringify({ type: 'order.paid', timestamp: '2026-11-01T00:00:00Z', data: { note } });
        const headers = signPayload({ body, secret, id });
        const event = await polarSdk.validateEvent(body, { ...headers }, secret);
        expect(event.type).toBe('order.paid');
        // And we verify the same delivery.
        expect(verifySignature(body, headers, secret).id).toBe(id);
      }),
      { numRuns: 60 },
    );
  });

  it('our verifier agrees with the SDK on deliveries signed with either key of a whsec_ secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'standard' | 'legacy'>('standard', 'legacy'),
        fc.boolean(),
        async (scheme, tamper) => {
          const secret = scheme === 'standard' ? standardSecret() : legacyWhsecSecret();
          const body = JSON.stringify({ type: 'order.paid', timestamp: '2026-11-01T00:00:00Z', data: {} });
          const d = delivery(secret, scheme, tamper ? `${body} ` : body);
          const sent = tamper ? body : d.body;
          const ours = codeOf(() => verifySignature(sent, d.headers, secret));
          const theirs = await polarSdk.validateEvent(sent, { ...d.headers }, secret).then(
            () => 'ok',
            () => 'rejected',
          );
          expect(ours === 'ok').toBe(theirs === 'ok');
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('tampering: changing any single byte is rejected, every time', () => {
  const secret = standardSecret();
  const at = 1_800_000_000;
  const now = new Date(at * 1000);
  const options = { now, tolerance: 10 ** 12 };

  function mutate(text: string, index: number, replacement: string): string {
    const i = index % text.length;
    const next = text[i] === replacement ? String.fromCharCode(replacement.charCodeAt(0) ^ 1) : replacement;
    return text.slice(0, i) + next + text.slice(i + 1);
  }

  it('body, id, timestamp or signature', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyArb.filter((b) => b.length > 0),
        fc.constantFrom('body', 'webhook-id', 'webhook-timestamp', 'webhook-signature'),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }),
        async (body, field, index, replacement) => {
          const d = delivery(secret, 'standard', body, { timestamp: at });
          const headers = { ...d.headers };
          let sentBody = d.body;
          if (field === 'body') sentBody = mutate(body, index, replacement);
          else if (field === 'webhook-signature') {
            // Mutate the base64 part only, within its alphabet, so the header stays well formed.
            const value = headers[field]!;
            const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
            const pos = 3 + (index % 43);
            const old = value[pos]!;
            const swapped = alphabet[(alphabet.indexOf(old) + 1 + (replacement.charCodeAt(0) % 63)) % 64]!;
            headers[field] = value.slice(0, pos) + swapped + value.slice(pos + 1);
            // The last character carries 2 unused bits in its low end: skip mutations that keep the bytes.
            fc.pre(
              Buffer.from(headers[field]!.slice(3), 'base64').compare(Buffer.from(value.slice(3), 'base64')) !== 0,
            );
          } else headers[field] = mutate(headers[field]!, index, replacement);
          fc.pre(sentBody !== d.body || headers[field] !== d.headers[field]);
          const sync = codeOf(() => verifySignature(sentBody, headers, secret, options));
          const asyncCode = await asyncCodeOf(() => verifySignatureAsync(sentBody, headers, secret, options));
          const web = await asyncCodeOf(() => verifyWithWebCrypto(sentBody, headers, secret, options));
          expect(sync).not.toBe('ok');
          expect(asyncCode).toBe(sync);
          expect(web).toBe(sync);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('untrusted headers never crash the verifier', () => {
  it('arbitrary header values give a WebhookVerificationError, never another exception', async () => {
    const secret = legacyPolarSecret();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          'webhook-id': fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
          'webhook-timestamp': fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.nat().map(String)), {
            nil: undefined,
          }),
          'webhook-signature': fc.option(
            fc.oneof(
              fc.string({ maxLength: 120 }),
              fc.base64String().map((s) => `v1,${s}`),
            ),
            { nil: undefined },
          ),
        }),
        fc.string({ maxLength: 100 }),
        async (headers, body) => {
          for (const run of [
            async () => verifySignature(body, headers, secret),
            () => verifyWithWebCrypto(body, headers, secret),
          ]) {
            await expect(run()).rejects.toBeInstanceOf(WebhookVerificationError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
