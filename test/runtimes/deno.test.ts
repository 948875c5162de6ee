import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, expectProbe, runJson, usePackedInstall } from './harness';

describe('Deno: the packed package from node_modules, offline', () => {
  const setup = usePackedInstall();

  it('works through import of every entry point', async () => {
    // --no-remote and --cached-only: nothing is fetched; bare specifiers resolve from node_modules.
    const results = await runJson(
      join(BIN, 'deno'),
      [
        'run',
        '--no-remote',
        '--cached-only',
        '--no-prompt',
        `--allow-read=${setup.installed.dir},${join(ROOT, 'node_modules')}`,
        'esm.mjs',
        setup.inputFile,
      ],
      setup.installed.dir,
      { DENO_DIR: join(setup.installed.dir, '.deno'), DENO_NO_UPDATE_CHECK: '1' },
    );
    expect(results.resolved).toBe(`file://${join(setup.installed.packageDir, 'dist', 'index.js')}`);
    expect(results.runtime).toEqual({ hasProcess: true, hasGetBuiltinModule: true });
    expectProbe(results, setup.input, 'works');
  });
});
