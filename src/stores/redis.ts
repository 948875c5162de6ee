/**
 * `redisStore`: idempotency across processes on the Redis an app already runs, through the client it
 * already has: ioredis (which BullMQ uses) or node-redis (`redis` 4 and later), told apart at run time.
 * Neither is imported: both are optional peer dependencies, and only their shape is typed here.
 *
 * Each key holds one short string: `c<token>` while claimed (expiring with the lease), `d<token>`
 * once done (expiring after the done mark's time to live). Every operation is one Lua script call,
 * so each is atomic and one round trip: a claim is `SET key c<token> NX PX lease`, and when that
 * finds the key taken, the same call reads what holds it, so a duplicate costs one round trip too.
 * The script is sent by its SHA-1 (EVALSHA), and in full (EVAL) until Redis has it cached.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import { DEFAULT_STORE_TIMEOUT_MS, storeMilliseconds, withDeadline } from './deadline';
import type { ClaimResult, IdempotencyStore } from './types';

/** The part of an ioredis client (`new Redis()`, `new Cluster()`) the store uses. */
export interface IoRedisClient {
  /** `EVALSHA sha numkeys key... arg...`. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numkeys key... arg...`. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** Keys and arguments of a script call, as node-redis takes them. */
export interface NodeRedisScriptOptions {
  /** The keys the script touches. */
  keys: string[];
  /** Its other arguments. */
  arguments: string[];
}

/** The part of a node-redis client (`createClient()`, `createCluster()`, versions 4 and later) the store uses. */
export interface NodeRedisClient {
  /** `EVALSHA`. */
  evalSha(sha: string, options: NodeRedisScriptOptions): Promise<unknown>;
  /** `EVAL`. */
  eval(script: string, options: NodeRedisScriptOptions): Promise<unknown>;
}

/** A connected Redis client: ioredis or node-redis. */
export type RedisClient = IoRedisClient | NodeRedisClient;

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Put before every key, to keep the store's keys apart from the app's own. Default
   * `'polar-webhooks:'` (a key is then `polar-webhooks:<namespace>:<webhook-id>`).
   */
  readonly prefix?: string;
  /**
   * How long one call may wait for Redis, in milliseconds, before it fails (a claim then answers 503,
   * so that Polar retries). Clients queue commands while they reconnect, for longer than Polar waits.
   * Default 2000.
   */
  readonly timeoutMs?: number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['prefix', 'timeoutMs']);

/**
 * One script for every operation (one script to cache): KEYS[1] the key, ARGV[1] the operation,
 * ARGV[2] the token, ARGV[3] milliseconds (the lease, or the done mark's time to live).
 * Answers integers, which every client and protocol version (RESP2, RESP3) returns as numbers:
 * a claim 0 claimed, 1 done, 2 busy; the others 1 when the token holds the key, else 0.
 * A token's own done mark counts as held (and is left as it is): a heartbeat or a commit that
 * reaches Redis after the holder's commit still finds the claim its own.
 */
const REDIS_SCRIPT = `local v
if ARGV[1] == 'claim' then
  if redis.call('SET', KEYS[1], 'c' .. ARGV[2], 'NX', 'PX', ARGV[3]) then return 0 end
  v = redis.call('GET', KEYS[1])
  if v and string.sub(v, 1, 1) == 'd' then return 1 end
  return 2
end
v = redis.call('GET', KEYS[1])
if ARGV[1] == 'release' then
  if v == 'c' .. ARGV[2] then redis.call('DEL', KEYS[1]) return 1 end
  return 0
end
if v == 'd' .. ARGV[2] then return 1 end
if v ~= 'c' .. ARGV[2] then return 0 end
if ARGV[1] == 'commit' then
  redis.call('SET', KEYS[1], 'd' .. ARGV[2], 'PX', ARGV[3])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
`;

const CLAIM_RESULTS: readonly ClaimResult[] = ['claimed', 'done', 'busy'];

type Call = (script: { sha: string } | { text: string }, key: string, args: string[]) => Promise<unknown>;

