/**
 * The router's options, checked once when the router is built: a wrong value or a misspelt name
 * throws there, with how to fix it, instead of failing every delivery later (or being ignored).
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import { keysFor, readSecrets, type SecretScheme } from '../verify/secret';
import { readTolerance } from '../verify/timestamp';
import type { VerifyOptions, WebhookSecret } from '../verify/verify';
import { checkApiVersionOption, type PolarApiVersion } from '../events/api-version';
import type { IdempotencyStore } from '../stores/types';
import type {
  CapturedDelivery,
  CreateWebhooksOptions,
  DuplicateDelivery,
  IdempotencyOptions,
  SlowDelivery,
  WebhookQueue,
  WebhooksLogger,
} from './types';

/** Default `maxBodyBytes`: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The option names {@link readRouterOptions} knows. */
export const ROUTER_OPTION_NAMES: ReadonlySet<string> = new Set([
  'secret',
  'tolerance',
  'scheme',
  'maxBodyBytes',
  'onInvalidPayload',
  'logger',
  'capture',
  'idempotency',
  'timeout',
  'onSlow',
  'respond',
  'waitUntil',
  'queue',
  'apiVersion',
]);

/** Default `timeout`: 8 s, inside Polar's 10 s with room for the network. */
export const DEFAULT_TIMEOUT_MS = 8000;

/** Defaults of `idempotency`. */
export const IDEMPOTENCY_DEFAULTS = {
  namespace: 'polar',
  leaseMs: 30_000,
  doneTtlMs: 30 * 24 * 60 * 60 * 1000,
  waitMs: 5000,
} as const;

/** The checked `idempotency` option. */
export interface IdempotencyConfig {
  readonly store: IdempotencyStore;
  readonly namespace: string;
  readonly leaseMs: number;
  readonly doneTtlMs: number;
  readonly waitMs: number;
  readonly onDuplicate: ((info: DuplicateDelivery) => void) | undefined;
}

/** The router's settings, checked and with every default filled in. */
export interface RouterConfig {
  /** The secret(s) to verify with, read (and, when given as a function, checked) per delivery. */
  readonly secret: () => WebhookSecret;
  /** What verification is given besides the secret. */
  readonly verifyOptions: VerifyOptions;
  /** The largest body read, in bytes. */
  readonly maxBodyBytes: number;
  /** Whether an invalid payload is answered 500, so Polar retries it, rather than acknowledged. */
  readonly retryInvalid: boolean;
  /** Where the router and its adapters write. */
  readonly logger: WebhooksLogger;
  /** How a warning about an unknown event type tells the user to handle such events. */
  readonly unknownTypeHint: string;
  /** Receives each verified delivery, when set. */
  readonly capture: ((delivery: CapturedDelivery) => void | Promise<void>) | undefined;
  /** Claims, commits and releases webhook ids, when set. */
  readonly idempotency: IdempotencyConfig | undefined;
  /** The handlers' time budget, in milliseconds. */
  readonly timeoutMs: number;
  /** Told about deliveries whose handlers outran the budget. */
  readonly onSlow: ((info: SlowDelivery) => void) | undefined;
  /** Whether handlers run after the answer, in the background. */
  readonly deferHandlers: boolean;
  /** Keeps background work alive, when the platform needs telling. */
  readonly waitUntil: ((work: Promise<unknown>) => void) | undefined;
  /** Where verified deliveries go instead of the handlers, when set. */
  readonly queue: WebhookQueue | undefined;
  /** The version the endpoint is pinned to, when given. */
  readonly apiVersion: PolarApiVersion | undefined;
  /** The payload versions already reported as differing from `apiVersion` (bounded). */
  readonly reportedVersions: Set<string>;
}

/** What the code that builds a router (`createWebhooks`, an adapter's `Webhooks()`) says about itself. */
export interface RouterMaker {
  /** The function's name, for messages: `createWebhooks()`, `Webhooks()`. */
  readonly name: string;
  /** How it names each option in messages (the drop-ins call the secret `webhookSecret`). */
  readonly optionName: (option: string) => string;
  /** How to handle events of unknown types with it. */
  readonly unknownTypeHint: string;
}

