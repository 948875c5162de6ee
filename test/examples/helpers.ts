/**
 * Shared by the example tests: copy an example from examples/ into a temporary project whose
 * node_modules holds exactly the packages its package.json names (polar-webhooks being a copy of
 * the BUILT package of this repository, the others linked from the repository's node_modules), run its
 * processes, and sign deliveries with the built `polar-webhooks/testing`.
 *
 * Run `npm run build` first (`npm test` does); POLAR_WEBHOOKS_DIST points the tests at another build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built package the examples run against. */
export const DIST = process.env.POLAR_WEBHOOKS_DIST ?? path.join(ROOT, 'dist');

/** A Standard Webhooks secret, as Polar shows for endpoints made since 2026-09-08. */
export const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** `polar-webhooks/testing`, loaded from the build and typed from the sources it was built from. */
export type TestingModule = typeof import('../../src/testing/index');

/** Loads `polar-webhooks/testing` from the example's copy of the built package (the file a user's `import` gets). */
export async function loadTesting(example: PreparedExample): Promise<TestingModule> {
  const file = path.join(example.dir, 'node_modules', 'polar-webhooks', 'dist', 'testing.js');
  return (await import(pathToFileURL(file).href)) as TestingModule;
}

interface ExamplePackageJson {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** Whether `version` satisfies a caret range `^x.y.z` (the only kind the examples use). */
export function satisfiesCaret(version: string, range: string): boolean {
  const want = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const have = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!want || !have) return false;
  const [w, h] = [want.slice(1).map(Number), have.slice(1).map(Number)] as [number[], number[]];
  const firstNonZero = w.findIndex((part) => part !== 0);
  const fixed = firstNonZero === -1 ? 3 : firstNonZero + 1; // ^0.1.0 fixes 0.1, ^1.2.3 fixes 1
  for (let i = 0; i < 3; i++) {
    if (i < fixed && h[i] !== w[i]) return false;
    if (h[i]! > w[i]!) return true;
    if (h[i]! < w[i]!) return false;
  }
  return true;
}

function installedVersion(dir: string): string {
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A temporary copy of an example, ready to run. */
export interface PreparedExample {
  /** The copy's directory. */
  readonly dir: string;
  /** The example's package.json. */
  readonly packageJson: ExamplePackageJson;
  /** Deletes the copy. */
  remove(): Promise<void>;
}

/**
 * Copies examples/<name> to a temporary directory and gives it a node_modules with what its
 * package.json lists, and nothing else: `polar-webhooks` as the built package (a copy of its
 * package.json and dist/, which then finds its peer `zod` only if the example lists it), every
 * other dependency linked from the repository's node_modules. A dependency that is missing, or
 * whose installed version is outside the example's range, fails the test: the package.json must
 * tell users the truth. Dev dependencies not installed here (deploy tools) are skipped.
 */
export async function prepareExample(name: string): Promise<PreparedExample> {
  for (const file of ['index.js', 'index.d.ts', 'testing.js', 'express.d.ts', 'next.d.ts', 'hono.d.ts']) {
    if (!existsSync(path.join(DIST, file))) {
      throw new Error(
        `${path.join(DIST, file)} is missing: the examples run the built package. Run \`npm run build\` first.`,
      );
    }
  }
  const source = path.join(ROOT, 'examples', name);
  const dir = await mkdtemp(path.join(os.tmpdir(), `polar-webhooks-example-${name}-`));
  try {
    await cp(source, dir, {
      recursive: true,
      filter: (from) => !/[\\/](node_modules|\.next|dist)$/.test(from),
    });
    const packageJson = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as ExamplePackageJson;
    const modules = path.join(dir, 'node_modules');
    const ownVersion = installedVersion(ROOT);
    const wanted = [
      ...Object.entries(packageJson.dependencies ?? {}).map(([pkg, range]) => ({ pkg, range, required: true })),
      ...Object.entries(packageJson.devDependencies ?? {}).map(([pkg, range]) => ({ pkg, range, required: false })),
    ];
    for (const { pkg, range, required } of wanted) {
      const target = path.join(modules, pkg);
      await mkdir(path.dirname(target), { recursive: true });
      if (pkg === 'polar-webhooks') {
        if (!satisfiesCaret(ownVersion, range))
          throw new Error(`examples/${name}: polar-webhooks ${range} does not match ${ownVersion}`);
        await mkdir(target);
        await copyFile(path.join(ROOT, 'package.json'), path.join(target, 'package.json'));
        // A copy, not a link: a rebuild of dist/ while the example runs must not pull files from under it.
        await cp(DIST, path.join(target, 'dist'), { recursive: true });
        continue;
      }
      const installed = path.join(ROOT, 'node_modules', pkg);
      if (!existsSync(path.join(installed, 'package.json'))) {
        if (required) throw new Error(`examples/${name} depends on ${pkg}, which is not installed in the repository`);
        continue;
      }
      const version = installedVersion(installed);
      if (!satisfiesCaret(version, range)) {
        throw new Error(
          `examples/${name} asks for ${pkg}@${range}, but the tests run it with ${version}: update the range`,
        );
      }
      await symlink(installed, target, 'dir');
    }
    return { dir, packageJson, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A child process whose output is kept, with a way to wait for a line. */
export interface RunningProcess {
  /** Everything written to stdout and stderr so far, interleaved in arrival order. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (now or later); rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the process has ended. */
  exited(): Promise<number | null>;
  /** Sends SIGTERM (SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `command` with `args`; its output is collected for {@link RunningProcess.waitFor}. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): RunningProcess {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      for (const check of waiters) check();
      resolve(code);
    });
    child.once('error', (error) => {
      text += `\n[spawn error] ${error.message}\n`;
      resolve(null);
    });
  });
  return {
    output: () => text,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(text);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(`process ended (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${text}`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${text}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exit,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exit;
      clearTimeout(killer);
    },
  };
}

/** Runs a command to completion; rejects with its output when it exits non-zero or overruns `timeoutMs`. */
export async function runToCompletion(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  const running = startProcess(command, args, options);
  const timer = setTimeout(() => void running.stop(), options.timeoutMs);
  const code = await running.exited();
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}:\n${running.output()}`);
  return running.output();
}

export { freePort } from '../integration/helpers';

/** A delivery ready to POST: the exact body and its headers. */
export interface Delivery {
  readonly id: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Signs `payload` (serialized once, as sent) with the built `signPayload`. */
export function signed(testing: TestingModule, payload: unknown, secret = SECRET): Delivery {
  const body = JSON.stringify(payload);
  const headers = testing.signPayload({ body, secret });
  return { id: headers['webhook-id'], body, headers: { 'content-type': 'application/json', ...headers } };
}

/** The same delivery with one byte of the body changed after signing. */
export function tampered(delivery: Delivery): Delivery {
  const body = delivery.body.replace(
    /"total_amount":(\d+)/,
    (_, amount: string) => `"total_amount":${Number(amount) + 1}`,
  );
  if (body === delivery.body) throw new Error('nothing to tamper with: the body has no total_amount');
  return { ...delivery, body };
}

/** POSTs a delivery; resolves with the status and the body text. */
export async function post(url: string, delivery: Delivery): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', body: delivery.body, headers: delivery.headers });
  return { status: response.status, text: await response.text() };
}

/** Escapes text for use inside a RegExp. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Resolves when `url` answers any HTTP request, polling until `deadline` (ms since epoch). */
export async function waitUntilServing(url: string, deadline: number, describe: () => string): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(url, { method: 'GET' });
      await response.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer in time:\n${describe()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
