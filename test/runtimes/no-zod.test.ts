/**
 * The verify → parse → dispatch path never loads zod: the generated guards decide and explain.
 * Shown on the packed package: bundles of the entry points that do not need zod hold none of it,
 * and with zod taken out of node_modules they import and work (verify, validate, route, reject with
 * issues), while `polar-webhooks/schemas`, which is zod, does not load.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { bundleForEdge, EDGE_CONDITIONS, type EdgeTarget } from './bundle';
import { installPackedPackage, ROOT, type Installation } from './harness';

const run = promisify(execFile);

/** The entry points whose code paths need no zod. */
const ZOD_FREE = [
  'polar-webhooks',
  'polar-webhooks/verify',
  'polar-webhooks/testing',
  'polar-webhooks/next',
  'polar-webhooks/hono',
  'polar-webhooks/express',
];

const CHECK = `
const [fixture] = process.argv.slice(1);
const { createHmac, randomBytes } = await import('node:crypto');
const { readFileSync } = await import('node:fs');
const out = {};
for (const entry of ${JSON.stringify(ZOD_FREE)}) {
  try { await import(entry); out[entry] = 'loaded'; } catch (error) { out[entry] = String(error?.code ?? error); }
}
try { await import('polar-webhooks/schemas'); out.schemas = 'loaded'; } catch (error) { out.schemas = String(error?.code ?? error); }
const lib = await import('polar-webhooks');
const key = randomBytes(32);
const secret = 'whsec_' + key.toString('base64');
const sign = (body) => {
  const id = 'msg_' + randomBytes(8).toString('hex');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key).update(id + '.' + timestamp + '.' + body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': 'v1,' + signature };
};
const body = readFileSync(fixture, 'utf8');
out.valid = lib.validateEvent(body, sign(body), secret).type;
const broken = JSON.parse(body);
broken.data.total_amount = 'ten';
const brokenBody = JSON.stringify(broken);
try { lib.validateEvent(brokenBody, sign(brokenBody), secret); out.invalid = 'accepted'; }
catch (error) { out.invalid = { code: error.code, issues: error.issues }; }
const webhooks = lib.createWebhooks({ secret });
let handled = 0;
webhooks.on('order.paid', () => { handled += 1; });
const response = await webhooks.handle(new Request('http://localhost/hook', { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body) }, body }));
out.routed = { status: response.status, handled };
process.stdout.write(JSON.stringify(out));
`;

describe('zod is never loaded on the way from a delivery to a handler', () => {
  let installed: Installation;

  beforeAll(async () => {
    installed = await installPackedPackage();
  });
  afterAll(async () => {
    await installed?.remove();
  });

  for (const target of Object.keys(EDGE_CONDITIONS) as EdgeTarget[]) {
    for (const entry of ZOD_FREE) {
      it(`the ${target} bundle of ${entry} holds no zod`, async () => {
        const { metafile } = await bundleForEdge({
          contents: `export * from '${entry}';`,
          resolveDir: installed.dir,
          target,
          format: 'esm',
        });
        const inputs = Object.keys(metafile.inputs);
        expect(inputs.some((file) => file.includes('polar-webhooks/dist/'))).toBe(true);
        expect(inputs.filter((file) => /node_modules\/zod\//.test(file))).toEqual([]);
      });
    }

    it(`the ${target} bundle of polar-webhooks/schemas holds zod (the check can fail)`, async () => {
      const { metafile } = await bundleForEdge({
        contents: "export * from 'polar-webhooks/schemas';",
        resolveDir: installed.dir,
        target,
        format: 'esm',
      });
      expect(Object.keys(metafile.inputs).some((file) => /node_modules\/zod\//.test(file))).toBe(true);
    });
  }

  it('without zod installed, every zod-free entry imports, verifies, validates, explains and routes; the schemas do not load', async () => {
    await rm(join(installed.dir, 'node_modules', 'zod'), { force: true, recursive: true });
    const versions = readdirSync(join(ROOT, 'fixtures')).filter((n) => /^\d{4}-\d{2}$/.test(n));
    const fixture = join(ROOT, 'fixtures', versions.sort()[0]!, 'order.paid.json');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHECK, fixture], {
      cwd: installed.dir,
    });
    const out = JSON.parse(stdout);
    for (const entry of ZOD_FREE) expect(out[entry], entry).toBe('loaded');
    expect(out.schemas).toBe('ERR_MODULE_NOT_FOUND');
    expect(out.valid).toBe('order.paid');
    expect(out.invalid).toEqual({
      code: 'invalid_payload',
      issues: [{ path: ['data', 'total_amount'], message: 'Expected number, received string' }],
    });
    expect(out.routed).toEqual({ status: 202, handled: 1 });
  });
});