function invalidOption(message: string): WebhookConfigurationError {
  return new WebhookConfigurationError('invalid_option', message);
}

/**
 * Whether this module is being evaluated by `next build`, which loads route modules to collect page
 * data, often where the secret is not set. Next.js says so in `NEXT_PHASE`.
 */
function duringNextBuild(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NEXT_PHASE === 'phase-production-build';
}

/**
 * Checks a secret given as a value now, and one given as a function on each delivery. A secret that
 * is simply absent while `next build` evaluates the module is checked on each delivery instead, so the
 * official adapters' documented `webhookSecret: process.env.POLAR_WEBHOOK_SECRET` builds everywhere.
 */
function readSecretOption(secret: unknown, scheme: SecretScheme | undefined): () => WebhookSecret {
  if ((secret === undefined || secret === '') && duringNextBuild()) {
    return () => {
      checkSecrets(secret, scheme);
      return secret as WebhookSecret;
    };
  }
  if (typeof secret === 'function') {
    const read = secret as () => unknown;
    return () => {
      const value = read();
      checkSecrets(value, scheme);
      return value as WebhookSecret;
    };
  }
  checkSecrets(secret, scheme);
  const fixed = secret as WebhookSecret;
  return () => fixed;
}

function checkSecrets(secret: unknown, scheme: SecretScheme | undefined): void {
  const { secrets, scheme: resolved } = readSecrets(secret, scheme);
  for (let i = 0; i < secrets.length; i++) {
    keysFor(secrets[i] as string, resolved, secrets.length > 1 ? ` at index ${i}` : '');
  }
}

/**
 * Checks the router's options and fills in the defaults.
 *
 * @throws {@link WebhookConfigurationError} `invalid_option` for an unknown option name (with the
 *   closest known one) or a malformed value; `invalid_secret` for a missing, empty, quoted, padded or
 *   placeholder secret.
 */