/** How to send a script through the client given: the two clients spell EVAL differently. */
function callerFor(client: unknown): Call {
  const c = client as Partial<Record<'evalSha' | 'evalsha' | 'eval', unknown>> | null;
  if (c !== null && typeof c === 'object' && typeof c.evalSha === 'function' && typeof c.eval === 'function') {
    const nodeRedis = client as NodeRedisClient;
    return (script, key, args) =>
      'sha' in script
        ? nodeRedis.evalSha(script.sha, { keys: [key], arguments: args })
        : nodeRedis.eval(script.text, { keys: [key], arguments: args });
  }
  if (c !== null && typeof c === 'object' && typeof c.evalsha === 'function' && typeof c.eval === 'function') {
    const ioredis = client as IoRedisClient;
    return (script, key, args) =>
      'sha' in script ? ioredis.evalsha(script.sha, 1, key, ...args) : ioredis.eval(script.text, 1, key, ...args);
  }
  throw new WebhookConfigurationError(
    'invalid_argument',
    'redisStore(client): client must be an ioredis client (new Redis(url)) or a node-redis client ' +
      `(createClient({ url }) after await client.connect()); got ${c === null ? 'null' : typeof c}.`,
  );
}

/** The SHA-1 of the script in hex, for EVALSHA; undefined where Web Crypto is missing (EVAL then). */
async function sha1(text: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-1', new TextEncoder().encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** A duration for PX and PEXPIRE, which take whole milliseconds above zero. */
function wholeMs(ms: number): string {
  return String(Math.max(1, Math.ceil(ms)));
}

/**
 * An idempotency store on Redis, shared by every process that uses the same server and prefix.
 * Give it the client your app already has; the store never connects, closes or reconfigures it.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createWebhooks } from 'polar-webhooks';
 * import { redisStore } from 'polar-webhooks/stores';
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   idempotency: { store: redisStore(new Redis(process.env.REDIS_URL!)) },
 * });
 * ```
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { redisStore } from 'polar-webhooks/stores';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = redisStore(client, { prefix: 'shop:webhooks:' });
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_argument` when `client` is neither client;
 *   `invalid_option` for an unknown or malformed option.
 */
export function redisStore(client: RedisClient, options: RedisStoreOptions = {}): IdempotencyStore {
  const where = 'redisStore()';
  checkOptionNames(options, OPTION_NAMES, where);
  const { prefix = 'polar-webhooks:' } = options;
  if (typeof prefix !== 'string') {
    throw new WebhookConfigurationError('invalid_option', `${where}: prefix must be a string (got ${typeof prefix}).`);
  }
  const timeoutMs = storeMilliseconds(where, 'timeoutMs', options.timeoutMs, DEFAULT_STORE_TIMEOUT_MS);
  const call = callerFor(client);
  const full = { text: REDIS_SCRIPT };
  let cached: { sha: string } | undefined;
  let hashing: Promise<void> | undefined;

  /** Runs the script: by SHA once Redis has seen it, in full before that and after a NOSCRIPT. */
  async function send(key: string, args: string[]): Promise<number> {
    if (cached !== undefined) {
      try {
        return Number(await call(cached, key, args));
      } catch (error) {
        // A restarted or flushed server, or another node of a cluster, does not have it yet.
        if (!isNoScript(error)) throw error;
      }
    }
    const reply = Number(await call(full, key, args));
    hashing ??= sha1(REDIS_SCRIPT).then(
      (sha) => void (cached = sha === undefined ? undefined : { sha }),
      () => undefined,
    );
    return reply;
  }

  const run = (op: string, key: string, token: string, ms: string): Promise<number> =>
    withDeadline(send(prefix + key, [op, token, ms]), timeoutMs, 'Redis');

  return {
    async claim(key, token, leaseMs) {
      const reply = await run('claim', key, token, wholeMs(leaseMs));
      const result = CLAIM_RESULTS[reply];
      if (result === undefined) throw new Error(`redisStore: unexpected reply ${String(reply)} to a claim.`);
      return result;
    },
    async extend(key, token, leaseMs) {
      return (await run('extend', key, token, wholeMs(leaseMs))) === 1;
    },
    async commit(key, token, ttlMs) {
      return (await run('commit', key, token, wholeMs(ttlMs))) === 1;
    },
    async release(key, token) {
      await run('release', key, token, '0');
    },
  };
}
