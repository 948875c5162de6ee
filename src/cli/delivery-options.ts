import { helpHint, PROGRAM } from './command-line';
import { UsageError } from './usage-error';

/** A key scheme chosen on the command line. */
export type SigningScheme = 'legacy' | 'standard';

/** The headers Polar sends with every delivery besides the signed three. */
export const POLAR_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  'user-agent': 'polar.sh webhooks',
};

/** The header `polar trigger` marks its deliveries with. */
export const TRIGGERED_HEADER = 'x-polar-triggered';

/** Checks --url: present, and http(s). */
export function readUrl(text: string | undefined, command: string): string {
  if (text === undefined) {
    throw new UsageError(
      `${PROGRAM} ${command} needs --url, where your server receives webhooks, e.g. ` +
        `--url http://localhost:3000/webhooks/polar. ${helpHint(command)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url "${text}" is not a URL: write it whole, e.g. http://localhost:3000/webhooks/polar.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url "${text}" must be an http:// or https:// URL.`);
  }
  return url.href;
}

/** Checks --scheme. */
export function readScheme(text: string | undefined, command: string): SigningScheme | undefined {
  if (text === undefined || text === 'legacy' || text === 'standard') return text;
  throw new UsageError(
    `${PROGRAM} ${command}: --scheme must be "legacy" (the whole secret's bytes: endpoints made before 2026-09-08) ` +
      `or "standard" (base64-decode of what follows whsec_: endpoints made since), got "${text}". Leave it out to ` +
      'sign as Polar does for a secret of that shape.',
  );
}

const SIGNED = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature']);

/** The --header values (and --triggered) as a record; the signed headers cannot be set this way. */
export function extraHeaders(texts: readonly string[], triggered: boolean, command: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (triggered) headers[TRIGGERED_HEADER] = 'true';
  for (const text of texts) {
    const colon = text.indexOf(':');
    const name = text.slice(0, colon).trim().toLowerCase();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      throw new UsageError(
        `${PROGRAM} ${command}: --header "${text}" must be name:value, e.g. --header "x-env:staging".`,
      );
    }
    if (SIGNED.has(name)) {
      throw new UsageError(
        `${PROGRAM} ${command}: --header cannot set ${name}: it is made when each delivery is signed.`,
      );
    }
    headers[name] = text.slice(colon + 1).trim();
  }
  return headers;
}

/** Checks --api-version against the versions this package has schemas and payloads for. */
export async function readApiVersion(text: string | undefined, command: string): Promise<string | undefined> {
  if (text === undefined) return undefined;
  // The schemas entry (and zod with it) only loads when a version is asked for.
  const { API_VERSIONS } = await import('../schemas');
  if ((API_VERSIONS as readonly string[]).includes(text)) return text;
  throw new UsageError(
    `${PROGRAM} ${command}: --api-version must be one of ${API_VERSIONS.join(', ')} (the version your endpoint is ` +
      `set to in Polar's dashboard), got "${text}".`,
  );
}
