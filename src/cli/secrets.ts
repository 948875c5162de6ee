import { helpHint, PROGRAM, stringList } from './command-line';
import { UsageError } from './usage-error';

/** The environment variable read when no `--secret` is given. */
export const SECRET_ENV = 'POLAR_WEBHOOK_SECRET';

/** The `--secret` values, or the environment's secret; at least one. */
export function secretsFrom(
  values: Parameters<typeof stringList>[0],
  env: NodeJS.ProcessEnv,
  command: string,
): string[] {
  const given = stringList(values, 'secret');
  if (given.length > 0) return given;
  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return [fromEnv];
  throw new UsageError(
    `${PROGRAM} ${command} needs the endpoint's secret: pass --secret <secret> (as shown for the endpoint in ` +
      `Polar's dashboard, or the one your local server uses) or set ${SECRET_ENV}. ${helpHint(command)}`,
  );
}

const PREFIXES = ['whsec_', 'polar_whs_'];

/**
 * A secret named without revealing it: its prefix, its last four characters and its length, with
 * whitespace and quotes at its ends shown escaped (they are what is wrong with it, often).
 */
export function describeSecret(secret: string): string {
  const prefix = PREFIXES.find((p) => secret.startsWith(p)) ?? '';
  const trimmed = secret.trimEnd();
  const tailStart = Math.max(prefix.length, trimmed.length - 4);
  const tail = JSON.stringify(secret.slice(tailStart)).slice(1, -1);
  const head = /^[\s"'`]/.test(secret) ? JSON.stringify(secret[0]).slice(1, -1) : '';
  return `${head}${prefix}…${tail} (${secret.length} characters)`;
}

/** A secret with whitespace and quotes taken off its ends. */
export function cleanSecret(secret: string): string {
  let text = secret.trim();
  for (;;) {
    const quote = text[0];
    if ((quote === '"' || quote === "'" || quote === '`') && text.length > 1 && text.endsWith(quote)) {
      text = text.slice(1, -1).trim();
    } else return text;
  }
}

/** What is wrong with the text of a secret the verifier refused, in words. */
export function whatIsWrongWith(secret: string): string {
  const parts: string[] = [];
  if (/^\s/.test(secret) || /\s$/.test(secret)) {
    const tail = /\s+$/.exec(secret)?.[0] ?? '';
    parts.push(
      tail.includes('\n')
        ? 'ends with a newline (a .env file, `echo`, or a file read whole)'
        : 'has whitespace around it',
    );
  }
  if (/^\s*["'`]/.test(secret)) parts.push('is wrapped in quotes (pasted with them)');
  return parts.join(' and ') || 'is not a usable secret';
}
