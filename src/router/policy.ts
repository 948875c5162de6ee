/**
 * The policy for genuine deliveries that cannot be used as typed events: an event type this version
 * does not know goes to the `onUnknown` handlers (or is logged once per type), an invalid payload is
 * reported and then acknowledged, or failed so that Polar retries it (`onInvalidPayload: 'retry'`).
 * Either way nothing is lost in silence, and nothing Polar sends in good faith disables the endpoint.
 *
 * @module
 */
import { UnknownEventTypeError, type WebhookPayloadError } from '../errors';
import type { Outcome } from './outcome';
import { runHandlers, type HandlerTask, type RunMode } from './run';
import type { RouterState } from './state';
import type { UnknownWebhookEvent, WebhookContext } from './types';

/** How many distinct unknown event types are remembered for the warn-once rule. */
const MAX_WARNED_TYPES = 256;

/** What happens to a verified delivery whose payload did not parse. */
export function receiveUnparsed(
  state: RouterState,
  error: WebhookPayloadError | UnknownEventTypeError,
  context: WebhookContext,
  mode: RunMode = {},
  source?: HandlerTask['source'],
): Outcome | Promise<Outcome> {
  if (error instanceof UnknownEventTypeError) return receiveUnknown(state, error, context, mode, source);
  const done: Outcome = state.config.retryInvalid
    ? { kind: 'failed', error, context }
    : { kind: 'invalid', error, context };
  const reporting = state.report([error], {
    id: context.id,
    timestamp: context.timestamp,
    eventType: error.eventType,
    event: undefined,
  });
  return reporting === undefined ? done : reporting.then(() => done);
}

function receiveUnknown(
  state: RouterState,
  error: UnknownEventTypeError,
  context: WebhookContext,
  mode: RunMode,
  source: HandlerTask['source'],
): Outcome | Promise<Outcome> {
  const event = error.payload as UnknownWebhookEvent;
  const done: Outcome = { kind: 'unknown', event, context };
  const handlers = state.registry.unknownHandlers();
  if (handlers.length === 0) {
    warnOnce(state, error.eventType);
    return done;
  }
  // The onUnknown handlers run as any others do: once, within the time budget, now or in the background.
  return runHandlers(state, { handlers, event, known: false, context, done, source }, mode);
}

function warnOnce(state: RouterState, type: string): void {
  const warned = state.warnedTypes;
  if (warned.has(type) || warned.size >= MAX_WARNED_TYPES) return;
  warned.add(type);
  state.config.logger.warn(
    `polar-webhooks: acknowledged a "${type}" event, a type this version does not know. ` +
      `${state.config.unknownTypeHint}, or upgrade polar-webhooks. This is logged once per type.`,
  );
}
