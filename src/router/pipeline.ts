/**
 * The pipeline: the one path every delivery takes, whatever entry point it came through.
 *
 *   verify → parse → dispatch   (then an entry point turns the outcome into its answer)
 *
 * Each step is synchronous when it can be: verification on node:crypto, parsing always, dispatch when
 * every handler returns nothing. Only a step that is really asynchronous makes a promise, so the
 * common delivery on Node is handled and answered without one.
 *
 * @module
 */
import { bodyText, safeParseEvent } from '../events/parse';
import { nodeCrypto } from '../verify/hmac-node';
import { readHeader, type WebhookHeaders } from '../verify/headers';
import { verifySignature, verifySignatureAsync, type VerifiedDelivery, type WebhookBody } from '../verify/verify';
import { capture } from './capture';
import { dispatch } from './dispatch';
import { afterDispatch, rejected, type Outcome } from './outcome';
import { receiveUnparsed } from './policy';
import type { RouterState } from './state';
import type { WebhookContext } from './types';

/** The header Polar's CLI (`polar trigger`) marks its test deliveries with. */
const TRIGGERED = 'x-polar-triggered';

/**
 * Verifies, parses and dispatches one delivery. Never throws, and the promise never rejects: every
 * way a delivery can end is an {@link Outcome}.
 */
export function deliver(state: RouterState, body: WebhookBody, headers: WebhookHeaders): Outcome | Promise<Outcome> {
  let verified: WebhookContext | Promise<WebhookContext>;
  try {
    verified = verify(state, body, headers);
  } catch (error) {
    return rejected(error);
  }
  if (verified instanceof Promise) return verified.then((context) => parseAndDispatch(state, body, context), rejected);
  return parseAndDispatch(state, body, verified);
}

/** Step 1: the signature, the timestamp, the secret; the verified delivery is the handlers' context. */
function verify(
  state: RouterState,
  body: WebhookBody,
  headers: WebhookHeaders,
): WebhookContext | Promise<WebhookContext> {
  const { secret, verifyOptions } = state.config;
  return nodeCrypto() === undefined
    ? verifySignatureAsync(body, headers, secret(), verifyOptions)
    : verifySignature(body, headers, secret(), verifyOptions);
}

/** Steps 2 and 3: the payload against its schema, then its handlers (or the policy for what did not parse). */
function parseAndDispatch(state: RouterState, body: WebhookBody, context: WebhookContext): Outcome | Promise<Outcome> {
  try {
    const parsed = safeParseEvent(bodyText(body));
    if (!parsed.success) return receiveUnparsed(state, parsed.error, context);
    const { event } = parsed;
    const running = dispatch(state.registry.handlersFor(event.type), event, context, true, state.report);
    return afterDispatch(running, { kind: 'handled', event, context }, context);
  } catch (error) {
    // Only a bug can land here (parsing and dispatch catch what they expect); answer it, never throw.
    return rejected(error);
  }
}
