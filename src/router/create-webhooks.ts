/**
 * `createWebhooks`: assembles a router from its parts (options, registry, pipeline, answer) and
 * gives it its public methods, each a thin wrapper around the one pipeline.
 *
 * @module
 */
import { ownAnswer } from './answer';
import { dispatch } from './dispatch';
import { answerHttp, handleRequest } from './http';
import { readRouterOptions, type RouterMaker } from './options';
import type { Outcome } from './outcome';
import { deliver } from './pipeline';
import { createRegistry } from './registry';
import { processJob } from './worker';
import { reportFailures } from './report';
import type { RouterState } from './state';
import type { PolarApiVersion } from '../events/api-version';
import type { CreateWebhooksOptions, DeliveryOutcome, WebhookContext, WebhookRouter } from './types';

export { DEFAULT_MAX_BODY_BYTES } from './options';

const CREATE_WEBHOOKS: RouterMaker = {
  name: 'createWebhooks()',
  optionName: (option) => option,
  unknownTypeHint: 'Register webhooks.onUnknown() to handle its raw payload',
};

/**
 * Creates a webhook router for one Polar endpoint.
 *
 * Register handlers with `on`, `onAny`, `onUnknown` and `onError`, then mount it: `webhooks.handle`
 * answers a Fetch `Request` (Workers, Bun, Deno, Next.js App Router), and `polar-webhooks/express`,
 * `/next` and `/hono` wrap it for those frameworks.
 *
 * @param options - The endpoint's secret (or secrets, during a rotation) and the policy knobs.
 * @throws {@link WebhookConfigurationError} `invalid_secret` for a missing, empty, quoted or placeholder
 *   secret; `invalid_option` for a malformed or misspelt option (with the name it probably meant).
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 *
 * const webhooks = createWebhooks({ secret: process.env.POLAR_WEBHOOK_SECRET! });
 * webhooks.on('order.paid', async (event, { id }) => {
 *   await fulfil(event.data.id, { idempotencyKey: id });
 * });
 * export default { fetch: webhooks.handle };
 * ```
 */
export function createWebhooks<V extends PolarApiVersion = PolarApiVersion>(
  options: CreateWebhooksOptions & { readonly apiVersion?: V },
): WebhookRouter<V> {
  return createRouter(options, CREATE_WEBHOOKS) as unknown as WebhookRouter<V>;
}

/**
 * {@link createWebhooks} on behalf of another builder (an adapter's drop-in `Webhooks()`), whose name
 * and option names the messages use.
 *
 * @internal
 */
export function createRouter(options: CreateWebhooksOptions, maker: RouterMaker): WebhookRouter {
  const config = readRouterOptions(options, maker);
  const registry = createRegistry();
  const state: RouterState = {
    config,
    registry,
    report: (errors, context) => reportFailures(registry.errorHandlers(), config.logger, errors, context),
    warnedTypes: new Set(),
  };

  async function verifyAndReceive(
    delivery: Parameters<WebhookRouter['verifyAndReceive']>[0],
  ): Promise<DeliveryOutcome> {
    const outcome: Outcome = await deliver(state, delivery.body, delivery.headers, delivery.waitUntil);
    if (outcome.kind === 'rejected' || outcome.kind === 'failed') throw outcome.error;
    return outcome;
  }

  function receive(...[event, context]: Parameters<WebhookRouter['receive']>): Promise<void> {
    const full: WebhookContext =
      context?.id !== undefined && context.timestamp !== undefined
        ? (context as WebhookContext)
        : { id: context?.id ?? '', timestamp: context?.timestamp ?? new Date() };
    return dispatch(registry.handlersFor(event.type), event, full, true, state.report) ?? Promise.resolve();
  }

  return Object.freeze({
    on: registry.on,
    onAny: registry.onAny,
    onUnknown: registry.onUnknown,
    onError: registry.onError,
    receive,
    verifyAndReceive,
    answer: (delivery) => answerHttp(state, delivery),
    respond: async (delivery) => ownAnswer(await answerHttp(state, delivery)),
    handle: (request, options, executionContext) => handleRequest(state, request, options, executionContext),
    process: (job) => processJob(state, job),
    maxBodyBytes: config.maxBodyBytes,
    logger: config.logger,
  } satisfies WebhookRouter);
}
