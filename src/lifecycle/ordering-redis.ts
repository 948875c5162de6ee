/**
 * `redisOrderingStore`: the ordering store across processes, on the Redis an app already runs,
 * through the client it already has: ioredis or node-redis (`redis` 4 and later), told apart at run
 * time. Neither is imported: both are optional peer dependencies, and only their shape is typed.
 *
 * Each resource is one hash: `v` the recorded version, `d` its value, `pv`/`pd` the record before it.
 * The whole "record unless stale" is one Lua script, so it is atomic and one round trip; the script
 * is sent by its SHA-1 (EVALSHA), and in full (EVAL) until Redis has it cached.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import type { RedisClient } from '../stores/redis';
import { DEFAULT_STORE_TIMEOUT_MS, storeMilliseconds, withDeadline } from '../stores/deadline';
import { checkRecordArguments, type OrderingResult, type OrderingStore } from './ordering-store';

/** Options of {@link redisOrderingStore}. */
export interface RedisOrderingStoreOptions {
  /** Put before every key, to keep the store's keys apart from the app's own. Default `'polar-webhooks:ordering:'`. */
  readonly prefix?: string;
  /**
   * How long one call may wait for Redis, in milliseconds, before it fails (the handler then fails,
   * and Polar retries the delivery). Default 2000.
   */
  readonly timeoutMs?: number;
}

/**
 * KEYS[1] the resource; ARGV[1] the version (decimal), ARGV[2] the value, ARGV[3] '1' when there is
 * a value, ARGV[4] the time to live in milliseconds ('0': for ever). Answers `{1, current}` when
 * stale, else `{0, previous version, previous value}` (nil where there was none). Versions stay
 * below 2^53, so Lua's numbers compare them exactly; they travel as text all the same.
 */
const ORDERING_SCRIPT = `local r = redis.call('HMGET', KEYS[1], 'v', 'd', 'pv', 'pd')
local version = tonumber(ARGV[1])
if r[1] and tonumber(r[1]) > version then return {1, r[1]} end
local pv, pd = r[1], r[2]
if r[1] and tonumber(r[1]) == version then pv, pd = r[3], r[4] end
local fields = {'v', ARGV[1]}
if ARGV[3] == '1' then fields[#fields + 1] = 'd'; fields[#fields + 1] = ARGV[2] end
if pv then fields[#fields + 1] = 'pv'; fields[#fields + 1] = pv end
if pd then fields[#fields + 1] = 'pd'; fields[#fields + 1] = pd end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return {0, pv, pd}
`;

const OPTION_NAMES: ReadonlySet<string> = new Set(['prefix', 'timeoutMs']);

type Script = { readonly sha: string } | { readonly text: string };
type Call = (script: Script, key: string, args: string[]) => Promise<unknown>;

/** How to send a script through the client given: ioredis spells it `evalsha`, node-redis `evalSha`. */
function callerFor(client: unknown): Call {
  const c = client as Partial<Record<'evalSha' | 'evalsha' | 'eval', unknown>> | null;
  if (c !== null && typeof c === 'object' && typeof c.eval === 'function') {
    if (typeof c.evalSha === 'function') {
      const nodeRedis = c as { [K in 'evalSha' | 'eval']: (s: string, o: object) => Promise<unknown> };
      return (script, key, args) =>
        'sha' in script
          ? nodeRedis.evalSha(script.sha, { keys: [key], arguments: args })
          : nodeRedis.eval(script.text, { keys: [key], arguments: args });
    }
    if (typeof c.evalsha === 'function') {
      const ioredis = c as { [K in 'evalsha' | 'eval']: (s: string, n: number, ...a: string[]) => Promise<unknown> };
      return (script, key, args) =>
        'sha' in script ? ioredis.evalsha(script.sha, 1, key, ...args) : ioredis.eval(script.text, 1, key, ...args);
    }
  }
  throw new WebhookConfigurationError(
    'invalid_argument',
    'redisOrderingStore(client): client must be an ioredis client (new Redis(url)) or a node-redis client ' +
      `(createClient({ url }) after await client.connect()); got ${c === null ? 'null' : typeof c}.`,
  );
}

async function sha1(text: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-1', new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

const text = (value: unknown): string | null =>
  typeof value === 'string' ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : null;

function resultOf(reply: unknown): OrderingResult {
  if (!Array.isArray(reply) || reply.length === 0) {
    throw new Error(`redisOrderingStore: unexpected reply ${JSON.stringify(reply)} from the ordering script.`);
  }
  const [flag, version, value] = reply as unknown[];
  if (Number(flag) === 1) {
    const current = Number(text(version) ?? version);
    return { stale: true, current: Number.isSafeInteger(current) ? current : undefined };
  }
  const previous = text(version);
  return { stale: false, previous: previous === null ? null : { version: Number(previous), value: text(value) } };
}

/**
 * An ordering store on Redis, shared by every process that uses the same server and prefix. Give it
 * the client your app already has; the store never connects, closes or reconfigures it. Each call
 * touches one key, so the script never spans the slots of a Redis Cluster.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createOrderingGuard, redisOrderingStore } from 'polar-webhooks/lifecycle';
 *
 * const inOrder = createOrderingGuard({ store: redisOrderingStore(new Redis(process.env.REDIS_URL!)) });
 * ```
 *
 * @throws `WebhookConfigurationError` `invalid_argument` when `client` is neither client;
 *   `invalid_option` for an unknown or malformed option.
 */
export function redisOrderingStore(client: RedisClient, options: RedisOrderingStoreOptions = {}): OrderingStore {
  const where = 'redisOrderingStore()';
  checkOptionNames(options, OPTION_NAMES, where);
  const { prefix = 'polar-webhooks:ordering:' } = options;
  if (typeof prefix !== 'string') {
    throw new WebhookConfigurationError('invalid_option', `${where}: prefix must be a string (got ${typeof prefix}).`);
  }
  const timeoutMs = storeMilliseconds(where, 'timeoutMs', options.timeoutMs, DEFAULT_STORE_TIMEOUT_MS);
  const call = callerFor(client);
  const full: Script = { text: ORDERING_SCRIPT };
  let cached: Script | undefined;
  let hashing: Promise<void> | undefined;

  async function send(key: string, args: string[]): Promise<unknown> {
    if (cached !== undefined) {
      try {
        return await call(cached, key, args);
      } catch (error) {
        // A restarted or flushed server, or another node of a cluster, does not have it yet.
        if (!isNoScript(error)) throw error;
      }
    }
    const reply = await call(full, key, args);
    hashing ??= sha1(ORDERING_SCRIPT).then(
      (sha) => void (cached = sha === undefined ? undefined : { sha }),
      () => undefined,
    );
    return reply;
  }

  return {
    async recordUnlessStale(key, version, value, ttlMs) {
      checkRecordArguments('redisOrderingStore', version, ttlMs);
      const ttl = ttlMs === undefined ? '0' : String(Math.max(1, Math.ceil(ttlMs)));
      const args = [String(version), value ?? '', value === null ? '0' : '1', ttl];
      return resultOf(await withDeadline(send(prefix + key, args), timeoutMs, 'Redis'));
    },
  };
}
