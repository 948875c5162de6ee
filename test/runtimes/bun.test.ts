import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, expectProbe, runJson, usePackedInstall } from './harness';

describe('Bun: the packed package, by name', () => {
  const setup = usePackedInstall({ withExpress: true });
  const bun = join(BIN, 'bun');

  it('works through import (ESM build), node:crypto reached via process.getBuiltinModule', async () => {
    const results = await runJson(bun, ['run', '--no-install', 'esm.mjs', setup.inputFile], setup.installed.dir);
    expect(results.resolved).toBe(`file://${join(setup.installed.packageDir, 'dist', 'index.js')}`);
    expect(results.runtime).toEqual({ hasProcess: true, hasGetBuiltinModule: true });
    expectProbe(results, setup.input, 'works');
  });

  it('works through require (CommonJS build)', async () => {
    const results = await runJson(bun, ['run', '--no-install', 'cjs.cjs', setup.inputFile], setup.installed.dir);
    expect(results.resolved).toBe(join(setup.installed.packageDir, 'dist', 'index.cjs'));
    expectProbe(results, setup.input, 'works');
  });
});
