import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForEdge, EDGE_CONDITIONS, NODE_BUILTIN_ERROR, nodeImportsIn, type EdgeTarget } from './bundle';
import { installPackedPackage, type Installation } from './harness';

/** Entry points that must bundle for Workers and Edge. `./express` is Node-only by nature, but loads anywhere too. */
const ENTRIES = [
  'polar-webhooks',
  'polar-webhooks/schemas',
  'polar-webhooks/testing',
  'polar-webhooks/next',
  'polar-webhooks/hono',
  'polar-webhooks/express',
  'polar-webhooks/stores',
  'polar-webhooks/sveltekit',
  'polar-webhooks/nuxt',
  'polar-webhooks/astro',
  'polar-webhooks/react-router',
  'polar-webhooks/tanstack-start',
  'polar-webhooks/better-auth',
  'polar-webhooks/lambda',
  'polar-webhooks/elysia',
  'polar-webhooks/supabase',
  'polar-webhooks/fastify',
  'polar-webhooks/koa',
  'polar-webhooks/lifecycle',
  'polar-webhooks/capture',
];
const TARGETS = Object.keys(EDGE_CONDITIONS) as EdgeTarget[];

describe('edge bundles of every entry point (esbuild, Node built-ins unavailable)', () => {
  let installed: Installation;

  beforeAll(async () => {
    installed = await installPackedPackage();
  });
  afterAll(async () => {
    await installed?.remove();
  });

  for (const target of TARGETS) {
    for (const entry of ENTRIES) {
      it(`${entry} for ${target}: the ESM build, no node: import`, async () => {
        const { code, metafile } = await bundleForEdge({
          contents: `export * from '${entry}';`,
          resolveDir: installed.dir,
          target,
          format: 'esm',
        });
        // The edge conditions pick the ESM build, never the CommonJS one.
        const fromPackage = Object.keys(metafile.inputs).filter((file) => file.includes('polar-webhooks/dist/'));
        expect(fromPackage.length).toBeGreaterThan(0);
        expect(fromPackage.filter((file) => !file.endsWith('.js'))).toEqual([]);
        expect(nodeImportsIn(code)).toEqual([]);
        const external = Object.values(metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
        expect(external).toEqual([]);
      });
    }
  }

  it('the check fails a bundle that imports a Node built-in, with or without the node: prefix', async () => {
    for (const specifier of ['node:crypto', 'crypto', 'node:http']) {
      await expect(
        bundleForEdge({
          contents: `import * as m from '${specifier}'; export { m };`,
          resolveDir: installed.dir,
          target: 'workerd',
          format: 'esm',
        }),
      ).rejects.toThrow(NODE_BUILTIN_ERROR);
    }
  });

  it('nodeImportsIn finds imports and requires of node:*, not a string passed to getBuiltinModule', () => {
    const code = [
      'import a from "node:fs";',
      "const b = await import('node:http');",
      'const c = require("node:crypto");',
      'const d = process.getBuiltinModule("node:crypto");',
    ].join('\n');
    expect(nodeImportsIn(code)).toEqual(['node:fs', 'node:http', 'node:crypto']);
  });
});
