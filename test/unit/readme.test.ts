/**
 * Every TypeScript example in README.md compiles against the built package, with bundler and with
 * Node.js (`nodenext`) module resolution, so the documentation cannot drift from the API. Names an example leaves to the reader (`fulfilOrder`, the app's own
 * `webhooks` module) are declared for it; the Bun and Deno examples need those runtimes' own types
 * and are run for real by the runtime tests instead.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

/** Declarations for what an example assumes the reader's app already has. */
const AMBIENT: Record<string, string> = {
  fulfilOrder: 'declare function fulfilOrder(id: string, options?: { idempotencyKey: string }): Promise<void>;',
  revokeAccess: 'declare function revokeAccess(customerId: string): Promise<void>;',
  json: 'declare const json: unknown;',
  payload: 'declare const payload: unknown;',
  webhooks: "declare const webhooks: import('polar-webhooks').WebhookRouter;",
  fulfil: 'declare function fulfil(id: string, webhookId: string): Promise<void>;',
  app: "declare const app: import('express').Express;",
};

/**
 * The app's own module that builds the router, under whatever path an example gives it
 * (`@/lib/webhooks`, `$lib/server/webhooks`, `~/webhooks.server`, `../../utils/webhooks`), as one file.
 */
function localWebhooks(code: string): string {
  return code.replace(
    /from '(?:[@$~][\w-]*\/|\.\.?\/)(?:[\w.-]+\/)*webhooks(?:\.server)?(?:\.js)?'/g,
    "from './webhooks.js'",
  );
}

function declares(code: string, name: string): boolean {
  return new RegExp(`(?:const|let|function)\\s+${name}\\b|import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}`).test(code);
}

const dir = mkdtempSync(join(ROOT, 'test', '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('has a TypeScript example for every entry point', () => {
    for (const entry of [
      "'polar-webhooks'",
      "'polar-webhooks/express'",
      "'polar-webhooks/next'",
      "'polar-webhooks/hono'",
      "'polar-webhooks/testing'",
      "'polar-webhooks/schemas'",
      "'polar-webhooks/stores'",
      "'polar-webhooks/capture'",
      "'polar-webhooks/lifecycle'",
      "'polar-webhooks/bullmq'",
      "'polar-webhooks/pg-boss'",
      "'polar-webhooks/fastify'",
      "'polar-webhooks/koa'",
      "'polar-webhooks/lambda'",
      "'polar-webhooks/elysia'",
      "'polar-webhooks/sveltekit'",
      "'polar-webhooks/nuxt'",
      "'polar-webhooks/astro'",
      "'polar-webhooks/react-router'",
      "'polar-webhooks/tanstack-start'",
      "'polar-webhooks/better-auth'",
    ]) {
      expect(
        blocks.some((b) => b.includes(`from ${entry}`)),
        entry,
      ).toBe(true);
    }
  });

  it('every one type-checks against the built package, under bundler and under Node.js module resolution', () => {
    const problems: string[] = [];
    // The examples import the package by name: from a folder with a package.json of its own, as
    // an app has, that name must come from node_modules.
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'polar-webhooks'), 'dir');
    for (const resolution of ['bundler', 'nodenext'] as const) {
      const sub = join(dir, resolution);
      mkdirSync(sub, { recursive: true });
      // Under nodenext the files are ES modules, as in an app whose package.json says "type": "module".
      writeFileSync(join(sub, 'package.json'), JSON.stringify({ type: 'module' }));
      writeFileSync(
        join(sub, 'webhooks.ts'),
        "import { createWebhooks } from 'polar-webhooks';\n" +
          'export const webhooks = createWebhooks({ secret: () => process.env.POLAR_WEBHOOK_SECRET });\n',
      );
      const files: string[] = [];
      blocks.forEach((code, i) => {
        // Bun and Deno examples run for real in the runtime tests. The Better Auth one needs
        // @polar-sh/better-auth, whose published types test/integration/better-auth.test.ts checks it
        // against; TanStack Start types route paths by the app's generated route tree, which
        // test/integration/tanstack-start.test.ts has.
        const needsAnApp = ["from '@polar-sh/better-auth'", "from '@tanstack/react-start/server'"];
        if (/\b(Bun|Deno)\./.test(code) || needsAnApp.some((marker) => code.includes(marker))) return;
        const ambient = Object.entries(AMBIENT)
          .filter(([name]) => new RegExp(`\\b${name}\\b`).test(code) && !declares(code, name))
          .map(([, declaration]) => declaration);
        const file = join(sub, `block-${i}.ts`);
        writeFileSync(file, `${localWebhooks(code)}\n${ambient.join('\n')}\nexport {};\n`);
        files.push(file);
      });
      expect(files.length).toBeGreaterThan(10);
      const nodenext = resolution === 'nodenext';
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: nodenext ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
        moduleResolution: nodenext ? ts.ModuleResolutionKind.NodeNext : ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
      });
      for (const d of ts.getPreEmitDiagnostics(program)) {
        const where = d.file
          ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
          : '';
        problems.push(`${resolution} ${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
