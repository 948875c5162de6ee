import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, installPackedPackage, type Installation } from '../runtimes/harness';

const run = promisify(execFile);

type Target = string | { readonly [condition: string]: Target };

interface Manifest {
  readonly main: string;
  readonly module: string;
  readonly types: string;
  readonly sideEffects: boolean;
  readonly exports: Readonly<Record<string, Target>>;
  readonly typesVersions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const SUBPATHS = [
  '.',
  './verify',
  './testing',
  './schemas',
  './express',
  './next',
  './hono',
  './stores',
  './sveltekit',
  './nuxt',
  './astro',
  './react-router',
  './tanstack-start',
  './better-auth',
  './fastify',
  './koa',
  './lambda',
  './elysia',
  './supabase',
  './bullmq',
  './pg-boss',
  './lifecycle',
  './capture',
];
const EDGE_CONDITIONS = ['workerd', 'edge-light', 'worker', 'browser'];

/** Every file path an exports target can lead to, with the conditions that lead there. */
function leaves(target: Target, conditions: readonly string[] = []): { conditions: string[]; path: string }[] {
  if (typeof target === 'string') return [{ conditions: [...conditions], path: target }];
  return Object.entries(target).flatMap(([condition, next]) => leaves(next, [...conditions, condition]));
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '');
}

