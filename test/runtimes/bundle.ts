/**
 * Bundles code the way edge platforms do (esbuild, their resolve conditions, no Node built-ins),
 * so the runtime tests run what a Workers or Vercel Edge deployment would run.
 */
import { builtinModules } from 'node:module';
import { build, type Metafile, type Plugin } from 'esbuild';

/** The resolve conditions of each edge platform's bundler, most specific first. */
export const EDGE_CONDITIONS = {
  /** Cloudflare's wrangler. */
  workerd: ['workerd', 'worker', 'browser'],
  /** Next.js / Vercel Edge Functions. */
  'edge-light': ['edge-light', 'worker', 'browser'],
} as const;

/** The edge platforms {@link EDGE_CONDITIONS} knows. */
export type EdgeTarget = keyof typeof EDGE_CONDITIONS;

const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/\//g, '\\/')).join('|')})(\\/.*)?$`);

/** The marker every error of {@link noNodeBuiltins} carries. */
export const NODE_BUILTIN_ERROR = 'Node built-in imported in an edge bundle';

/**
 * Makes any import of a Node built-in (`node:crypto`, `crypto`, `node:http`, …) a build error, as
 * on platforms that do not have them. A runtime lookup such as `process.getBuiltinModule('node:crypto')`
 * is not an import and passes.
 */
export const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: NODE_BUILTIN }, (args) => ({
      errors: [{ text: `${NODE_BUILTIN_ERROR}: "${args.path}" (imported by ${args.importer})` }],
    }));
  },
};

/** Static or dynamic imports and requires of `node:*` modules left in bundled code. */
export function nodeImportsIn(code: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](node:[^"']+)["']/g;
  for (const match of code.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

/** Options of {@link bundleForEdge}. */
export interface EdgeBundleOptions {
  /** An entry file; or give `contents`. */
  readonly entry?: string;
  /** The entry's source code, when there is no entry file. */
  readonly contents?: string;
  /** Where bare imports are resolved from (a directory with node_modules). */
  readonly resolveDir: string;
  /** Which platform's resolve conditions to use. */
  readonly target: EdgeTarget;
  /** `esm` for Workers, `iife` for a VM that evaluates scripts. */
  readonly format: 'esm' | 'iife';
}

/** The bundled code and esbuild's metafile. */
export interface EdgeBundle {
  readonly code: string;
  readonly metafile: Metafile;
}

/** Bundles for an edge platform; rejects if anything imports a Node built-in. */
export async function bundleForEdge(options: EdgeBundleOptions): Promise<EdgeBundle> {
  const result = await build({
    ...(options.entry !== undefined
      ? { entryPoints: [options.entry], absWorkingDir: options.resolveDir }
      : { stdin: { contents: options.contents ?? '', resolveDir: options.resolveDir, loader: 'js' } }),
    bundle: true,
    write: false,
    outfile: 'bundle.js',
    format: options.format,
    platform: 'neutral',
    target: 'es2022',
    conditions: [...EDGE_CONDITIONS[options.target]],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return { code: output.text, metafile: result.metafile };
}
