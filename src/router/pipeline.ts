/**
 * The pipeline: the one path every delivery takes, whatever entry point it came through.
 *
 *   verify → parse → run the handlers   (then an entry point turns the outcome into its answer)
 *
 * Each step is synchronous when it can be: verification on node:crypto, parsing always, the handlers
 * when every one returns nothing (and no option makes them wait on a store). Only a step that is
 * really asynchronous makes a promise, so the common delivery on Node is answered without one.
 *
 * @module
 */
import { bodyText, safeParseEvent } from '../events/parse';
import { readHeader, type WebhookHeaders } from '../verify/headers';
import { nodeCrypto } from '../verify/hmac-node';
import { verifySignature, verifySignatureAsync, type VerifiedDelivery, type WebhookBody } from '../verify/verify';
import { reportVersionMismatch } from './api-version';
import { capture } from './capture';
import { rejected, type Outcome } from './outcome';
import { receiveUnparsed } from './policy';
import { runHandlers, type HandlerTask } from './run';
import type { RouterState } from './state';
import type { WebhookContext } from './types';

/** The header Polar's CLI (`polar trigger`) marks its test deliveries with. */
const TRIGGERED = 'x-polar-triggered';

/** Keeps background work alive for one delivery (Cloudflare's `ctx.waitUntil`, …). */
export type WaitUntil = (work: Promise<unknown>) => void;

/**
 * Verifies, parses and runs the handlers of one delivery. Never throws, and the promise never
 * rejects: every way a delivery can end is an {@link Outcome}.
 *
 * @param waitUntil - Keeps this delivery's background work alive (with `respond: 'after-verify'`).
 */
export function deliver(
  state: RouterState,
  body: WebhookBody,
  headers: WebhookHeaders,
  waitUntil?: WaitUntil,
): Outcome | Promise<Outcome> {
  let verified: WebhookContext | Promise<WebhookContext>;
  try {
    verified = verify(state, body, headers);
  } catch (error) {
    return rejected(error);
  }
  if (verified instanceof Promise) {
    return verified.then((context) => parseAndRun(state, body, headers, context, waitUntil), rejected);
  }
  return parseAndRun(state, body, headers, verified, waitUntil);
}

/** Step 1: the signature, the timestamp, the secret; the verified delivery becomes the handlers' context. */
function verify(
  state: RouterState,
  body: WebhookBody,
  headers: WebhookHeaders,
): WebhookContext | Promise<WebhookContext> {
  const { secret, verifyOptions } = state.config;
  if (nodeCrypto() === undefined) {
    return verifySignatureAsync(body, headers, secret(), verifyOptions).then((verified) =>
      contextOf(state, verified, body, headers),
    );
  }
  return contextOf(state, verifySignature(body, headers, secret(), verifyOptions), body, headers);
}

/** What handlers learn besides the event; and, when asked for, a copy of the delivery for `capture`. */
function contextOf(
  state: RouterState,
  verified: VerifiedDelivery,
  body: WebhookBody,
  headers: WebhookHeaders,
): WebhookContext {
  if (state.config.capture !== undefined) capture(state, verified, body, headers);
  return readHeader(headers, TRIGGERED) === 'true' ? { ...verified, triggered: true } : verified;
}

/** Steps 2 and 3: the payload against its schema, then its handlers (or the policy for what did not parse). */
function parseAndRun(
  state: RouterState,
  body: WebhookBody,
  headers: WebhookHeaders,
  verified: WebhookContext,
  waitUntil: WaitUntil | undefined,
): Outcome | Promise<Outcome> {
  try {
    const parsed = safeParseEvent(bodyText(body), {
      apiVersion: state.config.apiVersion,
      deliveredVersion: readHeader(headers, 'webhook-api-version'),
    });
    const source = state.config.queue === undefined ? undefined : sourceOf(body, headers);
    if (!parsed.success) return receiveUnparsed(state, parsed.error, verified, { waitUntil }, source);
    const { event } = parsed;
    if (parsed.versionMismatch !== undefined) reportVersionMismatch(state, parsed.versionMismatch, verified.id);
    const context: WebhookContext = { ...verified, apiVersion: parsed.apiVersion };
    const handlers = state.registry.handlersFor(event.type);
    const done: Outcome = { kind: 'handled', event, context };
    return runHandlers(state, { handlers, event, known: true, context, done, source }, { waitUntil });
  } catch (error) {
    // Only a bug can land here (parsing and dispatch catch what they expect); answer it, never throw.
    return rejected(error);
  }
}

/** What a queued job carries besides the event: the raw body as text, and the version header. */
function sourceOf(body: WebhookBody, headers: WebhookHeaders): HandlerTask['source'] {
  return { body: bodyText(body), deliveredVersion: readHeader(headers, 'webhook-api-version') };
}
