import { join } from 'node:path';
import { EdgeVM } from '@edge-runtime/vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleForEdge, nodeImportsIn } from './bundle';
import { expectProbe, usePackedInstall, type ProbeResults } from './harness';

describe("Vercel's Edge runtime (@edge-runtime/vm): a bundle of the packed package", () => {
  const setup = usePackedInstall();
  let script: string;

  beforeAll(async () => {
    const bundle = await bundleForEdge({
      entry: join(setup.installed.dir, 'edge.mjs'),
      resolveDir: setup.installed.dir,
      target: 'edge-light',
      format: 'iife',
    });
    script = bundle.code;
  });

  it('verifies, validates and routes with Web Crypto only; the sync verifier says it is unsupported', async () => {
    expect(nodeImportsIn(script)).toEqual([]);
    const vm = new EdgeVM();
    // The Edge runtime has no `process` at all: nothing of Node is reachable.
    expect(vm.evaluate('typeof process')).toBe('undefined');
    vm.evaluate(script);
    const run = vm.evaluate('globalThis.runProbe') as (json: string) => Promise<string>;
    const results = JSON.parse(await run(JSON.stringify(setup.input))) as ProbeResults;
    expect(results.runtime).toEqual({ hasProcess: false, hasGetBuiltinModule: false });
    expectProbe(results, setup.input, 'unsupported');
  });
});
