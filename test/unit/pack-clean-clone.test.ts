/**
 * `npm pack` (and so `npm publish`) from a clean clone: the prepack script builds the package, so
 * the tarball carries the code even though a clone has no dist/. The tarball is then installed
 * into an empty project and imported by name, as a user would.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../runtimes/harness';

const run = promisify(execFile);
const quiet = { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' };

describe('npm pack from a clean clone', () => {
  let dir = '';
  let files: string[] = [];
  let tarball = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polar-webhooks-clone-'));
    const clone = join(dir, 'clone');
    await run('git', ['clone', '--quiet', '--depth', '1', `file://${ROOT}`, clone]);
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    // The clone's dependencies are the ones installed here (what `npm ci` would install).
    await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: clone,
      env: quiet,
      maxBuffer: 64 * 1024 * 1024,
    });
    // The build's own output (prepack) comes first on stdout; npm's JSON report is the array after it.
    const report = /^\[\s*\{/m.exec(stdout);
    expect(report, stdout).not.toBeNull();
    const [packed] = JSON.parse(stdout.slice(report?.index)) as [{ filename: string; files: { path: string }[] }];
    files = packed.files.map((f) => f.path);
    tarball = join(dir, packed.filename);
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds before packing: the tarball holds every entry point of both builds', () => {
    for (const entry of ['index', 'verify', 'testing', 'schemas', 'express', 'next', 'hono']) {
      expect(files).toContain(`dist/${entry}.js`);
      expect(files).toContain(`dist/${entry}.cjs`);
      expect(files).toContain(`dist/${entry}.d.ts`);
    }
  });

  it('installs into an empty project, and imports and works by name', async () => {
    const app = join(dir, 'app');
    await run('mkdir', ['-p', join(app, 'node_modules')]);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run('tar', ['-xzf', tarball, '-C', join(app, 'node_modules')]);
    await run('mv', [join(app, 'node_modules', 'package'), join(app, 'node_modules', 'polar-webhooks')]);
    await symlink(join(ROOT, 'node_modules', 'zod'), join(app, 'node_modules', 'zod'), 'dir');
    const script = [
      "import { createWebhooks, EVENT_TYPES } from 'polar-webhooks';",
      "import { signPayload, createEvent } from 'polar-webhooks/testing';",
      "const secret = 'whsec_' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');",
      'const webhooks = createWebhooks({ secret });',
      'let seen = 0;',
      "webhooks.on('order.paid', () => { seen++; });",
      "const body = JSON.stringify(createEvent('order.paid'));",
      "const request = new Request('http://localhost/', { method: 'POST', body, headers: signPayload({ body, secret }) });",
      'const response = await webhooks.handle(request);',
      'console.log(JSON.stringify({ status: response.status, seen, types: EVENT_TYPES.length }));',
    ].join('\n');
    await writeFile(join(app, 'probe.mjs'), script);
    const { stdout } = await run(process.execPath, ['probe.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ status: 202, seen: 1, types: 42 });
  });
});
