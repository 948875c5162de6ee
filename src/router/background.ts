/**
 * Background work on a long-lived Node process, for `respond: 'after-verify'`: what platforms such as
 * Cloudflare Workers (`ctx.waitUntil`) and Vercel (`waitUntil`) do for a request, kept here so that a
 * graceful shutdown can wait for the handlers still running.
 *
 * @module
 */

/** Work kept alive after the answer, and a way to wait for it. */
export interface BackgroundTasks {
  /** Keeps `work` running after the answer; pass it as the router's `waitUntil`. Bound: pass it around. */
  readonly waitUntil: (work: Promise<unknown>) => void;
  /**
   * Resolves once every piece of work given so far has settled, or after `timeoutMs` (default: no
   * limit), with how many are still running. Call it on SIGTERM before closing the process.
   */
  drain(options?: { readonly timeoutMs?: number }): Promise<{ readonly pending: number }>;
  /** How many pieces of work are still running. */
  readonly pending: number;
}

/**
 * An in-process `waitUntil` with a `drain()` for graceful shutdown.
 *
 * @example
 * ```ts
 * import { createBackgroundTasks, createWebhooks } from 'polar-webhooks';
 *
 * const background = createBackgroundTasks();
 * const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   respond: 'after-verify',
 *   waitUntil: background.waitUntil,
 * });
 * process.on('SIGTERM', async () => {
 *   await background.drain({ timeoutMs: 20_000 });
 *   process.exit(0);
 * });
 * ```
 */
export function createBackgroundTasks(): BackgroundTasks {
  const running = new Set<Promise<unknown>>();
  const waitUntil = (work: Promise<unknown>): void => {
    const tracked = Promise.resolve(work).then(
      () => undefined,
      () => undefined,
    );
    running.add(tracked);
    void tracked.then(() => running.delete(tracked));
  };
  return {
    waitUntil,
    get pending() {
      return running.size;
    },
    async drain(options = {}) {
      const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
      while (running.size > 0 && Date.now() < deadline) {
        const all = Promise.all([...running]);
        if (deadline === Number.POSITIVE_INFINITY) await all;
        else {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
          clearTimeout(timer);
        }
      }
      return { pending: running.size };
    },
  };
}
