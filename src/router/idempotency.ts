/**
 * Idempotency: a delivery claims its webhook id before any handler runs, and marks it done only after
 * every handler succeeded. A copy of a done delivery is acknowledged without running anything; a copy
 * that arrives while the first still runs waits for it, a bounded time, and is never acknowledged
 * before the first succeeded (that would lose the event if the first then failed). A store that
 * cannot be reached stops the delivery with a 503, so that Polar retries it: nothing is skipped in
 * silence.
 *
 * @module
 */
import { WebhookProcessingError } from '../errors';
import type { IdempotencyClaim } from '../stores/claim';
import type { IdempotencyConfig } from './options';
import type { Outcome } from './outcome';
import type { HandlerTask } from './run';
import type { RouterState } from './state';

/** A claim this delivery holds: commit it once the handlers succeeded, or release it. */
export interface Claimed {
  readonly kind: 'claimed';
  /** What the handlers' context carries of it (`context.claim`). */
  readonly claim: IdempotencyClaim;
  /** Marks the webhook id done (and stops extending the claim). Never throws: a failure is logged. */
  commit(): Promise<void>;
  /** Frees the webhook id for Polar's next retry (and stops extending the claim). Never throws. */
  release(): Promise<void>;
}

/** How a claim attempt ended when it did not get the claim: the delivery's outcome. */
export interface NotClaimed {
  readonly kind: 'settled';
  readonly outcome: Outcome;
}

/** The longest pause between two looks at a claim held by another copy of the delivery. */
const MAX_POLL_MS = 500;

let tokenPrefix: string | undefined;
let tokenCount = 0;

/**
 * A token unique to this attempt: this process's random prefix, drawn once (on first use: Workers
 * refuse random values at load time), and a counter. Drawing random bytes per attempt costs
 * microseconds on every delivery, duplicates included.
 */
function token(): string {
  if (tokenPrefix === undefined) {
    const bytes = new Uint8Array(12);
    globalThis.crypto.getRandomValues(bytes);
    tokenPrefix = '';
    for (const byte of bytes) tokenPrefix += byte.toString(16).padStart(2, '0');
  }
  tokenCount += 1;
  return tokenPrefix + tokenCount.toString(36);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function warnSafely(state: RouterState, level: 'warn' | 'error', message: string, error?: unknown): void {
  try {
    if (error === undefined) state.config.logger[level](message);
    else state.config.logger[level](message, error);
  } catch {
    // A broken logger must not break the delivery.
  }
}

/** Claims the task's webhook id, waiting for a copy that holds it; or says how the delivery ends instead. */
export async function claimOnce(state: RouterState, task: HandlerTask): Promise<Claimed | NotClaimed> {
  const config = state.config.idempotency as IdempotencyConfig;
  const key = `${config.namespace}:${task.context.id}`;
  const mine = token();
  const unavailable = (error: unknown): NotClaimed => {
    warnSafely(
      state,
      'error',
      `polar-webhooks: the idempotency store could not be reached for "${task.event.type}" (webhook-id ` +
        `${task.context.id}); answered 503 so that Polar retries it, and no handler ran.`,
      error,
    );
    const failure = new WebhookProcessingError(
      'store_unavailable',
      'The idempotency store could not be reached, so the delivery was not processed; Polar will retry it.',
      { cause: error },
    );
    return { kind: 'settled', outcome: { kind: 'failed', error: failure, context: task.context } };
  };

  let result: Awaited<ReturnType<typeof config.store.claim>>;
  let waited = false;
  try {
    result = await config.store.claim(key, mine, config.leaseMs);
    // Another copy is running: look again, ever more slowly, until it finished or the wait is over. A
    // copy whose process died lets its lease lapse, and then this one takes over.
    const deadline = Date.now() + config.waitMs;
    for (let pause = 25; result === 'busy' && Date.now() < deadline; pause = Math.min(pause * 2, MAX_POLL_MS)) {
      waited = true;
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
      result = await config.store.claim(key, mine, config.leaseMs);
    }
  } catch (error) {
    return unavailable(error);
  }

  if (result === 'done') {
    const info = {
      id: task.context.id,
      eventType: task.event.type,
      state: waited ? ('waited' as const) : ('done' as const),
    };
    if (config.onDuplicate !== undefined) {
      try {
        config.onDuplicate(info);
      } catch {
        // A broken hook must not break the acknowledgement.
      }
    } else {
      warnSafely(
        state,
        'warn',
        `polar-webhooks: "${task.event.type}" (webhook-id ${task.context.id}) was already processed; ` +
          'acknowledged without running its handlers again.',
      );
    }
    return { kind: 'settled', outcome: { kind: 'duplicate', context: task.context } };
  }
  if (result === 'busy') {
    const failure = new WebhookProcessingError(
      'delivery_in_progress',
      `Another copy of this delivery is still being processed after ${config.waitMs} ms; Polar will retry this one, ` +
        'and it will be acknowledged once the first has succeeded.',
    );
    return { kind: 'settled', outcome: { kind: 'failed', error: failure, context: task.context } };
  }
  return holding(state, config, key, mine, task);
}

/** A held claim, extended every third of its lease while the handlers run. */
function holding(state: RouterState, config: IdempotencyConfig, key: string, mine: string, task: HandlerTask): Claimed {
  let warned = false;
  const heartbeat = setInterval(
    () => {
      config.store.extend(key, mine, config.leaseMs).then(
        (held) => {
          if (!held && !warned) {
            warned = true;
            warnSafely(
              state,
              'warn',
              `polar-webhooks: the claim on webhook-id ${task.context.id} lapsed while its handlers still ran ` +
                '(another copy may run them too): raise idempotency.leaseMs above your slowest handler.',
            );
          }
        },
        (error: unknown) => warnSafely(state, 'warn', 'polar-webhooks: could not extend an idempotency claim', error),
      );
    },
    Math.max(1, Math.floor(config.leaseMs / 3)),
  );
  (heartbeat as { unref?: () => void }).unref?.();
  return {
    kind: 'claimed',
    claim: { key, token: mine, doneTtlMs: config.doneTtlMs },
    async commit() {
      clearInterval(heartbeat);
      try {
        if (!(await config.store.commit(key, mine, config.doneTtlMs))) {
          warnSafely(
            state,
            'warn',
            `polar-webhooks: the handlers of webhook-id ${task.context.id} succeeded after its claim had lapsed; ` +
              'another copy may have run them too: raise idempotency.leaseMs above your slowest handler.',
          );
        }
      } catch (error) {
        warnSafely(
          state,
          'error',
          `polar-webhooks: the handlers of "${task.event.type}" (webhook-id ${task.context.id}) succeeded, but the ` +
            'idempotency store could not mark it done: a later redelivery of it would run them again.',
          error,
        );
      }
    },
    async release() {
      clearInterval(heartbeat);
      try {
        await config.store.release(key, mine);
      } catch (error) {
        warnSafely(
          state,
          'error',
          `polar-webhooks: could not release the claim on webhook-id ${task.context.id} after its handlers failed; ` +
            `Polar's retry runs them once the claim lapses (${config.leaseMs} ms).`,
          error,
        );
      }
    },
  };
}
