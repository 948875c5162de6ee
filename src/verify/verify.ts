import type * as NodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { encodeBase64 } from './base64';
import { readBody } from './body';
import { readDeliveryHeaders, type WebhookHeaders } from './headers';
import { nodeCrypto } from './hmac-node';
import { checkVerifyOptions, VERIFY_OPTION_NAMES } from './options';
import { keysFor, promote, readSecrets, type CandidateKey, type SecretKeys, type SecretScheme } from './secret';
import { constantTimeEqual, noMatchingSignature, readSignatures } from './signature';
import { checkTimestamp, readNow, readTolerance } from './timestamp';

export { VERIFY_OPTION_NAMES } from './options';

/** The raw request body, byte for byte as received. A Node `Buffer` is a `Uint8Array`. */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** One secret, or several during a rotation (any of them may match). */
export type WebhookSecret = string | readonly string[];

/** Options of {@link verifySignature} and {@link verifySignatureAsync}. */
export interface VerifyOptions {
  /**
   * Which of Polar's key schemes to try for each secret. Default `'auto'`: both, since a secret
   * does not say which scheme its endpoint signs with. See {@link SecretScheme}.
   */
  scheme?: SecretScheme;
  /** How far, in seconds, the delivery's timestamp may be from the clock, either way. Default 300. */
  tolerance?: number;
  /** The clock to verify against (for tests, or re-verifying a stored delivery). Default: now. */
  now?: Date;
}

/** What a successful verification proves about the delivery. */
export interface VerifiedDelivery {
  /** The `webhook-id` header: the same on every retry of an event, so use it as the idempotency key. */
  readonly id: string;
  /** When Polar sent this attempt (the `webhook-timestamp` header). */
  readonly timestamp: Date;
  /** Which key scheme matched: useful to confirm an endpoint's scheme. */
  readonly scheme: 'standard' | 'legacy';
  /** Index of the secret that matched, in the list given (0 for a single secret): tells when an old secret can go. */
  readonly secretIndex: number;
}

interface Prepared {
  /** The candidate keys of each secret, in the order the secrets were given. */
  readonly entries: readonly SecretKeys[];
  readonly body: string | Uint8Array;
  readonly id: string;
  readonly timestampRaw: string;
  readonly seconds: number;
  readonly signatures: string[];
  /** `${id}.${timestamp}.${body}` for a string body, made on first use and shared by every key tried. */
  signedText?: string;
}

/** Who is verifying: the public function's name, for messages, and the option names it knows. */
export interface VerifyCaller {
  readonly name: string;
  readonly optionNames: ReadonlySet<string>;
}

const VERIFY_CALLER: VerifyCaller = { name: 'verifySignature', optionNames: VERIFY_OPTION_NAMES };
const VERIFY_ASYNC_CALLER: VerifyCaller = { name: 'verifySignatureAsync', optionNames: VERIFY_OPTION_NAMES };

function prepare(
  body: unknown,
  headers: WebhookHeaders,
  secret: unknown,
  options: VerifyOptions | undefined,
  caller: VerifyCaller,
): Prepared {
  if (options !== undefined) checkVerifyOptions(options, `${caller.name}()`, caller.optionNames);
  const { secrets, scheme } = readSecrets(secret, options?.scheme);
  const entries: SecretKeys[] = [];
  for (let i = 0; i < secrets.length; i++) {
    entries.push(keysFor(secrets[i] as string, scheme, secrets.length > 1 ? ` at index ${i}` : ''));
  }
  const tolerance = readTolerance(options?.tolerance);
  const nowMs = readNow(options?.now);
  const raw = readBody(body);
  const { id, timestamp, signature } = readDeliveryHeaders(headers);
  const seconds = checkTimestamp(timestamp, nowMs, tolerance);
  return { entries, body: raw, id, timestampRaw: timestamp, seconds, signatures: readSignatures(signature) };
}

/**
 * The base64 HMAC-SHA256 of a delivery's signed content under one key: synchronous on node:crypto,
 * a promise on Web Crypto. The matching loop below is the same for both.
 */
type Digest = (key: CandidateKey, p: Prepared) => string | Promise<string>;

/**
 * Tries every candidate key of every secret, in order, against every `v1` signature of the header,
 * in constant time. Stays synchronous as long as `digest` is; resumes where it stopped when a digest
 * is a promise.
 */
function match(p: Prepared, digest: Digest, from = 0, fromKey = 0): VerifiedDelivery | Promise<VerifiedDelivery> {
  for (let s = from; s < p.entries.length; s++) {
    const entry = p.entries[s] as SecretKeys;
    const keys = entry.keys;
    for (let k = s === from ? fromKey : 0; k < keys.length; k++) {
      const key = keys[k] as CandidateKey;
      const computed = digest(key, p);
      if (typeof computed !== 'string') {
        return computed.then((text) => matchedBy(text, p, entry, k, s) ?? match(p, digest, s, k + 1));
      }
      const found = matchedBy(computed, p, entry, k, s);
      if (found !== undefined) return found;
    }
  }
  throw noMatchingSignature(p.entries.length, p.signatures.length);
}

/** The verified delivery when `digest` equals one of the signatures, else `undefined`. */
function matchedBy(digest: string, p: Prepared, entry: SecretKeys, k: number, s: number): VerifiedDelivery | undefined {
  for (const signature of p.signatures) {
    if (constantTimeEqual(digest, signature)) {
      const key = entry.keys[k] as CandidateKey;
      promote(entry, k);
      return { id: p.id, timestamp: new Date(p.seconds * 1000), scheme: key.scheme, secretIndex: s };
    }
  }
  return undefined;
}

