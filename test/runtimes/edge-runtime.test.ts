import { join } from 'node:path';
import { EdgeVM } from '@edge-runtime/vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForEdge, nodeImportsIn } from './bundle';
import {
  buildProbeInput,
  expectProbe,
  installPackedPackage,
  type Installation,
  type ProbeInput,
  type ProbeResults,
} from './harness';

describe("Vercel's Edge runtime (@edge-runtime/vm): a bundle of the packed package", () => {
  let installed: Installation;
  let input: ProbeInput;
  let script: string;

  beforeAll(async () => {
    installed = await installPackedPackage();
    input = await buildProbeInput();
    const bundle = await bundleForEdge({
      entry: join(installed.dir, 'edge.mjs'),
      resolveDir: installed.dir,
      target: 'edge-light',
      format: 'iife',
    });
    script = bundle.code;
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('verifies, validates and routes with Web Crypto only; the sync verifier says it is unsupported', async () => {
    expect(nodeImportsIn(script)).toEqual([]);
    const vm = new EdgeVM();
    // The Edge runtime has no `process` at all: nothing of Node is reachable.
    expect(vm.evaluate('typeof process')).toBe('undefined');
    vm.evaluate(script);
    const run = vm.evaluate('globalThis.runProbe') as (json: string) => Promise<string>;
    const results = JSON.parse(await run(JSON.stringify(input))) as ProbeResults;
    expect(results.runtime).toEqual({ hasProcess: false, hasGetBuiltinModule: false });
    expectProbe(results, input, 'unsupported');
  });
});
