import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  ROOT,
  buildProbeInput,
  expectProbe,
  installPackedPackage,
  runJson,
  writeInput,
  type Installation,
  type ProbeInput,
} from './harness';

describe('Deno: the packed package from node_modules, offline', () => {
  let installed: Installation;
  let input: ProbeInput;
  let inputFile: string;

  beforeAll(async () => {
    installed = await installPackedPackage();
    input = await buildProbeInput();
    inputFile = await writeInput(installed.dir, input);
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('works through import of every entry point', async () => {
    // --no-remote and --cached-only: nothing is fetched; bare specifiers resolve from node_modules.
    const results = await runJson(
      join(BIN, 'deno'),
      ['run', '--no-remote', '--cached-only', '--no-prompt', `--allow-read=${installed.dir},${join(ROOT, 'node_modules')}`, 'esm.mjs', inputFile],
      installed.dir,
      { DENO_DIR: join(installed.dir, '.deno'), DENO_NO_UPDATE_CHECK: '1' },
    );
    expect(results.resolved).toBe(`file://${join(installed.packageDir, 'dist', 'index.js')}`);
    expect(results.runtime).toEqual({ hasProcess: true, hasGetBuiltinModule: true });
    expectProbe(results, input, 'works');
  });
});
