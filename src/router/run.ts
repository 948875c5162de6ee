/**
 * The handler step: one event's handlers, run once (idempotency), within the time budget, now or in
 * the background. Without those options it is just the dispatch, and stays synchronous when the
 * handlers are.
 *
 * @module
 */
import { WebhookHandlerError, WebhookProcessingError } from '../errors';
import type { PolarWebhookEvent } from '../events/catalogue';
import { dispatch } from './dispatch';
import { claimOnce, type Claimed } from './idempotency';
import { enqueue } from './queue';
import type { Failed, Outcome } from './outcome';
import type { AnyHandler } from './registry';
import type { RouterState } from './state';
import type { UnknownWebhookEvent, WebhookContext } from './types';

/** One event's handlers, as the pipeline hands them over. */
export interface HandlerTask {
  /** Who runs, in order. */
  readonly handlers: readonly AnyHandler[];
  /** What they get. */
  readonly event: PolarWebhookEvent | UnknownWebhookEvent;
  /** Whether `event` is a validated event (its error context then carries it). */
  readonly known: boolean;
  /** The delivery's id and timestamp. */
  readonly context: WebhookContext;
  /** How the delivery ends when every handler succeeded. */
  readonly done: Outcome;
  /** The raw body as text, and the `webhook-api-version` header: what a queued job carries. */
  readonly source?: { readonly body: string; readonly deliveredVersion: string | undefined };
}

/** How the handlers are to run: for an HTTP delivery (the options decide), or for a job in a worker. */
export interface RunMode {
  /** Keeps this delivery's background work alive (overrides the `waitUntil` option). */
  readonly waitUntil?: ((work: Promise<unknown>) => void) | undefined;
  /** A worker runs a job: now, with no time budget (the engine has its own), never back to the queue. */
  readonly worker?: boolean;
}

/** What settles a run of the handlers: the outcome to report for success, or for a failure. */
type Finish = (error: unknown, failed: boolean) => Outcome | Promise<Outcome>;

const failed = (error: Failed['error'], context: WebhookContext): Outcome => ({ kind: 'failed', error, context });

/** A failed run: what dispatch rejected with (a `WebhookHandlerError`), or, for a bug, that error wrapped in one. */
function handlerFailure(error: unknown, task: HandlerTask): Outcome {
  const wrapped = error instanceof WebhookHandlerError ? error : new WebhookHandlerError([error], task.event.type);
  return failed(wrapped, task.context);
}

/** The plain finish: the task's outcome, or its failure. */
const plainFinish =
  (task: HandlerTask): Finish =>
  (error, didFail) =>
    didFail ? handlerFailure(error, task) : task.done;

/**
 * Runs the handlers of one delivery as the options say: into the queue, in the background, once, within
 * the time budget. Never throws, and the promise never rejects.
 */
export function runHandlers(state: RouterState, task: HandlerTask, mode: RunMode = {}): Outcome | Promise<Outcome> {
  const { config } = state;
  if (mode.worker === true) {
    return config.idempotency !== undefined
      ? runOnce(state, task, false)
      : timed(state, task, plainFinish(task), false);
  }
  if (config.queue !== undefined) return enqueue(state, config.queue, task);
  if (config.deferHandlers) return defer(state, task, mode.waitUntil ?? config.waitUntil);
  if (config.idempotency !== undefined) return runOnce(state, task, true);
  return timed(state, task, plainFinish(task), true);
}

/** The handlers, exactly once across every copy of the delivery: claim, run, then commit or release. */
async function runOnce(state: RouterState, task: HandlerTask, budget: boolean): Promise<Outcome> {
  const claim = await claimOnce(state, task);
  if (claim.kind !== 'claimed') return claim.outcome;
  // Handlers see the claim (`context.claim`): a store can then commit it in their own transaction.
  const held: HandlerTask = { ...task, context: { ...task.context, claim: claim.claim } };
  return timed(state, held, (error, didFail) => settleClaim(claim, task, error, didFail), budget);
}

async function settleClaim(claim: Claimed, task: HandlerTask, error: unknown, didFail: boolean): Promise<Outcome> {
  if (didFail) {
    await claim.release();
    return handlerFailure(error, task);
  }
  await claim.commit();
  return task.done;
}

/**
 * Dispatches, then settles through `finish`. With `budget`, answers 503 `handler_timeout` when the
 * handlers have not settled within the time budget; they go on, and `finish` still runs when they do.
 */
function timed(state: RouterState, task: HandlerTask, finish: Finish, budget: boolean): Outcome | Promise<Outcome> {
  const started = Date.now();
  let running: Promise<void> | undefined;
  try {
    running = dispatch(task.handlers, task.event, task.context, task.known, state.report);
  } catch (error) {
    return finish(error, true);
  }
  if (running === undefined) return finish(undefined, false);
  const settled = running.then(
    () => finish(undefined, false),
    (error: unknown) => finish(error, true),
  );
  return budget ? race(state, task, settled, started) : settled;
}

function race(state: RouterState, task: HandlerTask, settled: Promise<Outcome>, started: number): Promise<Outcome> {
  const { timeoutMs, logger, onSlow, idempotency } = state.config;
  return new Promise((resolve) => {
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      const { id } = task.context;
      const type = task.event.type;
      const next = idempotency
        ? 'The claim stays until they finish, so Polar’s retry is deduplicated.'
        : 'Without idempotency, Polar’s retry runs them again: make them idempotent, or set the idempotency option.';
      safely(() =>
        logger.warn(
          `polar-webhooks: the handlers of "${type}" (webhook-id ${id}) are still running after ${timeoutMs} ms; ` +
            `answered 503 so that Polar, which gives up at 10 s, retries it. ${next}`,
        ),
      );
      resolve(
        failed(
          new WebhookProcessingError(
            'handler_timeout',
            `The handlers did not finish within ${timeoutMs} ms; Polar will retry this delivery.`,
          ),
          task.context,
        ),
      );
    }, timeoutMs);
    void settled.then((outcome) => {
      clearTimeout(timer);
      if (!answered) {
        resolve(outcome);
        return;
      }
      if (onSlow !== undefined) {
        const info = {
          id: task.context.id,
          eventType: task.event.type,
          durationMs: Date.now() - started,
          outcome: outcome.kind === 'failed' ? ('failed' as const) : ('succeeded' as const),
        };
        safely(() => onSlow(info));
      }
    });
  });
}

/**
 * Acknowledges at once and runs the handlers in the background (`respond: 'after-verify'`). Whatever
 * goes wrong there is reported: to `onError` for handler failures (as ever), to the logger otherwise.
 */
function defer(
  state: RouterState,
  task: HandlerTask,
  waitUntil: ((work: Promise<unknown>) => void) | undefined,
): Outcome {
  const work = Promise.resolve()
    .then(() =>
      state.config.idempotency !== undefined
        ? runOnce(state, task, false)
        : timed(state, task, plainFinish(task), false),
    )
    .then((outcome) => {
      if (outcome.kind === 'failed' && outcome.error instanceof WebhookProcessingError) {
        safely(() =>
          state.config.logger.error(
            `polar-webhooks: "${task.event.type}" (webhook-id ${task.context.id}) was acknowledged before its handlers ` +
              `ran, and they could not run (${outcome.error.code}): Polar will not retry it.`,
            outcome.error,
          ),
        );
      }
    });
  if (waitUntil !== undefined) safely(() => waitUntil(work));
  return { kind: 'deferred', context: task.context };
}

function safely(run: () => void): void {
  try {
    run();
  } catch {
    // A broken logger or hook must not break the delivery.
  }
}