export function readRouterOptions(
  options: CreateWebhooksOptions | undefined,
  maker: RouterMaker,
  knownNames: ReadonlySet<string> = ROUTER_OPTION_NAMES,
): RouterConfig {
  if (options === null || typeof options !== 'object') {
    throw invalidOption(
      `${maker.name} needs an options object: ${maker.name.replace('()', '')}({ ${maker.optionName('secret')}: process.env.POLAR_WEBHOOK_SECRET }).`,
    );
  }
  checkOptionNames(options, knownNames, maker.name);
  const { maxBodyBytes, onInvalidPayload, logger, scheme } = options;
  if (maxBodyBytes !== undefined && !(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw invalidOption(
      `maxBodyBytes must be a positive whole number of bytes (got ${String(maxBodyBytes)}). ` +
        `Leave it out for the default of ${DEFAULT_MAX_BODY_BYTES} (1 MiB).`,
    );
  }
  if (onInvalidPayload !== undefined && onInvalidPayload !== 'acknowledge' && onInvalidPayload !== 'retry') {
    throw invalidOption(`onInvalidPayload must be 'acknowledge' or 'retry' (got ${JSON.stringify(onInvalidPayload)}).`);
  }
  if (
    logger !== undefined &&
    (logger === null || typeof logger.warn !== 'function' || typeof logger.error !== 'function')
  ) {
    throw invalidOption('logger must have warn() and error() methods, like console (the default).');
  }
  if (options.capture !== undefined && typeof options.capture !== 'function') {
    throw invalidOption(
      `capture must be a function that receives each verified delivery (got ${typeof options.capture}); ` +
        "captureToDirectory(dir) from 'polar-webhooks/capture' makes one that writes them to files.",
    );
  }
  for (const name of ['onSlow', 'waitUntil'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalidOption(`${name} must be a function (got ${typeof options[name]}).`);
    }
  }
  if (options.respond !== undefined && options.respond !== 'after-handlers' && options.respond !== 'after-verify') {
    throw invalidOption(`respond must be 'after-handlers' or 'after-verify' (got ${JSON.stringify(options.respond)}).`);
  }
  if (options.queue !== undefined && (options.queue === null || typeof options.queue.enqueue !== 'function')) {
    throw invalidOption(
      "queue must have an enqueue(job) method: bullmqQueue(queue) from 'polar-webhooks/bullmq', pgBossQueue(boss, " +
        "name) from 'polar-webhooks/pg-boss', or your own WebhookQueue.",
    );
  }
  if (options.queue !== undefined && options.respond === 'after-verify') {
    throw invalidOption(
      "queue and respond: 'after-verify' do not go together: with a queue, the answer already goes out as soon as " +
        'the delivery is safely written, and the handlers run in your workers.',
    );
  }
  const tolerance = readTolerance(options.tolerance);
  return {
    secret: readSecretOption(options.secret, scheme),
    verifyOptions: scheme === undefined ? { tolerance } : { tolerance, scheme },
    maxBodyBytes: maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    retryInvalid: onInvalidPayload === 'retry',
    logger: logger ?? console,
    unknownTypeHint: maker.unknownTypeHint,
    capture: options.capture,
    idempotency: options.idempotency === undefined ? undefined : readIdempotency(options.idempotency),
    timeoutMs: milliseconds('timeout', options.timeout, DEFAULT_TIMEOUT_MS),
    onSlow: options.onSlow,
    deferHandlers: options.respond === 'after-verify',
    waitUntil: options.waitUntil,
    queue: options.queue,
    apiVersion: checkApiVersionOption(options.apiVersion, maker.name),
    reportedVersions: new Set(),
  };
}

/** A positive whole number of milliseconds, or the default. */
function milliseconds(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidOption(
      `${name} must be a positive whole number of milliseconds (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}

const IDEMPOTENCY_NAMES: ReadonlySet<string> = new Set([
  'store',
  'namespace',
  'leaseMs',
  'doneTtlMs',
  'waitMs',
  'onDuplicate',
]);

function readIdempotency(options: IdempotencyOptions): IdempotencyConfig {
  if (options === null || typeof options !== 'object') {
    throw invalidOption(
      "idempotency must be an object: idempotency: { store: memoryStore() } (from 'polar-webhooks/stores').",
    );
  }
  checkOptionNames(options, IDEMPOTENCY_NAMES, 'createWebhooks({ idempotency })');
  const { store, namespace, onDuplicate } = options;
  const methods = ['claim', 'extend', 'commit', 'release'] as const;
  if (store === null || typeof store !== 'object' || methods.some((m) => typeof store[m] !== 'function')) {
    throw invalidOption(
      `idempotency.store must have ${methods.join(', ')} methods: memoryStore(), redisStore(client) or ` +
        "postgresStore(pool) from 'polar-webhooks/stores', or your own IdempotencyStore.",
    );
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length === 0)) {
    throw invalidOption('idempotency.namespace must be a non-empty string naming the endpoint (e.g. "orders").');
  }
  if (onDuplicate !== undefined && typeof onDuplicate !== 'function') {
    throw invalidOption(`idempotency.onDuplicate must be a function (got ${typeof onDuplicate}).`);
  }
  return {
    store,
    namespace: namespace ?? IDEMPOTENCY_DEFAULTS.namespace,
    leaseMs: milliseconds('idempotency.leaseMs', options.leaseMs, IDEMPOTENCY_DEFAULTS.leaseMs),
    doneTtlMs: milliseconds('idempotency.doneTtlMs', options.doneTtlMs, IDEMPOTENCY_DEFAULTS.doneTtlMs),
    waitMs: options.waitMs === 0 ? 0 : milliseconds('idempotency.waitMs', options.waitMs, IDEMPOTENCY_DEFAULTS.waitMs),
    onDuplicate,
  };
}
