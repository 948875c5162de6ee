import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../../src/testing/fixtures';
import {
  assertCliBuilt,
  legacySecret,
  runCli,
  signIndependently,
  standardKey,
  standardSecret,
  type CliRun,
} from './helpers';

/**
 * Writes a delivery's headers (JSON) and body (bytes) to files, and runs `diagnose` on them; with
 * `--json` among the arguments, `report` is its parsed output.
 */
type Diagnose = (
  headers: Record<string, string>,
  body: string | Uint8Array,
  args: readonly string[],
) => Promise<CliRun & { report: DiagnoseReport }>;

interface DiagnoseReport {
  verdict: string;
  exitCode: number;
  cause: string;
  fix: string | null;
  match: { scheme: string; secretIndex: number; after?: string } | null;
  payload: { valid: boolean; type?: string; issues: { path: string; message: string }[] } | null;
}

/** JSON written as Python's json.dumps writes it by default: ", " and ": " between items. */
function spaced(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spaced).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${spaced(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

describe('polar-webhooks diagnose (the built bin)', () => {
  let dir: string;
  let n = 0;
  const secret = standardSecret();
  const event = createEvent('order.paid', { data: { customer: { name: 'Zoë Café' } } });
  /** The body as Polar sends it: compact JSON. */
  const body = JSON.stringify(event);
  const signed = () => signIndependently(body, standardKey(secret));

  const diagnose: Diagnose = async (headers, bodyBytes, args) => {
    const h = join(dir, `headers-${++n}.json`);
    const b = join(dir, `body-${n}.json`);
    await writeFile(h, JSON.stringify(headers));
    await writeFile(b, bodyBytes);
    const run = await runCli(['diagnose', '--headers', h, '--body', b, ...args]);
    const report = (args.includes('--json') ? JSON.parse(run.stdout) : {}) as DiagnoseReport;
    if (args.includes('--json')) expect(report.exitCode).toBe(run.code);
    return { ...run, report };
  };

  beforeAll(async () => {
    assertCliBuilt();
    dir = await mkdtemp(join(tmpdir(), 'polar-cli-diagnose-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a genuine delivery: the headers, the key and secret that matched, a valid payload; exit 0', async () => {
    const other = standardSecret();
    const run = await diagnose(signed(), body, ['--secret', other, '--secret', secret]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/webhook-id\s+msg_/);
    expect(run.stdout).toMatch(/webhook-timestamp\s+\d+ = 20\d\d-/);
    expect(run.stdout).toContain('1 v1 signature');
    expect(run.stdout).toContain('the standard key of secret 2 of 2');
    expect(run.stdout).toContain('order.paid, read as API version 2026-04: valid');
    // An endpoint set to another version than the payload's own: flagged, still valid.
    const pinned = await diagnose(signed(), body, ['--secret', secret, '--api-version', '2026-10']);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain('the payload says api_version 2026-04, the endpoint is set to 2026-10');
  });

  it('names a re-serialized body (its own compact re-encoding differs, and verifies); exit 5', async () => {
    const run = await diagnose(signed(), spaced(event), ['--secret', secret]);
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('re-encoded as compact JSON, the standard key');
    expect(run.stdout).toContain('The body was re-serialized');
    expect(run.stdout).toContain('raw body');
  });

  it('names a pretty-printed body; exit 5', async () => {
    const run = await diagnose(signed(), JSON.stringify(event, null, 2), ['--secret', secret]);
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('The body was pretty-printed');
  });

  it('names a body that JSON.parse + JSON.stringify changed (escapes undone); exit 5', async () => {
    // Signed with non-ASCII characters escaped; the app re-encoded them as UTF-8.
    const escaped = body.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(escaped).not.toBe(body);
    const run = await diagnose(signIndependently(escaped, standardKey(secret)), body, ['--secret', secret]);
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('with non-ASCII characters escaped as \\uXXXX');
    expect(run.stdout).toContain('JSON.parse');
  });

  it('names a trailing newline added to the saved body; exit 5', async () => {
    const run = await diagnose(signed(), `${body}\n`, ['--secret', secret]);
    expect(run.code).toBe(5);
    expect(run.stdout).toContain("without the body's trailing newline");
  });

  it('names a quoted secret and a secret with a trailing newline; exit 6', async () => {
    const quoted = await diagnose(signed(), body, ['--secret', `"${secret}"`]);
    expect(quoted.code).toBe(6);
    expect(quoted.stdout).toContain('is wrapped in quotes');
    expect(quoted.stdout).toContain('once corrected, the standard key');
    const newline = await diagnose(signed(), body, ['--secret', `${secret}\n`]);
    expect(newline.code).toBe(6);
    expect(newline.stdout).toContain('ends with a newline');
    // The secret is never printed whole.
    expect(newline.stdout + quoted.stdout).not.toContain(secret);
  });

  it('names the legacy vs standard key when the app pins the wrong one; exit 7', async () => {
    const legacy = legacySecret();
    const legacyDelivery = signIndependently(body, legacy);
    const pinned = await diagnose(legacyDelivery, body, ['--secret', legacy, '--scheme', 'standard']);
    expect(pinned.code).toBe(7);
    expect(pinned.stdout).toContain('with the legacy key instead of the standard one');
    expect(pinned.stdout).toContain("Set scheme: 'legacy'");
    const other = await diagnose(signed(), body, ['--secret', secret, '--scheme', 'legacy']);
    expect(other.code).toBe(7);
    expect(other.stdout).toContain('with the standard key instead of the legacy one');
    // Unpinned, it verifies, and says that a Standard-Webhooks-only library would not.
    const auto = await diagnose(legacyDelivery, body, ['--secret', legacy]);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toContain('signs with the legacy key');
    expect(auto.stdout).toContain('standardwebhooks');
  });

  it('names clock skew (the signature matches at the delivery’s own time); --now re-checks an old capture', async () => {
    const seconds = Math.floor(Date.now() / 1000) - 3600;
    const old = signIndependently(body, standardKey(secret), { seconds });
    const run = await diagnose(old, body, ['--secret', secret]);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('60 min old');
    expect(run.stdout).toContain('--now');
    const then = await diagnose(old, body, ['--secret', secret, '--now', new Date((seconds + 2) * 1000).toISOString()]);
    expect(then.code).toBe(0);
    const ahead = signIndependently(body, standardKey(secret), { seconds: seconds + 3600 + 900 });
    const future = await diagnose(ahead, body, ['--secret', secret]);
    expect(future.code).toBe(4);
    expect(future.stdout).toContain('in the future');
  });

  it("names the wrong endpoint's secret when nothing undoes the mismatch; exit 8", async () => {
    const run = await diagnose(signed(), body, ['--secret', standardSecret(), '--json']);
    expect(run.code).toBe(8);
    expect(run.report).toMatchObject({ verdict: 'secret', match: null });
    expect(run.report.cause).toContain("another endpoint's");
    expect(run.report.fix).toContain('--secret twice');
  });

  it('names the polar listen secret: the organization id without dashes', async () => {
    const org = randomUUID();
    const listened = createEvent('order.paid', { data: { customer: { organization_id: org } } });
    const listenBody = JSON.stringify(listened);
    const headers = signIndependently(listenBody, org.replace(/-/g, ''));
    const withDashes = await diagnose(headers, listenBody, ['--secret', org]);
    expect(withDashes.code).toBe(6);
    expect(withDashes.stdout).toContain('WITHOUT dashes');
    const endpointSecret = await diagnose(headers, listenBody, ['--secret', secret]);
    expect(endpointSecret.code).toBe(8);
    expect(endpointSecret.stdout).toContain('came through polar listen');
  });

  it('missing headers: exit 3; an invalid payload: exit 1 with its failing paths', async () => {
    const { ['webhook-signature']: _, ...unsigned } = signed();
    const missing = await diagnose(unsigned, body, ['--secret', secret]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toContain('webhook-signature is missing');

    const broken = JSON.stringify({ ...event, data: { ...event.data, total_amount: 'x', currency: 42 } });
    const brokenHeaders = signIndependently(broken, standardKey(secret));
    const invalid = await diagnose(brokenHeaders, broken, ['--secret', secret, '--json']);
    expect(invalid.code).toBe(1);
    expect(invalid.report.payload?.valid).toBe(false);
    expect(invalid.report.payload?.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['data.total_amount', 'data.currency']),
    );
    const text = await diagnose(brokenHeaders, broken, ['--secret', secret]);
    expect(text.stdout).toMatch(/data\.total_amount: /);
  });

  it('reads a raw HTTP request dump (headers and body in one file, cut at Content-Length)', async () => {
    const headers = signed();
    const dump = [
      'POST /webhooks/polar HTTP/1.1',
      'Host: localhost:3000',
      'Content-Type: application/json',
      'User-Agent: polar.sh webhooks',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      `${body}\n`,
    ].join('\r\n');
    const file = join(dir, 'request.txt');
    await writeFile(file, dump);
    const run = await runCli(['diagnose', file, '--secret', secret]);
    expect(run.stdout).toContain('Content-Length says');
    expect(run.code).toBe(0);
  });

  it('usage: no delivery, no secret, a bad --now: exit 2 with the fix', async () => {
    const none = await runCli(['diagnose', '--secret', secret]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--headers <file> with --body <file>');
    const file = join(dir, 'h.json');
    await writeFile(file, JSON.stringify(signed()));
    const noBody = await runCli(['diagnose', '--headers', file, '--secret', secret]);
    expect(noBody.code).toBe(2);
    expect(noBody.stderr).toContain('--body');
    const noSecret = await runCli(['diagnose', '--headers', file, '--body', file]);
    expect(noSecret.code).toBe(2);
    const badNow = await runCli([
      'diagnose',
      '--headers',
      file,
      '--body',
      file,
      '--secret',
      secret,
      '--now',
      'yesterday',
    ]);
    expect(badNow.code).toBe(2);
    expect(badNow.stderr).toContain('ISO 8601');
  });
});
