import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildProbeInput,
  expectProbe,
  installPackedPackage,
  runJson,
  writeInput,
  type Installation,
  type ProbeInput,
} from './harness';

describe('Node 20: the packed package, by name', () => {
  let installed: Installation;
  let input: ProbeInput;
  let inputFile: string;

  beforeAll(async () => {
    installed = await installPackedPackage();
    input = await buildProbeInput({ withExpress: true });
    inputFile = await writeInput(installed.dir, input);
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('works through import of every entry point (ESM build)', async () => {
    const results = await runJson(process.execPath, ['esm.mjs', inputFile], installed.dir);
    expect(results.resolved).toBe(`file://${join(installed.packageDir, 'dist', 'index.js')}`);
    expect(results.runtime).toEqual({ hasProcess: true, hasGetBuiltinModule: true });
    expectProbe(results, input, 'works');
  });

  it('works through require of every entry point (CommonJS build)', async () => {
    const results = await runJson(process.execPath, ['cjs.cjs', inputFile], installed.dir);
    expect(results.resolved).toBe(join(installed.packageDir, 'dist', 'index.cjs'));
    expectProbe(results, input, 'works');
  });
});
