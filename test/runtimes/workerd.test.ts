import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForEdge, nodeImportsIn } from './bundle';
import { expectProbe, usePackedInstall, type ProbeResults } from './harness';

interface Config {
  readonly name: string;
  readonly options: { compatibilityDate: string; compatibilityFlags?: string[] };
  readonly sync: 'works' | 'unsupported';
}

/** The two ways a Worker can be configured: plain Web APIs, or with Node's APIs added. */
const CONFIGS: readonly Config[] = [
  { name: 'without nodejs_compat', options: { compatibilityDate: '2025-09-01' }, sync: 'unsupported' },
  {
    name: 'with nodejs_compat',
    options: { compatibilityDate: '2025-09-01', compatibilityFlags: ['nodejs_compat'] },
    sync: 'works',
  },
];

describe('Cloudflare workerd (Miniflare): a worker bundled from the packed package', () => {
  const setup = usePackedInstall();
  let script: string;
  const workers: Miniflare[] = [];

  beforeAll(async () => {
    const bundle = await bundleForEdge({
      entry: join(setup.installed.dir, 'worker.mjs'),
      resolveDir: setup.installed.dir,
      target: 'workerd',
      format: 'esm',
    });
    script = bundle.code;
  });
  afterAll(async () => {
    await Promise.all(workers.map((mf) => mf.dispose()));
  });

  it('bundles with no Node built-in import', () => {
    expect(script.length).toBeGreaterThan(0);
    expect(nodeImportsIn(script)).toEqual([]);
  });

  for (const config of CONFIGS) {
    it(`verifies, validates and routes ${config.name}`, async () => {
      const mf = new Miniflare({ modules: true, script, ...config.options });
      workers.push(mf);
      const response = await mf.dispatchFetch('http://localhost/probe', {
        method: 'POST',
        body: JSON.stringify(setup.input),
      });
      expect(response.status).toBe(200);
      const results = (await response.json()) as ProbeResults;
      expect(results.runtime.hasGetBuiltinModule).toBe(config.sync === 'works');
      expectProbe(results, setup.input, config.sync);
    });
  }
});
