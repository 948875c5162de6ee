import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectProbe, runJson, usePackedInstall } from './harness';

describe('Node 20: the packed package, by name', () => {
  const setup = usePackedInstall({ withExpress: true });

  it('works through import of every entry point (ESM build)', async () => {
    const results = await runJson(process.execPath, ['esm.mjs', setup.inputFile], setup.installed.dir);
    expect(results.resolved).toBe(`file://${join(setup.installed.packageDir, 'dist', 'index.js')}`);
    expect(results.runtime).toEqual({ hasProcess: true, hasGetBuiltinModule: true });
    expectProbe(results, setup.input, 'works');
  });

  it('works through require of every entry point (CommonJS build)', async () => {
    const results = await runJson(process.execPath, ['cjs.cjs', setup.inputFile], setup.installed.dir);
    expect(results.resolved).toBe(join(setup.installed.packageDir, 'dist', 'index.cjs'));
    expectProbe(results, setup.input, 'works');
  });
});
