import { postgresErrorCode } from '../postgres-errors';
import type { PgBossClient } from './pg-boss';

/**
 * PostgreSQL error codes after which creating the queue again is right: a deadlock (`40P01`) or a
 * serialization failure (`40001`) aborted this try while another process created the same queue,
 * or a unique violation (`23505`) lost the race outright. pg-boss 10 creates a queue's partition
 * table, keys and indexes in one function call without a lock, so processes that start at the same
 * time (a worker fleet after a deploy) deadlock on each other; the next call finds the queue and
 * does nothing.
 */
const RACE_CODES: ReadonlySet<unknown> = new Set(['40P01', '40001', '23505']);
const ATTEMPTS = 6;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the pg-boss queue `name` unless it exists, trying again (after 25–200 ms, with jitter)
 * when a concurrent creation by another process made PostgreSQL abort this one. Other errors are
 * thrown at once.
 */
export async function createPgBossQueue(boss: Pick<PgBossClient, 'createQueue'>, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name, { name, policy: 'standard' });
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS || !RACE_CODES.has(postgresErrorCode(error))) throw error;
      await pause(25 * 2 ** Math.min(attempt - 1, 3) * (0.5 + Math.random()));
    }
  }
}
