import { WebhookConfigurationError } from '../errors';
import { decodeBase64 } from './base64';

/**
 * How a secret string becomes an HMAC key.
 * - `legacy`: the UTF-8 bytes of the whole secret, prefix included (Polar endpoints made before 2026-09-08).
 * - `standard`: base64-decode of what follows `whsec_` (the Standard Webhooks rule; Polar endpoints made since).
 * - `auto`: try both; Polar's secrets do not say which scheme their endpoint signs with.
 */
export type SecretScheme = 'auto' | 'standard' | 'legacy';

/** One HMAC key derived from a secret, with the scheme it came from. */
export interface CandidateKey {
  readonly scheme: 'standard' | 'legacy';
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The key as a node:crypto KeyObject, made on first use. */
  nodeKey?: unknown;
  /** The key imported into Web Crypto, made on first use. */
  webKey?: Promise<CryptoKey>;
}

/** The candidate keys of one secret, most likely first; reordered when another one matches. */
export interface SecretKeys {
  keys: CandidateKey[];
}

const STANDARD_PREFIX = 'whsec_';
const utf8 = new TextEncoder();

function invalid(message: string): WebhookConfigurationError {
  return new WebhookConfigurationError('invalid_secret', message);
}

/** The fewest characters of key material a real Polar secret has (`polar listen` uses 32 hex digits). */
export const MIN_KEY_MATERIAL = 32;

const PREFIXES = [STANDARD_PREFIX, 'polar_whs_'] as const;

/**
 * Text that marks a value copied from documentation or an `.env.example`, never a real secret. Only
 * characters that base64 and hex never contain, and words too long to occur by chance in random key
 * material (about one real secret in 30 million would hold "secret", the shortest of them).
 */
const PLACEHOLDER = /\.\.\.|[<>{}\s]|secret|placeholder|changeme|example/i;

/** What follows the `whsec_` or `polar_whs_` prefix: the part of the secret that holds its entropy. */
function keyMaterial(secret: string): string {
  for (const prefix of PREFIXES) if (secret.startsWith(prefix)) return secret.slice(prefix.length);
  return secret;
}

function distinctCharacters(text: string, enough: number): number {
  const seen = new Set<string>();
  for (const char of text) {
    seen.add(char);
    if (seen.size >= enough) break;
  }
  return seen.size;
}

/**
 * Checks one secret's text: a string, not empty, no surrounding whitespace or quotes, and enough key
 * material to be a real Polar secret. A placeholder (`whsec_...`, a bare prefix, a one-letter test
 * value) would be accepted by the HMAC, and its key is public: anyone could sign deliveries with it.
 */
export function checkSecretText(secret: unknown, where: string): asserts secret is string {
  if (typeof secret !== 'string') {
    throw invalid(
      `The webhook secret${where} must be a string, got ${secret === null ? 'null' : typeof secret}. ` +
        'Read it from your environment, e.g. process.env.POLAR_WEBHOOK_SECRET, and check the variable is set where ' +
        'the app runs. If a build step loads this module without the environment (next build), pass the secret as ' +
        'a function, secret: () => process.env.POLAR_WEBHOOK_SECRET, which is read on the first delivery.',
    );
  }
  if (secret.length === 0) {
    throw invalid(
      `The webhook secret${where} is empty. Copy it from your endpoint's settings in the Polar dashboard ` +
        'into your environment, and check the variable is set where the app runs.',
    );
  }
  if (secret.trim() !== secret) {
    throw invalid(
      `The webhook secret${where} has leading or trailing whitespace (often a newline from a .env file or a shell). ` +
        'Remove it: secrets never contain spaces.',
    );
  }
  const first = secret[0];
  const last = secret[secret.length - 1];
  if ((first === '"' || first === "'" || first === '`') && last === first) {
    throw invalid(
      `The webhook secret${where} is wrapped in quotes (${first}…${last}). Remove them: the quotes were pasted ` +
        'into the value instead of around it.',
    );
  }
  const material = keyMaterial(secret);
  if (material.length < MIN_KEY_MATERIAL || distinctCharacters(material, 8) < 8 || PLACEHOLDER.test(material)) {
    throw invalid(
      `The webhook secret${where} is too short or looks like a placeholder (${describeSecret(secret)}), so its HMAC ` +
        'key would be public and anyone could sign deliveries with it. Copy the real secret of your endpoint from ' +
        'the Polar dashboard (whsec_ followed by 43 or 44 characters, or an older polar_whs_ secret). For local ' +
        "development with Polar's CLI (polar listen), the secret is your organization's id without dashes " +
        '(32 hex digits).',
    );
  }
}

