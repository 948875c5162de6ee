import { builtinModules } from 'node:module';
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
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

/** The library: every entry point, ESM and CommonJS, with declarations, no Node built-in. */
const library: Options = {
  entry: {
    index: 'src/index.ts',
    verify: 'src/verify/index.ts',
    testing: 'src/testing/index.ts',
    schemas: 'src/schemas.ts',
    express: 'src/adapters/express.ts',
    next: 'src/adapters/next.ts',
    hono: 'src/adapters/hono.ts',
    stores: 'src/stores/index.ts',
    sveltekit: 'src/adapters/sveltekit.ts',
    nuxt: 'src/adapters/nuxt.ts',
    astro: 'src/adapters/astro.ts',
    'react-router': 'src/adapters/react-router.ts',
    'tanstack-start': 'src/adapters/tanstack-start.ts',
    'better-auth': 'src/adapters/better-auth.ts',
    capture: 'src/capture/index.ts',
    fastify: 'src/adapters/fastify.ts',
    koa: 'src/adapters/koa.ts',
    lambda: 'src/adapters/lambda.ts',
    elysia: 'src/adapters/elysia.ts',
    supabase: 'src/adapters/supabase.ts',
    bullmq: 'src/queues/bullmq.ts',
    'pg-boss': 'src/queues/pg-boss.ts',
    lifecycle: 'src/lifecycle/index.ts',
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
};

/** The library's entry files (absolute paths), each with the package specifier that loads it. */
const PUBLISHED = new Map(
  Object.entries(library.entry as Record<string, string>).map(([name, file]) => [
    resolve(file),
    name === 'index' ? 'polar-webhooks' : `polar-webhooks/${name}`,
  ]),
);
const CLI_SOURCE = resolve('src/cli');

/**
 * The bin reaches the library only through its entry points, by the package's own name (Node resolves
 * a package's imports of itself through its `exports`): dist/cli.js carries no second copy of the
 * library, adds nothing to its bundles, and diagnoses with the very code an app runs. Importing any
 * other module of the library from src/cli fails the build.
 */
const throughEntryPoints: EsbuildPlugin = {
  name: 'through-entry-points',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const found = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      const specifier = PUBLISHED.get(found.path);
      if (specifier !== undefined) return { path: specifier, external: true };
      if (found.path.startsWith(CLI_SOURCE + sep)) return { path: found.path };
      return {
        errors: [
          {
            text:
              `${relative(process.cwd(), args.importer)} imports "${args.path}", which no entry point exports. The bin ` +
              `uses the library only through ${[...PUBLISHED.values()].join(', ')}: import from one of them.`,
          },
        ],
      };
    });
    build.onStart(afterLibraryCleaned);
  },
};

const CONFIG_LOADED_SECOND = Math.floor(Date.now() / 1000) * 1000;

/**
 * tsup builds both configs at once, and the library's `clean` empties dist/ as its build starts: a bin
 * written before that would be deleted. So the bin's build first waits for the library to write a file
 * of this build (proof that the cleaning is over).
 */
async function afterLibraryCleaned(): Promise<void> {
  const marker = resolve(library.outDir ?? 'dist', 'index.js');
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    try {
      if (statSync(marker).mtimeMs >= CONFIG_LOADED_SECOND) return;
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50).unref());
  }
}

/** The `polar-webhooks` bin: Node only, ESM, one file, no declarations. */
const cli: Options = {
  name: 'cli',
  entry: { cli: 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  dts: false,
  splitting: false,
  treeshake: false,
  sourcemap: false,
  clean: false,
  minify: false,
  removeNodeProtocol: false,
  esbuildPlugins: [throughEntryPoints],
};

export default defineConfig([library, cli]);
