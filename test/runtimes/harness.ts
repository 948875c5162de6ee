/**
 * Shared plumbing of the runtime tests: install the package the way a user gets it (`npm pack`,
 * then extract into a fresh `node_modules`), sign deliveries with an independent implementation
 * (node:crypto), run the probe in a child process, and assert what every runtime must show.
 */
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Executables installed by `npm ci`. */
export const BIN = join(ROOT, 'node_modules', '.bin');

/** Packages the probe loads besides polar-webhooks itself (linked from the repository's node_modules). */
const LINKED = ['zod', 'hono', 'express'];
const FIXTURE_SCRIPTS = ['probe.mjs', 'esm.mjs', 'cjs.cjs', 'worker.mjs', 'edge.mjs'];

/** Throws with the fix when `dist/` has not been built. */
export function assertBuilt(): void {
  for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']) {
    if (!existsSync(join(ROOT, file))) {
      throw new Error(
        `${file} is missing: the runtime tests run the built package. Run \`npm run build\` first (npm test does).`,
      );
    }
  }
}

/** A scratch project with the packed package installed in its node_modules. */
export interface Installation {
  /** The project directory (holds the probe scripts and `node_modules/`). */
  readonly dir: string;
  /** Where polar-webhooks was extracted. */
  readonly packageDir: string;
  /** The paths `npm pack` put in the tarball. */
  readonly files: readonly string[];
  /** Deletes the project. */
  remove(): Promise<void>;
}

