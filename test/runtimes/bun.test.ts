import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  buildProbeInput,
  expectProbe,
  installPackedPackage,
  runJson,
  writeInput,
  type Installation,
  type ProbeInput,
} from './harness';

describe('Bun: the packed package, by name', () => {
  let installed: Installation;
  let input: ProbeInput;
  let inputFile: string;
  const bun = join(BIN, 'bun');

  beforeAll(async () => {
    installed = await installPackedPackage();
    input = await buildProbeInput({ withExpress: true });
    inputFile = await writeInput(installed.dir, input);
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('works through import (ESM build), node:crypto reached via process.getBuiltinModule', async () => {
    const results = await runJson(bun, ['run', '--no-install', 'esm.mjs', inputFile], installed.dir);
    expect(results.resolved).toBe(`file://${join(installed.packageDir, 'dist', 'index.js')}`);
    expect(results.runtime).toEqual({ hasProcess: true, hasGetBuiltinModule: true });
    expectProbe(results, input, 'works');
  });

  it('works through require (CommonJS build)', async () => {
    const results = await runJson(bun, ['run', '--no-install', 'cjs.cjs', inputFile], installed.dir);
    expect(results.resolved).toBe(join(installed.packageDir, 'dist', 'index.cjs'));
    expectProbe(results, input, 'works');
  });
});