function nodeDigest(crypto: typeof NodeCrypto): Digest {
  return (key, p) => {
    const nodeKey = (key.nodeKey ??= crypto.createSecretKey(key.bytes)) as KeyObject;
    const hmac = crypto.createHmac('sha256', nodeKey);
    if (typeof p.body === 'string') hmac.update((p.signedText ??= `${p.id}.${p.timestampRaw}.${p.body}`));
    else hmac.update(`${p.id}.${p.timestampRaw}.`).update(p.body);
    return hmac.digest('base64');
  };
}

/**
 * The error for a synchronous function called where `node:crypto` is missing: the same message,
 * naming the function and its async variant, wherever it is raised.
 */
export function unsupportedRuntime(what: string): WebhookConfigurationError {
  return new WebhookConfigurationError(
    'unsupported_runtime',
    `${what} is synchronous and needs node:crypto, which this runtime does not provide (Cloudflare Workers without ` +
      `nodejs_compat, Vercel Edge, browsers, Node < 20.16). Use ${what}Async instead: it runs on Web Crypto everywhere.`,
  );
}

/**
 * Verifies that a delivery was signed by Polar, synchronously, on `node:crypto`.
 *
 * Checks, in order: the options, the secret(s), the body's type, the three `webhook-*` headers (or
 * their `svix-*` aliases), the timestamp against the tolerance, then each `v1` signature against
 * every candidate key of every secret, in constant time.
 *
 * @param body - The raw request body, exactly as received (never re-serialized JSON).
 * @param headers - The request headers: a Fetch `Headers`, Node's `req.headers`, or a plain record.
 * @param secret - The endpoint's secret from the Polar dashboard, or a list during a rotation.
 * @returns The webhook id (idempotency key), the timestamp, and which key matched.
 * @throws {@link WebhookVerificationError} (400/403) when the delivery is not proven to come from Polar;
 *   {@link WebhookConfigurationError} (500) when the secret, an option, the body's type or the runtime is wrong.
 *
 * @example
 * ```ts
 * import { verifySignature } from 'polar-webhooks';
 *
 * const { id } = verifySignature(rawBody, req.headers, process.env.POLAR_WEBHOOK_SECRET!);
 * ```
 */
export function verifySignature(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): VerifiedDelivery {
  return verifyWithNodeCrypto(body, headers, secret, options, VERIFY_CALLER);
}

/**
 * {@link verifySignature} on behalf of another public function (`validateEvent`), whose name the
 * messages carry and whose option names are accepted.
 *
 * @internal
 */
export function verifyWithNodeCrypto(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options: VerifyOptions | undefined,
  caller: VerifyCaller,
): VerifiedDelivery {
  const crypto = nodeCrypto();
  if (crypto === undefined) throw unsupportedRuntime(caller.name);
  return match(prepare(body, headers, secret, options, caller), nodeDigest(crypto)) as VerifiedDelivery;
}

const utf8 = new TextEncoder();

function signedContent(prefix: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return utf8.encode(prefix + body);
  const head = utf8.encode(prefix);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/**
 * The Web Crypto implementation behind {@link verifySignatureAsync}, used as is on runtimes
 * without `node:crypto`. Exposed to the package's own tests so both paths are proven on Node.
 *
 * @internal
 */
export async function verifyWithWebCrypto(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
  caller: VerifyCaller = VERIFY_ASYNC_CALLER,
): Promise<VerifiedDelivery> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) {
    throw new WebhookConfigurationError(
      'unsupported_runtime',
      `${caller.name} needs Web Crypto (globalThis.crypto.subtle) or node:crypto, and this runtime has neither. ` +
        'On Node, use version 20 or later.',
    );
  }
  const p = prepare(body, headers, secret, options, caller);
  const data = signedContent(`${p.id}.${p.timestampRaw}.`, p.body);
  return match(p, async (key) => {
    key.webKey ??= subtle.importKey('raw', key.bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return encodeBase64(new Uint8Array(await subtle.sign('HMAC', await key.webKey, data)));
  });
}

/**
 * Verifies that a delivery was signed by Polar; runs on every runtime. Same contract as
 * {@link verifySignature}, as a Promise. Uses `node:crypto` where the runtime has it (it is
 * several times faster), Web Crypto (`crypto.subtle`, with imported keys cached) elsewhere.
 *
 * @example
 * ```ts
 * import { verifySignatureAsync } from 'polar-webhooks';
 *
 * export default {
 *   async fetch(request: Request, env: { POLAR_WEBHOOK_SECRET: string }) {
 *     const body = await request.text();
 *     const { id } = await verifySignatureAsync(body, request.headers, env.POLAR_WEBHOOK_SECRET);
 *     return new Response(null, { status: 202 });
 *   },
 * };
 * ```
 */
export async function verifySignatureAsync(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): Promise<VerifiedDelivery> {
  return verifyOnAnyRuntime(body, headers, secret, options, VERIFY_ASYNC_CALLER);
}

/**
 * {@link verifySignatureAsync} on behalf of another public function (`validateEventAsync`).
 *
 * @internal
 */
export async function verifyOnAnyRuntime(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options: VerifyOptions | undefined,
  caller: VerifyCaller,
): Promise<VerifiedDelivery> {
  if (nodeCrypto() !== undefined) return verifyWithNodeCrypto(body, headers, secret, options, caller);
  return verifyWithWebCrypto(body, headers, secret, options, caller);
}