/** `npm pack`s the repository and installs the tarball into a new scratch project. */
export async function installPackedPackage(): Promise<Installation> {
  assertBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'polar-webhooks-runtime-'));
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: ROOT,
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
  });
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  const modules = join(dir, 'node_modules');
  const packageDir = join(modules, 'polar-webhooks');
  await mkdir(packageDir, { recursive: true });
  await run('tar', ['-xzf', join(dir, packed.filename), '-C', packageDir, '--strip-components=1']);
  for (const name of LINKED) await symlink(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  for (const script of FIXTURE_SCRIPTS) {
    await copyFile(join(ROOT, 'test', 'runtimes', 'fixtures', script), join(dir, script));
  }
  // A package.json makes Deno resolve bare specifiers from node_modules, as Node and Bun do.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'runtime-probe', private: true, type: 'module' }));
  return {
    dir,
    packageDir,
    files: packed.files.map((f) => f.path),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One signed delivery. */
export interface ProbeCase {
  /** The event type the body carries. */
  readonly type?: string;
  /** The raw body, as signed. */
  readonly body: string;
  /** The three `webhook-*` headers. */
  readonly headers: Record<string, string>;
}

/** What the probe is given. */
export interface ProbeInput {
  readonly secret: string;
  readonly legacySecret: string;
  readonly url: string;
  readonly valid: readonly ProbeCase[];
  readonly tampered: ProbeCase;
  readonly legacy: ProbeCase;
  readonly invalid: ProbeCase;
  readonly withExpress?: boolean;
}

function sign(body: string, key: Uint8Array, timestamp: number): Record<string, string> {
  const id = `msg_${randomBytes(12).toString('hex')}`;
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

/**
 * The payload of every fixture of one API version (fixtures/<version>/; by default the oldest, the
 * version of endpoints created without a choice), as raw JSON text, keyed by event type.
 */
export async function readFixtures(version?: string): Promise<{ type: string; body: string }[]> {
  const versions = (await readdir(join(ROOT, 'fixtures'))).filter((name) => /^\d{4}-\d{2}$/.test(name)).sort();
  const dir = join(ROOT, 'fixtures', version ?? (versions[0] as string));
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  const out: { type: string; body: string }[] = [];
  for (const name of names) {
    const body = await readFile(join(dir, name), 'utf8');
    const { type } = JSON.parse(body) as { type: string };
    out.push({ type, body });
  }
  return out;
}

/**
 * Signed deliveries for the probe: every fixture (Standard Webhooks key), one tampered after
 * signing, one signed with a legacy secret, one verified but not matching its schema.
 */
export async function buildProbeInput(options: { withExpress?: boolean } = {}): Promise<ProbeInput> {
  const fixtures = await readFixtures();
  expect(fixtures.length).toBe(42);
  const keyBytes = randomBytes(32);
  const secret = `whsec_${keyBytes.toString('base64')}`;
  const legacySecret = `polar_whs_${randomBytes(24).toString('hex')}`;
  const now = Math.floor(Date.now() / 1000);
  const valid = fixtures.map(({ type, body }) => ({ type, body, headers: sign(body, keyBytes, now) }));
  const first = valid[0] as ProbeCase;
  // Valid JSON with an extra key the schemas tolerate: only the signature can reject it.
  const tamperedBody = `${first.body.trimEnd().slice(0, -1)},"tampered":true}`;
  const invalidBody = JSON.stringify({
    type: 'order.paid',
    timestamp: '2026-09-21T14:13:20.000000Z',
    api_version: '2026-10',
    data: { id: 42 },
  });
  return {
    secret,
    legacySecret,
    url: 'http://localhost/',
    valid,
    tampered: { type: first.type, body: tamperedBody, headers: first.headers },
    legacy: {
      type: first.type,
      body: first.body,
      headers: sign(first.body, new TextEncoder().encode(legacySecret), now),
    },
    invalid: { type: 'order.paid', body: invalidBody, headers: sign(invalidBody, keyBytes, now) },
    ...options,
  };
}

/** Runs a command in `cwd` and parses its stdout as JSON; fails with stderr on a non-zero exit. */
export async function runJson(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ProbeResults> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as ProbeResults;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr ?? ''}\n${(stdout ?? '').slice(0, 2000)}`, {
      cause: error,
    });
  }
}

/** An error as the probe reports it. */
export interface ProbeError {
  readonly threw: true;
  readonly name?: string;
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
  readonly isVerificationError?: boolean;
  readonly isConfigurationError?: boolean;
  readonly isPayloadError?: boolean;
  readonly isPolarError?: boolean;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

interface AdapterResults {
  readonly valid: Answer;
  readonly tampered: Answer;
  readonly invalid: Answer;
  readonly seen: readonly string[];
  readonly invalidError: ProbeError;
}

/** What the probe reports (see test/runtimes/fixtures/probe.mjs). */
export interface ProbeResults {
  readonly runtime: { readonly hasProcess: boolean; readonly hasGetBuiltinModule: boolean };
  readonly exports: Readonly<Record<string, readonly string[]>>;
  readonly shared: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
  readonly valid: readonly {
    readonly type: string;
    readonly verify: { readonly threw: false; readonly id: string; readonly scheme: string } | ProbeError;
    readonly validate: { readonly threw: false; readonly type: string } | ProbeError;
    readonly handle: Answer;
  }[];
  readonly seen: readonly { readonly type: string; readonly id: string }[];
  readonly routerErrors: readonly ProbeError[];
  readonly tampered: { readonly verify: ProbeError; readonly validate: ProbeError; readonly handle: Answer };
  readonly legacy: { readonly threw: false; readonly scheme: string } | ProbeError;
  readonly sync: {
    readonly valid: { readonly threw: false; readonly id: string } | ProbeError;
    readonly tampered: ProbeError;
  };
  readonly signedHere: string;
  readonly helpers: {
    readonly created: { readonly type: string; readonly status: string };
    readonly handle: Answer;
    readonly seen: readonly string[];
    readonly badOverride: ProbeError;
  };
  readonly identity: { readonly testing: ProbeError; readonly schemas?: ProbeError };
  readonly next: AdapterResults;
  readonly hono: AdapterResults;
  readonly express?: AdapterResults;
  readonly resolved?: string;
}

const MAIN_EXPORTS = [
  'createWebhooks',
  'validateEvent',
  'validateEventAsync',
  'verifySignature',
  'verifySignatureAsync',
  'PolarWebhookError',
  'WebhookVerificationError',
  'WebhookPayloadError',
  'UnknownEventTypeError',
];

/** Set-up problems are `WebhookConfigurationError`s; a delivery not proven genuine is a `WebhookVerificationError`. */
function expectRejected(error: ProbeError, code: string, status: number): void {
  const setUp = code === 'unsupported_runtime' || code === 'invalid_secret' || code === 'invalid_option';
  expect(error).toMatchObject({
    threw: true,
    code,
    status,
    isVerificationError: !setUp,
    isConfigurationError: setUp,
    isPolarError: true,
  });
}

function expectAdapter(results: AdapterResults | undefined, input: ProbeInput): void {
  expect(results).toBeDefined();
  const adapter = results as AdapterResults;
  expect(adapter.valid.status).toBe(202);
  expect(adapter.seen).toEqual([input.valid[0]?.type]);
  expect(adapter.tampered.status).toBe(403);
  expect(JSON.parse(adapter.tampered.body)).toMatchObject({ error: 'no_matching_signature' });
  // A verified delivery whose payload does not match its schema: acknowledged, and reported to
  // onError as an instance of the main entry's class although another entry point raised it.
  expect(adapter.invalid.status).toBe(202);
  expect(adapter.invalidError).toMatchObject({ code: 'invalid_payload', isPayloadError: true, isPolarError: true });
}

/**
 * The assertions every runtime must pass. `sync` says whether `verifySignature` (node:crypto) is
 * expected to work there, or to throw `unsupported_runtime`.
 */
export function expectProbe(results: ProbeResults, input: ProbeInput, sync: 'works' | 'unsupported'): void {
  // Every entry point loaded, with its public surface.
  expect(results.exports.root).toEqual(expect.arrayContaining(MAIN_EXPORTS));
  expect(results.exports.testing).toEqual(
    expect.arrayContaining(['signPayload', 'createEvent', 'createSignedRequest']),
  );
  expect(results.exports.next).toEqual(expect.arrayContaining(['createNextRouteHandler', 'Webhooks']));
  expect(results.exports.hono).toEqual(expect.arrayContaining(['createHonoHandler', 'Webhooks']));
  expect(results.exports.schemas?.length).toBeGreaterThan(0);
  // Whatever two entry points both export is one object, not a copy.
  for (const [entry, names] of Object.entries(results.shared)) {
    for (const [name, same] of Object.entries(names)) expect(same, `${entry}.${name} === root.${name}`).toBe(true);
  }

  // Every fixture verifies, validates as its own type, and is answered 202 with the handler run.
  expect(results.valid.map((r) => r.type)).toEqual(input.valid.map((c) => c.type));
  results.valid.forEach((result, i) => {
    const testCase = input.valid[i] as ProbeCase;
    expect(result.verify, result.type).toEqual({
      threw: false,
      id: testCase.headers['webhook-id'],
      scheme: 'standard',
    });
    expect(result.validate, result.type).toEqual({ threw: false, type: testCase.type });
    expect(result.handle.status, `${result.type}: ${result.handle.body}`).toBe(202);
  });
  expect(results.seen).toEqual(input.valid.map((c) => ({ type: c.type, id: c.headers['webhook-id'] })));
  expect(results.routerErrors).toEqual([]);

  // Tampered after signing: rejected everywhere with 403 no_matching_signature.
  expectRejected(results.tampered.verify, 'no_matching_signature', 403);
  expectRejected(results.tampered.validate, 'no_matching_signature', 403);
  expect(results.tampered.handle.status).toBe(403);
  expect(JSON.parse(results.tampered.handle.body)).toMatchObject({ error: 'no_matching_signature' });

  expect(results.legacy).toEqual({ threw: false, scheme: 'legacy' });

  if (sync === 'works') {
    expect(results.sync.valid).toEqual({ threw: false, id: input.valid[0]?.headers['webhook-id'] });
    expectRejected(results.sync.tampered, 'no_matching_signature', 403);
  } else {
    expectRejected(results.sync.valid as ProbeError, 'unsupported_runtime', 500);
    expectRejected(results.sync.tampered, 'unsupported_runtime', 500);
  }

  expect(results.signedHere).toBe(input.valid[0]?.headers['webhook-signature']);

  // polar-webhooks/testing works in the runtime itself: fixtures, signing, a signed Request.
  expect(results.helpers.created).toEqual({ type: 'subscription.revoked', status: 'canceled' });
  expect(results.helpers.handle.status, results.helpers.handle.body).toBe(202);
  expect(results.helpers.seen).toEqual(['subscription.revoked']);
  expect(results.helpers.badOverride).toMatchObject({ code: 'invalid_payload', isPayloadError: true });

  // Errors thrown by code loaded through other entry points are the main entry's classes.
  expectRejected(results.identity.testing, 'invalid_option', 500);
  if (results.identity.schemas !== undefined) {
    expect(results.identity.schemas).toMatchObject({ code: 'invalid_json', isPayloadError: true, isPolarError: true });
  }

  expectAdapter(results.next, input);
  expectAdapter(results.hono, input);
  if (input.withExpress) expectAdapter(results.express, input);
}

/** Writes the probe input next to the scripts and returns its file name. */
export async function writeInput(dir: string, input: ProbeInput, name = 'input.json'): Promise<string> {
  await writeFile(join(dir, name), JSON.stringify(input));
  return name;
}

/** What {@link usePackedInstall} provides once its `beforeAll` has run. */
export interface PackedInstall {
  installed: Installation;
  input: ProbeInput;
  /** The probe input's file name inside `installed.dir`. */
  inputFile: string;
}

/**
 * Registers, for the calling test file, a `beforeAll` that installs the packed package and writes the
 * probe input, and an `afterAll` that removes the installation. Read the fields inside tests or hooks.
 */
export function usePackedInstall(options: { withExpress?: boolean } = {}): PackedInstall {
  const state = {} as PackedInstall;
  beforeAll(async () => {
    state.installed = await installPackedPackage();
    state.input = await buildProbeInput(options);
    state.inputFile = await writeInput(state.installed.dir, state.input);
  });
  afterAll(async () => {
    await state.installed?.remove();
  });
  return state;
}
