import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** Every Node built-in, with and without the `node:` prefix (`crypto`, `node:crypto`, `node:sqlite`, …). */
const NODE_BUILTIN = new RegExp(
  `^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?$`,
);

/**
 * Fails the build when a runtime import of a Node built-in creeps into any entry point. Every entry
 * must load on Cloudflare Workers and Vercel Edge, where those modules do not exist; `node:crypto`
 * is reached at run time through `process.getBuiltinModule` instead. Type-only imports are erased
 * before resolution, so they are fine.
 */
const noNodeBuiltins: EsbuildPlugin = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve({ filter: NODE_BUILTIN }, (args) => ({
      errors: [
        {
          text:
            `${relative(process.cwd(), args.importer)} imports the Node built-in "${args.path}". Entry points must run on Workers and Edge: ` +
            "reach it at run time with globalThis.process.getBuiltinModule (see src/verify/hmac-node.ts), or use 'import type'.",
        },
      ],
    }));
  },
};

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    verify: 'src/verify/index.ts',
    testing: 'src/testing/index.ts',
    schemas: 'src/schemas.ts',
    express: 'src/adapters/express.ts',
    next: 'src/adapters/next.ts',
    hono: 'src/adapters/hono.ts',
    stores: 'src/stores/index.ts',
  },
  // ESM (.js, for `import` and every edge/browser condition) and CommonJS (.cjs, for `require`).
  format: ['esm', 'cjs'],
  target: 'es2022',
  platform: 'neutral',
  // .d.ts for the ESM build, .d.cts for the CommonJS one.
  dts: true,
  // Splitting in BOTH formats: modules shared by several entry points (the error classes above
  // all) go to shared chunks, so `polar-webhooks` and `polar-webhooks/express` hand out the very
  // same classes and `instanceof` holds across entry points, in ESM and in CommonJS alike.
  splitting: true,
  // esbuild's own tree shaking. The ESM chunks stay statement-granular and, with
  // `"sideEffects": false`, an app's bundler drops every chunk it does not use (the zod schemas
  // when only the verifier is imported).
  treeshake: false,
  sourcemap: false,
  clean: true,
  minify: false,
  // Keep `node:` specifiers as written so the guard below sees them (tsup strips the prefix by default).
  removeNodeProtocol: false,
  esbuildPlugins: [noNodeBuiltins],
});