describe('the published package', () => {
  let installed: Installation;
  let manifest: Manifest;

  beforeAll(async () => {
    installed = await installPackedPackage();
    manifest = JSON.parse(await readFile(join(installed.packageDir, 'package.json'), 'utf8')) as Manifest;
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('ships dist, the readme, the changelog and the manifest only', () => {
    const outside = installed.files.filter((file) => !file.startsWith('dist/'));
    expect(outside.filter((file) => !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(file))).toEqual(
      [],
    );
    expect(installed.files.some((file) => file.endsWith('.map') || file.endsWith('.ts.map'))).toBe(false);
  });

  it('has an export for every entry point, each target in the tarball', () => {
    expect(Object.keys(manifest.exports).sort()).toEqual([...SUBPATHS, './package.json'].sort());
    const files = new Set(installed.files);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      for (const leaf of leaves(target))
        expect(files.has(normalise(leaf.path)), `${subpath} → ${leaf.path}`).toBe(true);
    }
    for (const field of [manifest.main, manifest.module, manifest.types])
      expect(files.has(normalise(field))).toBe(true);
    for (const [subpath, paths] of Object.entries(manifest.typesVersions['*'] ?? {})) {
      expect(SUBPATHS).toContain(`./${subpath}`);
      for (const path of paths) expect(files.has(normalise(path)), path).toBe(true);
    }
    expect(manifest.sideEffects).toBe(false);
  });

  it('ships the bin: an executable dist/cli.js that reaches the library only through its entry points', async () => {
    expect((manifest as Manifest & { bin?: unknown }).bin).toEqual({ 'polar-webhooks': './dist/cli.js' });
    const code = await readFile(join(installed.packageDir, 'dist', 'cli.js'), 'utf8');
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const specifiers = [...code.matchAll(/\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2]);
    expect(specifiers).toContain('polar-webhooks');
    for (const specifier of specifiers) {
      // Node built-ins, and the package's own entry points by name: no second copy of the library.
      expect(specifier).toMatch(/^node:|^polar-webhooks(\/[\w-]+)?$/);
      if (specifier?.startsWith('polar-webhooks')) expect(SUBPATHS).toContain(specifier.replace('polar-webhooks', '.'));
    }
    for (const file of installed.files.filter((f) => /^dist\/.*\.c?js$/.test(f) && f !== 'dist/cli.js')) {
      expect(await readFile(join(installed.packageDir, file), 'utf8'), file).not.toMatch(/cli\.js|src\/cli\//);
    }
    // Run as npm links it (node_modules/.bin), from the installed package: the shebang, the mode, and the
    // package resolving its own name there.
    const bin = join(installed.dir, 'node_modules', '.bin');
    await mkdir(bin, { recursive: true });
    await symlink(join('..', 'polar-webhooks', 'dist', 'cli.js'), join(bin, 'polar-webhooks'));
    const { stdout } = await run(join(bin, 'polar-webhooks'), ['--version'], { cwd: installed.dir });
    expect(stdout.trim()).toBe(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version);
    const refused = await run(
      join(bin, 'polar-webhooks'),
      [
        'trigger',
        'order.paid',
        '--url',
        'http://127.0.0.1:9/',
        '--secret',
        `whsec_${randomBytes(32).toString('base64')}`,
        '--json',
      ],
      { cwd: installed.dir },
    ).catch((error: { code?: number; stdout?: string }) => error);
    expect((refused as { code?: number }).code).toBe(1);
    expect(JSON.parse((refused as { stdout: string }).stdout)).toMatchObject({ sent: 1, failed: 1 });
  });

  it('sends import and every edge condition to ESM, require to CommonJS, each with its own types', () => {
    for (const subpath of SUBPATHS) {
      const target = manifest.exports[subpath] as Target;
      const all = leaves(target);
      for (const leaf of all) {
        const [first] = leaf.conditions;
        if (first === 'require')
          expect(leaf.path, `${subpath} ${leaf.conditions.join('.')}`).toMatch(/\.d\.cts$|\.cjs$/);
        else expect(leaf.path, `${subpath} ${leaf.conditions.join('.')}`).toMatch(/\.d\.ts$|\.js$/);
        if (leaf.conditions.at(-1) === 'types') expect(leaf.conditions.indexOf('types')).toBe(1);
      }
      // Edge conditions come before import/require, so an edge bundler never picks the CommonJS build.
      const order = Object.keys(target);
      for (const condition of EDGE_CONDITIONS) expect(order.indexOf(condition)).toBeLessThan(order.indexOf('require'));
      expect(order.at(-1)).toBe('default');
    }
  });

  it('keeps the CommonJS build CommonJS: no import/export statements, only relative chunks, zod and the optional peer bullmq required', async () => {
    const cjsFiles = installed.files.filter((file) => file.endsWith('.cjs'));
    expect(cjsFiles.length).toBeGreaterThan(SUBPATHS.length);
    for (const file of cjsFiles) {
      const code = await readFile(join(installed.packageDir, file), 'utf8');
      expect(code, file).not.toMatch(/^\s*(import|export)\s[^(]/m);
      const required = [...code.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1] as string);
      for (const specifier of required) expect(specifier, file).toMatch(/^\.\/[\w-]+\.cjs$|^zod(\/|$)|^bullmq$/);
    }
  });

  it('passes publint --strict', async () => {
    const { stdout } = await run(join(BIN, 'publint'), ['--strict', installed.packageDir], { cwd: installed.dir });
    expect(stdout).toContain('All good!');
  }, 60_000);

  it('passes @arethetypeswrong/cli for node10, node16 (CJS and ESM) and bundler resolution', async () => {
    const tarball = join(
      installed.dir,
      `polar-webhooks-${JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version}.tgz`,
    );
    const result = await run(join(BIN, 'attw'), [tarball, '--no-definitely-typed', '--format', 'json'], {
      cwd: installed.dir,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(result.stdout) as {
      analysis: { problems: unknown[]; entrypoints: Record<string, unknown> };
    };
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([...SUBPATHS, './package.json'].sort());
    expect(report.analysis.problems).toEqual([]);
  }, 60_000);

  /**
   * Type-checks a consumer and every declaration file of the installed package it reaches
   * (as with skipLibCheck off, but leaving other packages' declarations, zod's above all, unchecked).
   */
  async function typecheck(files: Record<string, string>, options: ts.CompilerOptions): Promise<string[]> {
    const names: string[] = [];
    for (const [name, text] of Object.entries(files)) {
      const path = join(installed.dir, name);
      await writeFile(path, text);
      names.push(path);
    }
    const program = ts.createProgram(names, { strict: true, noEmit: true, skipLibCheck: false, ...options });
    const ours = program
      .getSourceFiles()
      .filter((file) => names.includes(file.fileName) || file.fileName.startsWith(`${installed.packageDir}/`));
    expect(ours.filter((file) => file.isDeclarationFile).length).toBeGreaterThan(3);
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
    ];
    return diagnostics.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }

  it('declarations of the web-facing entry points type-check without @types/node (Workers, Edge)', async () => {
    const consumer = [
      "import { PolarWebhookError, createWebhooks, verifySignatureAsync, type PolarWebhookEvent } from 'polar-webhooks';",
      "import { signPayload } from 'polar-webhooks/testing';",
      "import * as schemas from 'polar-webhooks/schemas';",
      "import { Hono } from 'hono';",
      "import { createHonoHandler } from 'polar-webhooks/hono';",
      'export const app = new Hono().post("/webhooks", createHonoHandler(createWebhooks({ secret: "whsec_x" })));',
      'export const webhooks = createWebhooks({ secret: "whsec_x" });',
      'export async function check(body: string, headers: Headers): Promise<string> {',
      '  const { id } = await verifySignatureAsync(body, headers, "whsec_x");',
      '  return id;',
      '}',
      'export const signed: string = signPayload({ body: "{}", secret: "whsec_x" })["webhook-signature"];',
      'export const isError = (e: unknown): e is PolarWebhookError => e instanceof PolarWebhookError;',
      'export type Evt = PolarWebhookEvent;',
      'export const s = schemas;',
    ].join('\n');
    const errors = await typecheck(
      { 'edge-consumer.ts': consumer },
      {
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        customConditions: ['workerd'],
      },
    );
    expect(errors).toEqual([]);
  }, 60_000);
});
