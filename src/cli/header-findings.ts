import type { Finding } from './finding';

/** A header's value, or its first one when it was repeated. */
export function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** How far from the clock a timestamp is, in words: `12 s old`, `15 min in the future`. */
export function age(seconds: number): string {
  const abs = Math.abs(seconds);
  const text =
    abs < 120
      ? `${abs} s`
      : abs < 7200
        ? `${Math.round(abs / 60)} min`
        : abs < 172800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} days`;
  return seconds >= 0 ? `${text} old` : `${text} in the future`;
}

/** The headers of a delivery, by lower-case name, as `diagnose` reads them. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The `webhook-*` headers found (or their `svix-*` aliases, by `prefix`), described one per line: the
 * timestamp against `now` and the tolerance, the signature entries, the version, the hints in the others.
 */
export function describeHeaders(h: HeaderRecord, prefix: string, now: Date, tolerance: number): Finding[] {
  const findings: Finding[] = [];
  const id = first(h[`${prefix}id`]);
  const timestamp = first(h[`${prefix}timestamp`]);
  const signature = h[`${prefix}signature`];
  if (prefix === 'svix-') {
    findings.push({
      level: 'info',
      text: 'svix-* headers instead of webhook-*: read as aliases, as Standard Webhooks libraries do',
    });
  }
  findings.push(
    id ? { level: 'ok', text: `${prefix}id         ${id}` } : { level: 'fail', text: `${prefix}id is missing` },
  );
  if (timestamp === undefined) findings.push({ level: 'fail', text: `${prefix}timestamp is missing` });
  else if (/^\d{1,15}$/.test(timestamp)) {
    const seconds = Number(timestamp);
    const offset = Math.floor(now.getTime() / 1000) - seconds;
    const inside = Math.abs(offset) <= tolerance;
    findings.push({
      level: inside ? 'ok' : 'warn',
      text:
        `${prefix}timestamp  ${timestamp} = ${new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')}, ${age(offset)} ` +
        `(tolerance ±${tolerance} s${inside ? '' : ': OUTSIDE'})`,
    });
  } else findings.push({ level: 'fail', text: `${prefix}timestamp  "${timestamp}" is not whole Unix seconds` });
  if (signature === undefined) findings.push({ level: 'fail', text: `${prefix}signature is missing` });
  else {
    const entries = (typeof signature === 'string' ? [signature] : signature).join(' ').split(' ').filter(Boolean);
    const v1 = entries.filter((entry) => entry.startsWith('v1,')).length;
    const others = entries.length - v1;
    findings.push({
      level: v1 > 0 ? 'ok' : 'fail',
      text:
        `${prefix}signature  ${v1} v1 signature${v1 === 1 ? '' : 's'}` +
        `${others > 0 ? `, ${others} other entr${others === 1 ? 'y' : 'ies'} (skipped)` : ''}`,
    });
  }
  const version = first(h['webhook-api-version']);
  findings.push(
    version
      ? { level: 'ok', text: `webhook-api-version  ${version}` }
      : {
          level: 'info',
          text: 'webhook-api-version is absent (Polar sends it since 2026-09-04; older events have none)',
        },
  );
  if (first(h['x-polar-triggered']) === 'true') {
    findings.push({
      level: 'info',
      text: 'x-polar-triggered: true, a test event from polar trigger (context.triggered)',
    });
  }
  const agent = first(h['user-agent']);
  if (agent !== undefined && agent !== 'polar.sh webhooks') {
    findings.push({
      level: 'info',
      text: `user-agent "${agent}" is not Polar's ("polar.sh webhooks"): sent through a proxy, or by hand`,
    });
  }
  const type = first(h['content-type']);
  if (type !== undefined && !type.startsWith('application/json')) {
    findings.push({ level: 'warn', text: `content-type "${type}": Polar sends application/json` });
  }
  return findings;
}
