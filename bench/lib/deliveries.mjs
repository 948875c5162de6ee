/**
 * The deliveries the benchmark feeds to every contender: payloads from the project's fixtures (plus
 * one large customer.state_changed built from them), the secrets, and signatures made here with
 * node:crypto, independently of the library under test.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../', import.meta.url);

/** The API versions order.paid is measured in (each is read by its own version's schemas). */
export const API_VERSIONS = readdirSync(fileURLToPath(new URL('fixtures/', ROOT)))
  .filter((name) => /^\d{4}-\d{2}$/.test(name))
  .sort();

/** The version of endpoints created without a choice: the oldest. */
export const DEFAULT_VERSION = API_VERSIONS[0];

/**
 * The payloads measured, in table order. `file` is relative to the project root. order.paid in
 * every API version (the targets hold for each); the others in the default version.
 */
export const PAYLOADS = [
  ...API_VERSIONS.map((version) => ({ name: `order.paid ${version}`, file: `fixtures/${version}/order.paid.json` })),
  { name: 'subscription.updated', file: `fixtures/${DEFAULT_VERSION}/subscription.updated.json` },
  { name: 'customer.created', file: `fixtures/${DEFAULT_VERSION}/customer.created.json` },
  {
    name: 'customer.state_changed (large)',
    file: `fixtures/${DEFAULT_VERSION}/customer.state_changed.json`,
    large: true,
  },
];

/** Size the large payload is grown to, in bytes of compact JSON. */
export const LARGE_TARGET_BYTES = 100 * 1024;

/** Deterministic bytes, so every run signs with the same secrets. */
function seededBytes(label, length = 32) {
  return createHash('sha256').update(label).digest().subarray(0, length);
}

/**
 * A Standard Webhooks secret (`whsec_` + padded base64 of 32 bytes), the shape Polar issues since
 * 2026-09-08. Every contender gets this same string and uses the key its own scheme derives from it.
 */
export function standardSecret(label = 'polar-webhooks bench') {
  return `whsec_${seededBytes(label).toString('base64')}`;
}

/** A legacy `polar_whs_` secret (the whole string is the key). */
export function legacyPolarSecret(label) {
  return `polar_whs_${seededBytes(label).toString('base64url')}`;
}

/** A legacy `whsec_` + 43 characters secret (the whole string is the key). */
export function legacyWhsecSecret(label) {
  return `whsec_${seededBytes(label).toString('base64url')}`;
}

/** The HMAC key a secret yields under one of Polar's two schemes. */
export function keyOf(secret, scheme) {
  if (scheme === 'legacy') return Buffer.from(secret, 'utf8');
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** Signs `${id}.${timestamp}.${body}` and returns the three webhook-* headers. */
export function signedHeaders(key, body, id, seconds = Math.floor(Date.now() / 1000)) {
  const timestamp = String(seconds);
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

function readFixture(file) {
  const path = fileURLToPath(new URL(file, ROOT));
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${file} is missing: the benchmark measures the project's fixtures (fixtures/<version>/*.json).`);
  }
  const payload = JSON.parse(text);
  if (payload === null || typeof payload !== 'object' || typeof payload.type !== 'string' || !('data' in payload)) {
    throw new Error(`${file} is not a webhook payload ({ type, timestamp, data }).`);
  }
  return payload;
}

/** A version 4 UUID made from a counter, so copies of a record get distinct, well-formed ids. */
function uuidFor(n) {
  const h = createHash('sha256').update(`bench-${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A deep copy of `record` whose own `id` is fresh (references to other objects are kept). */
function copyWithNewId(record, n) {
  const copy = structuredClone(record);
  if (typeof copy.id === 'string' && UUID.test(copy.id)) copy.id = uuidFor(n);
  return copy;
}

/**
 * Grows a customer.state_changed payload to about `targetBytes` by repeating the customer's
 * active subscriptions, granted benefits and meters (each copy with its own id): the shape of a
 * customer with many subscriptions, still valid for the same schema.
 */
export function growCustomerState(payload, targetBytes = LARGE_TARGET_BYTES) {
  const grown = structuredClone(payload);
  const data = grown.data;
  const lists = ['active_subscriptions', 'granted_benefits', 'active_meters'].filter(
    (key) => Array.isArray(data[key]) && data[key].length > 0,
  );
  if (lists.length === 0) {
    throw new Error(
      'fixtures/customer.state_changed.json has no active_subscriptions, granted_benefits or active_meters to repeat ' +
        'into a large payload: give the fixture at least one of each.',
    );
  }
  const seeds = Object.fromEntries(lists.map((key) => [key, data[key].slice()]));
  let n = 0;
  while (JSON.stringify(grown).length < targetBytes) {
    for (const key of lists) {
      const seed = seeds[key];
      data[key].push(copyWithNewId(seed[n % seed.length], n));
    }
    n++;
  }
  return grown;
}

/** Loads every payload as the compact JSON text Polar sends. */
export function loadPayloads() {
  return PAYLOADS.map(({ name, file, large }) => {
    const payload = large ? growCustomerState(readFixture(file)) : readFixture(file);
    const body = JSON.stringify(payload);
    return { name, type: payload.type, body, bytes: Buffer.byteLength(body) };
  });
}