/** A secret shown without revealing it: its prefix and length. */
function describeSecret(secret: string): string {
  const prefix = PREFIXES.find((p) => secret.startsWith(p)) ?? '';
  const rest = secret.length - prefix.length;
  return `${prefix ? `"${prefix}" + ` : ''}${rest} character${rest === 1 ? '' : 's'}`;
}

/**
 * Which scheme a Polar secret most likely uses, from its shape alone: `polar_whs_…` and
 * `whsec_` + 43 characters are legacy; `whsec_` + padded base64 is standard.
 * Only a hint: `auto` verification tries both keys whatever this says.
 */
export function guessScheme(secret: string): 'standard' | 'legacy' {
  if (!secret.startsWith(STANDARD_PREFIX)) return 'legacy';
  const rest = secret.slice(STANDARD_PREFIX.length);
  return rest.length === 43 && !rest.endsWith('=') ? 'legacy' : 'standard';
}

function standardKey(secret: string, scheme: SecretScheme): CandidateKey | undefined {
  const encoded = secret.startsWith(STANDARD_PREFIX) ? secret.slice(STANDARD_PREFIX.length) : secret;
  const bytes = decodeBase64(encoded);
  if (bytes === undefined || bytes.length === 0) {
    if (scheme === 'standard') {
      throw invalid(
        'With scheme "standard" the secret must be "whsec_" followed by base64 (or bare base64), but it does not ' +
          'decode. Polar secrets made before 2026-09-08 (including every "polar_whs_" secret) use the legacy scheme: ' +
          'leave options.scheme out (auto) or set it to "legacy".',
      );
    }
    return undefined;
  }
  return { scheme: 'standard', bytes };
}

function deriveKeys(secret: string, scheme: SecretScheme): SecretKeys {
  const keys: CandidateKey[] = [];
  if (scheme !== 'legacy') {
    const key = standardKey(secret, scheme);
    if (key) keys.push(key);
  }
  if (scheme !== 'standard') {
    const legacy: CandidateKey = { scheme: 'legacy', bytes: utf8.encode(secret) };
    if (scheme === 'auto' && guessScheme(secret) === 'legacy') keys.unshift(legacy);
    else keys.push(legacy);
  }
  return { keys };
}

const CACHE_LIMIT = 64;
/** One cache per scheme, so that no secret string can reach another scheme's slot. */
const caches: Readonly<Record<SecretScheme, Map<string, SecretKeys>>> = {
  auto: new Map(),
  standard: new Map(),
  legacy: new Map(),
};

/**
 * The candidate keys of one secret, derived once and cached (bounded: a process that sees
 * more than a few dozen distinct secrets starts over rather than growing without end).
 */
export function keysFor(secret: string, scheme: SecretScheme, where = ''): SecretKeys {
  const cache = caches[scheme];
  let entry = cache.get(secret);
  if (entry === undefined) {
    checkSecretText(secret, where);
    entry = deriveKeys(secret, scheme);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(secret, entry);
  }
  return entry;
}

/** Moves the key that just matched to the front, so the next delivery tries it first. */
export function promote(entry: SecretKeys, index: number): void {
  if (index === 0) return;
  const keys = entry.keys.slice();
  const [hit] = keys.splice(index, 1);
  keys.unshift(hit as CandidateKey);
  entry.keys = keys;
}

/** Checks the `secret` argument and the `scheme` option, and lists the secrets to try. */
export function readSecrets(secret: unknown, scheme: unknown): { secrets: readonly string[]; scheme: SecretScheme } {
  if (scheme !== undefined && scheme !== 'auto' && scheme !== 'standard' && scheme !== 'legacy') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `options.scheme must be "auto", "standard" or "legacy" (got ${JSON.stringify(scheme)}). Leave it out to try both of Polar's key schemes.`,
    );
  }
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(secrets)) {
    checkSecretText(secret, '');
  } else if (secrets.length === 0) {
    throw invalid(
      'The list of webhook secrets is empty. Pass at least one secret (a list is for rotation: old and new).',
    );
  }
  return { secrets: secrets as readonly string[], scheme: scheme ?? 'auto' };
}
