import { PolarWebhookError, verifySignature, type VerifiedDelivery } from '../index';
import { DIAGNOSE_EXIT, type DiagnoseVerdict } from './exit-codes';
import type { Finding } from './finding';
import { age, describeHeaders, first } from './header-findings';
import { checkPayload, describePayloadCheck, type PayloadCheck } from './payload-check';
import { cleanSecret, describeSecret, whatIsWrongWith } from './secrets';

/** What `diagnose` looks at. */
export interface DiagnoseInput {
  /** The delivery's headers, by lower-case name. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body, byte for byte as the app got it. */
  readonly body: Uint8Array;
  /** The secret, or the secrets of a rotation, as the app has them. */
  readonly secrets: readonly string[];
  /** The clock to check the timestamp against. */
  readonly now: Date;
  /** The timestamp tolerance, in seconds. */
  readonly tolerance: number;
  /** The key scheme the app pins, or `auto`. */
  readonly scheme: 'auto' | 'legacy' | 'standard';
  /** The API version the endpoint is set to, when known. */
  readonly apiVersion: string | undefined;
}

/** What `diagnose` concluded. */
export interface Diagnosis {
  readonly verdict: DiagnoseVerdict;
  readonly exitCode: number;
  /** The likely cause, in one sentence. */
  readonly cause: string;
  /** What to do about it, when something is wrong. */
  readonly fix: string | undefined;
  readonly headers: readonly Finding[];
  readonly signature: readonly Finding[];
  readonly payload: readonly Finding[];
  /** Which key matched, when one did (as received, or once the cause is undone). */
  readonly match:
    | {
        readonly scheme: 'legacy' | 'standard';
        readonly secretIndex: number;
        /** What had to be undone for it to match; `undefined` when the delivery verified as it is. */
        readonly after: string | undefined;
      }
    | undefined;
  /** The payload check. */
  readonly validation: PayloadCheck | undefined;
}

type Attempt = { ok: true; result: VerifiedDelivery } | { ok: false; error: PolarWebhookError };

function attempt(
  body: Uint8Array | string,
  headers: DiagnoseInput['headers'],
  secrets: readonly string[],
  options: { now: Date; tolerance: number; scheme: DiagnoseInput['scheme'] },
): Attempt {
  try {
    const secret = secrets.length === 1 ? (secrets[0] as string) : secrets;
    return { ok: true, result: verifySignature(body, headers as Record<string, string>, secret, options) };
  } catch (error) {
    if (error instanceof PolarWebhookError) return { ok: false, error };
    throw error;
  }
}

const HEADER_CODES = new Set(['missing_header', 'malformed_header', 'malformed_timestamp']);
const PROBE_SECRET = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIXES = ['whsec_', 'polar_whs_'];

/** Organization ids a payload carries: `polar listen` signs with one of them, without dashes. */
function organizationIds(payload: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, depth: number): void => {
    if (depth > 4 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 20)) walk(item, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key === 'organization_id' && typeof item === 'string' && UUID.test(item)) found.add(item);
      else walk(item, depth + 1);
    }
  };
  walk(payload, 0);
  const record = payload as { type?: unknown; data?: { id?: unknown } } | null;
  if (record?.type === 'organization.updated' && typeof record.data?.id === 'string') found.add(record.data.id);
  return [...found];
}

