/**
 * The queue engines without a server: job ids made from webhook ids (checked against an independent
 * implementation and RFC 9562's own example), options refused when they are built, and the pg-boss
 * write confirmed only when a job is really there.
 */
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { bullmqJobId, bullmqQueue, startBullmqWorker } from '../../src/queues/bullmq';
import { pgBossJobId, pgBossQueue, startPgBossWorker, type PgBossClient } from '../../src/queues/pg-boss';
import { uuidV5, WEBHOOK_ID_NAMESPACE } from '../../src/queues/uuid';
import type { WebhookJob } from '../../src/router/types';

/** Version 5 UUIDs with node:crypto, written from the RFC, apart from the library's Web Crypto code. */
function oracleV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

const job = (id: string): WebhookJob => ({
  id,
  type: 'order.paid',
  timestamp: new Date(0).toISOString(),
  apiVersion: null,
  event: {},
  body: '{}',
});

const IDS = ['msg_2x8d', '7c3e0f0a-4b1e-4d55-9a1b-5d0c6d7f0e11', '12345', 'a:b', 'a:b:c', 'ünïcødé', '', ' '];

describe('job ids from webhook ids', () => {
  it('pg-boss: the version 5 UUID of the webhook id, as RFC 9562 defines it', async () => {
    // RFC 9562, appendix A.4: "www.example.com" in the DNS namespace.
    expect(await uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    const made = await Promise.all(IDS.map(pgBossJobId));
    expect(made).toEqual(IDS.map((id) => oracleV5(WEBHOOK_ID_NAMESPACE, id)));
    expect(new Set(made).size).toBe(IDS.length);
    expect(await pgBossJobId(IDS[0]!)).toBe(made[0]);
  });

  it('pg-boss: the same UUIDs from Web Crypto, where node:crypto is absent (edge runtimes)', async () => {
    vi.resetModules();
    const nodeCrypto = vi.fn(() => undefined);
    vi.doMock('../../src/verify/hmac-node', () => ({ nodeCrypto }));
    try {
      const { uuidV5: webCryptoV5 } = await import('../../src/queues/uuid');
      expect(await webCryptoV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
        '2ed6657d-e927-568b-95e1-2665a8aea6a2',
      );
      for (const id of IDS)
        expect(await webCryptoV5(WEBHOOK_ID_NAMESPACE, id)).toBe(oracleV5(WEBHOOK_ID_NAMESPACE, id));
    } finally {
      vi.doUnmock('../../src/verify/hmac-node');
      vi.resetModules();
    }
  });

  it('BullMQ: the webhook id itself, unless BullMQ would refuse it; distinct ids never share a job id', () => {
    expect(bullmqJobId('msg_2x8d')).toBe('msg_2x8d');
    expect(bullmqJobId('7c3e0f0a-4b1e-4d55-9a1b-5d0c6d7f0e11')).toBe('7c3e0f0a-4b1e-4d55-9a1b-5d0c6d7f0e11');
    const tricky = ['12345', '0', 'a:b', 'a:b:c', 'polar-webhook-hex-3132333435', 'polar-webhook-hex-'];
    const made = [...IDS, ...tricky].map(bullmqJobId);
    expect(new Set(made).size).toBe(new Set([...IDS, ...tricky]).size);
    for (const id of made) {
      expect(id).not.toContain(':');
      expect(`${Number.parseInt(id, 10)}`).not.toBe(id);
    }
  });
});

/** A pg-boss whose every method fails the test unless `methods` gives it. */
function stubBoss(methods: Partial<Record<keyof PgBossClient, (...args: unknown[]) => unknown>> = {}): PgBossClient {
  const names = ['createQueue', 'send', 'getJobById', 'work', 'offWork', 'complete', 'fail', 'getDb'] as const;
  const unexpected = (name: string) => () => {
    throw new Error(`unexpected call of ${name}()`);
  };
  return Object.fromEntries(names.map((name) => [name, methods[name] ?? unexpected(name)])) as unknown as PgBossClient;
}

describe('engine options', () => {
  // A BullMQ queue whose writes are never confirmed (Redis gone, the client waiting to reconnect).
  const fakeQueue = {
    name: 'q',
    add: () => new Promise(() => undefined),
    getFailed: async () => [],
    getJob: async () => undefined,
  } as unknown as Queue;

  it('refuses what is not a queue, a pg-boss or a router, saying what it expected', () => {
    expect(() => bullmqQueue({} as Queue)).toThrow(
      /bullmqQueue\(\): expected a BullMQ Queue .* with no add\(\) method/,
    );
    expect(() => pgBossQueue(undefined as never)).toThrow(/pgBossQueue\(\): expected a started PgBoss/);
    expect(() => startBullmqWorker({} as never, 'q', { connection: {} })).toThrow(/expected the router/);
    return expect(startPgBossWorker({} as never, stubBoss())).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('refuses a misspelt or wrong option when the engine is built', () => {
    expect(() => bullmqQueue(fakeQueue, { attemps: 3 } as never)).toThrow(
      /unknown option "attemps". Did you mean "attempts"/,
    );
    expect(() => bullmqQueue(fakeQueue, { attempts: 0 })).toThrow(/attempts must be a whole number ≥ 1/);
    const boss = stubBoss();
    expect(() => pgBossQueue(boss, { schema: 'pgboss"; DROP TABLE x; --' })).toThrow(
      /schema must be a string matching/,
    );
    expect(() => pgBossQueue(boss, { name: 'a b' })).toThrow(/name must be a string matching/);
    expect(() => pgBossQueue(boss, { retryBackoff: 'yes' as never })).toThrow(/retryBackoff must be true or false/);
    expect(() => pgBossQueue(boss, { retryDelaySeconds: -1 })).toThrow(/retryDelaySeconds must be a whole number ≥ 0/);
    return expect(
      startPgBossWorker({ process: async () => ({}) as never }, boss, { pollingIntervalSeconds: 0.1 }),
    ).rejects.toThrow(/pollingIntervalSeconds must be a number ≥ 0.5/);
  });

  it('a BullMQ write that Redis does not confirm within timeoutMs rejects (the delivery is answered 503)', async () => {
    const engine = bullmqQueue(fakeQueue, { timeoutMs: 50 });
    await expect(engine.enqueue(job('msg_1'))).rejects.toThrow(/not confirmed within 50 ms/);
  });
});

describe('pgBossQueue writes', () => {
  /** A pg-boss that records what it is asked, and answers as told. */
  function fakeBoss(answers: { send: string | null; existing: object | null }) {
    const calls: unknown[][] = [];
    const boss = stubBoss({
      async createQueue(...args: unknown[]) {
        calls.push(['createQueue', ...args]);
      },
      async send(...args: unknown[]) {
        calls.push(['send', ...args]);
        return answers.send;
      },
      async getJobById(...args: unknown[]) {
        calls.push(['getJobById', ...args]);
        return answers.existing;
      },
    });
    return { boss, calls };
  }

  it('sends the job under the UUID of its webhook id, with the retry options, after creating the queue once', async () => {
    const { boss, calls } = fakeBoss({ send: 'x', existing: null });
    const engine = pgBossQueue(boss, { attempts: 4, retryDelaySeconds: 2, expireInSeconds: 60 });
    await engine.enqueue(job('msg_1'));
    await engine.enqueue(job('msg_2'));
    expect(calls).toEqual([
      ['createQueue', 'polar-webhooks', { name: 'polar-webhooks', policy: 'standard' }],
      [
        'send',
        'polar-webhooks',
        job('msg_1'),
        { id: await pgBossJobId('msg_1'), retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 },
      ],
      ['send', 'polar-webhooks', job('msg_2'), expect.objectContaining({ id: await pgBossJobId('msg_2') })],
    ]);
  });

  it('a queue creation that lost a race to another process (deadlock, unique violation) is tried again; other errors are not', async () => {
    const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });
    /** A pg-boss whose createQueue throws `failures(try)` (nothing: it succeeds), counting its tries. */
    const creating = (failures: (attempt: number) => Error | undefined) => {
      const state = { tries: 0 };
      const boss = stubBoss({
        async createQueue() {
          const error = failures(state.tries++);
          if (error !== undefined) throw error;
        },
        send: async () => 'x',
      });
      return { state, engine: pgBossQueue(boss) };
    };

    const racing = creating((n) => [pgError('deadlock detected', '40P01'), pgError('duplicate key value', '23505')][n]);
    await racing.engine.enqueue(job('msg_1'));
    expect(racing.state.tries).toBe(3);

    const refusing = creating(() => pgError('permission denied for schema pgboss', '42501'));
    await expect(refusing.engine.enqueue(job('msg_1'))).rejects.toThrow(/permission denied/);
    expect(refusing.state.tries).toBe(1);

    // A race that never ends is given up after a few tries, with PostgreSQL's own error.
    const deadlocked = creating(() => pgError('deadlock detected', '40P01'));
    await expect(deadlocked.engine.enqueue(job('msg_1'))).rejects.toThrow(/deadlock detected/);
    expect(deadlocked.state.tries).toBe(6);
  });

  it('a copy refused by the primary key is a duplicate, confirmed; nothing written at all is an error', async () => {
    await expect(
      pgBossQueue(fakeBoss({ send: null, existing: { state: 'active' } }).boss).enqueue(job('msg_1')),
    ).resolves.toBeUndefined();
    // pg-boss answers null too when it is not started, or its queue is missing: never acknowledge that.
    await expect(pgBossQueue(fakeBoss({ send: null, existing: null }).boss).enqueue(job('msg_1'))).rejects.toThrow(
      /wrote no job for webhook msg_1 .*await boss.start\(\)/,
    );
  });
});
