/**
 * The cost of rejecting a hostile payload: a signed 1 MiB `order.paid` whose `data.items` holds
 * 340,000 empty objects, each missing every field an order item requires. Validating it used to
 * collect millions of issues; the explanation now stops after a fixed number. Measured in a fresh
 * process (so the peak memory is that call's), one call, time and peak resident memory.
 */
import { execFileSync } from 'node:child_process';

/** How many empty items the body holds (about 1 MiB of JSON). */
export const EMPTY_ITEMS = 340_000;

const CHILD = `
const [entry, fixture] = process.argv.slice(1);
const { createHmac, randomBytes } = await import('node:crypto');
const { readFileSync } = await import('node:fs');
const lib = await import(entry);
const payload = JSON.parse(readFileSync(fixture, 'utf8'));
payload.data.items = Array.from({ length: ${EMPTY_ITEMS} }, () => ({}));
const body = JSON.stringify(payload);
const key = randomBytes(32);
const secret = 'whsec_' + key.toString('base64');
const id = 'msg_many_issues';
const timestamp = String(Math.floor(Date.now() / 1000));
const signature = createHmac('sha256', key).update(id + '.' + timestamp + '.' + body).digest('base64');
const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': 'v1,' + signature };
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
let issues = 0;
let code = 'accepted';
try {
  lib.validateEvent(body, headers, secret);
} catch (error) {
  code = error?.code ?? String(error);
  issues = error?.issues?.length ?? 0;
}
const ms = performance.now() - started;
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ bytes: Buffer.byteLength(body), ms, code, issues, rssBefore, peak }));
`;

/**
 * Runs the case against the package entry `entry` (a specifier or file URL), with the order.paid
 * fixture at `fixture` as the envelope.
 *
 * @returns {{ bytes: number, ms: number, code: string, issues: number, peakDeltaBytes: number }}
 */
export function measureManyIssues(entry, fixture, cwd) {
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD, entry, fixture], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(out);
  return { ...result, peakDeltaBytes: result.peak - result.rssBefore };
}