const isPretty = (text: string): boolean => /\n[ \t]+["{}[\]\d]/.test(text);

const escapeNonAscii = (text: string): string =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

interface Undone {
  readonly verdict: DiagnoseVerdict;
  readonly match: Attempt & { ok: true };
  readonly after: string;
  readonly cause: string;
  readonly fix: string;
}

const RAW_BODY_FIX =
  'Verify the raw body, byte for byte as received: `await request.text()`, the Buffer of `express.raw()`, or one ' +
  'of the adapters (polar-webhooks/express, /next, /hono), mounted before any JSON body parser.';

/**
 * Looks at one delivery the way verification does, and when it fails, tries what usually went wrong
 * (the body changed, the secret mistyped or pinned to the wrong key, another endpoint's secret) until
 * a change makes the signature match; that change names the cause.
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const { headers, body } = input;
  const prefix =
    first(headers['webhook-id']) === undefined && first(headers['svix-id']) !== undefined ? 'svix-' : 'webhook-';
  const headerFindings = describeHeaders(headers, prefix, input.now, input.tolerance);
  const text = new TextDecoder().decode(body);
  const signature: Finding[] = [];
  const validation = checkPayload(text, first(headers['webhook-api-version']), input.apiVersion);
  const payload = describePayloadCheck(validation);

  const done = (
    verdict: DiagnoseVerdict,
    cause: string,
    fix: string | undefined,
    match?: Diagnosis['match'],
  ): Diagnosis => ({
    verdict,
    exitCode: DIAGNOSE_EXIT[verdict].code,
    cause,
    fix,
    headers: headerFindings,
    signature,
    payload,
    match,
    validation,
  });

  // The headers, checked by the verifier itself with a secret that cannot be at fault.
  const probe = attempt(body, headers, [PROBE_SECRET], { now: input.now, tolerance: input.tolerance, scheme: 'auto' });
  if (!probe.ok && HEADER_CODES.has(probe.error.code)) {
    signature.push({ level: 'fail', text: probe.error.message });
    return done('headers', 'The delivery lacks what every Polar delivery carries.', probe.error.message);
  }
  const seconds = Number(first(headers[`${prefix}timestamp`]));
  const sentAt = new Date(seconds * 1000);
  const atSendTime = { now: sentAt, tolerance: input.tolerance, scheme: input.scheme };
  const offset = Math.floor(input.now.getTime() / 1000) - seconds;
  const outside = Math.abs(offset) > input.tolerance;

  // The secrets' text, as the verifier checks it before using one.
  const cleaned = input.secrets.map((secret, index) => {
    const check = attempt(body, headers, [secret], atSendTime);
    if (!check.ok && check.error.code === 'invalid_secret') {
      const fixed = cleanSecret(secret);
      signature.push({
        level: 'fail',
        text: `secret ${input.secrets.length > 1 ? `${index + 1} ` : ''}${describeSecret(secret)} ${whatIsWrongWith(secret)}`,
      });
      return fixed;
    }
    return secret;
  });
  const mistyped = cleaned.some((secret, i) => secret !== input.secrets[i]);

  const asGiven = attempt(body, headers, input.secrets, {
    now: input.now,
    tolerance: input.tolerance,
    scheme: input.scheme,
  });
  const secretName = (index: number): string =>
    `${input.secrets.length > 1 ? `secret ${index + 1} of ${input.secrets.length}, ` : ''}${describeSecret(cleaned[index] as string)}`;
  const matched = (m: VerifiedDelivery, after?: string): Diagnosis['match'] => ({
    scheme: m.scheme,
    secretIndex: m.secretIndex,
    after,
  });

  if (asGiven.ok) {
    const m = asGiven.result;
    signature.push({ level: 'ok', text: `the ${m.scheme} key of ${secretName(m.secretIndex)} matches` });
    const secret = input.secrets[m.secretIndex] as string;
    if (m.scheme === 'legacy' && secret.startsWith('whsec_')) {
      signature.push({
        level: 'info',
        text:
          "this endpoint signs with the legacy key (the whole secret's bytes). A library that only knows the Standard " +
          'Webhooks rule (base64-decode after whsec_: standardwebhooks, svix) derives another key and rejects every delivery.',
      });
    }
    if (m.secretIndex > 0) {
      signature.push({
        level: 'info',
        text:
          `secret ${m.secretIndex + 1} matched, not secret 1: keep it while deliveries signed with it may still come ` +
          '(retries last hours); during a rotation, remove an old secret once none has matched for a day',
      });
    }
    const ok = validation?.valid === true;
    return done(
      ok ? 'ok' : 'payload',
      ok
        ? 'The delivery verifies, and its payload is valid.'
        : 'The delivery verifies, but its payload is not what this version of polar-webhooks expects.',
      ok ? undefined : 'A receiver acknowledges it (202) and hands it to onError or onUnknown; see the payload lines.',
      matched(m),
    );
  }

  const atSend = attempt(body, headers, cleaned, atSendTime);
  if (atSend.ok) {
    const m = atSend.result;
    if (mistyped) {
      signature.push({
        level: 'ok',
        text: `once corrected, the ${m.scheme} key of ${secretName(m.secretIndex)} matches`,
      });
      if (outside)
        signature.push({ level: 'warn', text: `the timestamp is also outside the tolerance: ${age(offset)}` });
      return done(
        'secretText',
        'The secret is right, but mistyped: whitespace or quotes around it.',
        'Remove them where the secret is set (a .env value, a secret store, a shell variable): secrets never contain spaces or quotes.',
        matched(m, 'the secret corrected'),
      );
    }
    signature.push({
      level: 'ok',
      text: `the ${m.scheme} key of ${secretName(m.secretIndex)} matches at the delivery's own time`,
    });
    const future = offset < 0;
    return done(
      'timestamp',
      `The signature is right, but the delivery’s timestamp is ${age(offset)}, more than the ${input.tolerance} s tolerance.`,
      future
        ? "The server's clock is behind Polar's: sync it (NTP)."
        : "Either the server's clock is ahead, or this is an old capture: sync the clock (NTP), or re-check a stored " +
            'delivery with --now <the time it arrived> (verifySignature takes it as options.now).',
      matched(m),
    );
  }

  if (atSend.error.code === 'invalid_secret') {
    signature.push({ level: 'fail', text: atSend.error.message });
    return done('secretText', 'The secret is not one Polar makes.', atSend.error.message);
  }
  signature.push({
    level: 'fail',
    text: `no signature matches either key (legacy, standard) of ${input.secrets.length > 1 ? 'any secret given' : 'the secret'}`,
  });
  if (outside) signature.push({ level: 'warn', text: `the timestamp is also outside the tolerance: ${age(offset)}` });
  const undone = undo(input, text, cleaned, atSendTime, mistyped);
  if (undone) {
    const m = undone.match.result;
    const whose = m.secretIndex < 0 ? 'the organization id' : secretName(m.secretIndex);
    signature.push({ level: 'ok', text: `${undone.after}, the ${m.scheme} key of ${whose} matches` });
    return done(undone.verdict, undone.cause, undone.fix, matched(m, undone.after));
  }

  let compact: string | undefined;
  try {
    compact = JSON.stringify(JSON.parse(text));
  } catch {
    compact = undefined;
  }
  if (compact !== undefined && compact !== text) {
    return done(
      'body',
      `The body is ${isPretty(text) ? 'pretty-printed' : 're-serialized'}: it is not the compact JSON Polar sends ` +
        '(its own compact re-encoding differs from it), and no re-encoding of it verifies, so the bytes Polar signed are lost.',
      `${RAW_BODY_FIX} Then capture a delivery again and diagnose it: with the raw body, a wrong secret would show too.`,
    );
  }
  return done(
    'secret',
    "The delivery was signed with another secret: most likely another endpoint's (each endpoint has its own; sandbox " +
      'and production differ), or one regenerated since.',
    "Copy the secret of the endpoint this URL belongs to, from its settings in Polar's dashboard. During a rotation, " +
      'pass the old and the new secret (--secret twice; secret: [new, old] in the router). If the body went through ' +
      `JSON.parse and JSON.stringify before it was captured, that is the other possibility: ${RAW_BODY_FIX}`,
  );
}

/** Tries each usual mistake, undone, in turn; the first that makes the signature match is the cause. */
function undo(
  input: DiagnoseInput,
  text: string,
  secrets: readonly string[],
  options: { now: Date; tolerance: number; scheme: DiagnoseInput['scheme'] },
  mistyped: boolean,
): Undone | undefined {
  const { headers } = input;
  const auto = { ...options, scheme: 'auto' as const };
  const tryWith = (
    body: Uint8Array | string,
    list: readonly string[],
    opts = auto,
  ): (Attempt & { ok: true }) | undefined => {
    const result = attempt(body, headers, list, opts);
    return result.ok ? result : undefined;
  };

  if (input.scheme !== 'auto') {
    const match = tryWith(input.body, secrets);
    if (match) {
      const right = match.result.scheme;
      return {
        verdict: mistyped ? 'secretText' : 'scheme',
        match,
        after: `with the ${right} key instead of the ${input.scheme} one`,
        cause: `The secret is right, but this endpoint signs with the ${right} key, and the ${input.scheme} key is pinned.`,
        fix:
          `Set scheme: '${right}' (or leave scheme out: 'auto' tries both). Endpoints made before 2026-09-08 sign with the ` +
          "legacy key (the whole secret's bytes), newer ones with the standard key (base64-decode of what follows whsec_); " +
          'a legacy whsec_ secret also decodes as base64, so its shape does not tell.',
      };
    }
  }

  const bodyVariants: { body: string; after: string; cause: string }[] = [];
  const trimmed = text.replace(/\s+$/, '');
  if (trimmed !== text) {
    bodyVariants.push({
      body: trimmed,
      after: "without the body's trailing newline",
      cause:
        'The body ends with whitespace Polar did not send: a newline an editor, `echo` or a log line added when ' +
        'it was saved.',
    });
  }
  if (text.includes('\r\n')) {
    bodyVariants.push({
      body: text.replace(/\r\n/g, '\n'),
      after: 'with \\n line endings instead of \\r\\n',
      cause: "The body's line endings were changed to \\r\\n on the way (a Windows editor, a text-mode transfer).",
    });
  }
  let compact: string | undefined;
  try {
    compact = JSON.stringify(JSON.parse(text));
  } catch {
    compact = undefined;
  }
  if (compact !== undefined) {
    const pretty = isPretty(text);
    if (compact !== text) {
      bodyVariants.push({
        body: compact,
        after: 're-encoded as compact JSON',
        cause: pretty
          ? 'The body was pretty-printed (line breaks and indentation): Polar sends compact JSON, and the signature covers those exact bytes.'
          : 'The body was re-serialized: it is not byte-identical to its own compact re-encoding (spacing, escapes), ' +
            'so something parsed the JSON and wrote it out again before it was verified.',
      });
    }
    const escaped = escapeNonAscii(compact);
    if (escaped !== compact) {
      bodyVariants.push({
        body: escaped,
        after: 'with non-ASCII characters escaped as \\uXXXX',
        cause:
          'The body was re-serialized: Polar escaped its non-ASCII characters (\\u00e9), the body has them as ' +
          'UTF-8, as JSON.parse followed by JSON.stringify leaves them.',
      });
    }
  }
  for (const variant of bodyVariants) {
    const match = tryWith(variant.body, secrets);
    if (match) {
      return { verdict: 'body', match, after: variant.after, cause: variant.cause, fix: RAW_BODY_FIX };
    }
  }

  for (let i = 0; i < secrets.length; i++) {
    const secret = secrets[i] as string;
    const spellings: { secret: string; after: string; cause: string; fix: string }[] = [];
    if (UUID.test(secret)) {
      spellings.push({
        secret: secret.replace(/-/g, ''),
        after: 'with the dashes taken out of the secret',
        cause: 'The secret is an organization id with its dashes: polar listen signs with the id WITHOUT dashes.',
        fix: "Use the organization id without dashes as the secret while developing with polar listen: process.env.POLAR_ORGANIZATION_ID.replaceAll('-', '').",
      });
    }
    if (!PREFIXES.some((p) => secret.startsWith(p))) {
      for (const p of PREFIXES) {
        spellings.push({
          secret: `${p}${secret}`,
          after: `with the ${p} prefix put back on the secret`,
          cause: `The secret lost its ${p} prefix: this endpoint signs with the legacy key, the bytes of the WHOLE secret, prefix included.`,
          fix: `Use the secret exactly as the dashboard shows it, ${p} included.`,
        });
      }
    }
    for (const spelling of spellings) {
      const list = secrets.map((s, j) => (j === i ? spelling.secret : s));
      const match = tryWith(input.body, list);
      if (match)
        return { verdict: 'secretText', match, after: spelling.after, cause: spelling.cause, fix: spelling.fix };
    }
  }

  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = undefined;
  }
  for (const id of organizationIds(payload)) {
    const secret = id.replace(/-/g, '');
    const match = tryWith(input.body, [secret], { ...auto, scheme: 'auto' });
    if (match) {
      return {
        verdict: 'secret',
        match: { ok: true, result: { ...match.result, secretIndex: -1 } },
        after: 'with the organization id (without dashes) as the secret',
        cause:
          'This delivery came through polar listen: it is signed with your organization id without dashes (the legacy ' +
          "key), not with an endpoint's secret.",
        fix: "While developing with polar listen, use that as the secret: createWebhooks({ secret: process.env.POLAR_ORGANIZATION_ID!.replaceAll('-', '') }).",
      };
    }
  }
  return undefined;
}
