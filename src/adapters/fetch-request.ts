/**
 * The glue shared by the frameworks that hand a route a Fetch `Request` (SvelteKit, Astro, React Router,
 * TanStack Start, Better Auth, h3 on web runtimes): an unread request goes to the router as it is; a
 * request whose body something else already read has lost the raw bytes the signature covers, and is
 * answered 500 `body_already_parsed` with how to fix that framework's set-up. No Node built-in, no
 * framework is imported.
 *
 * @module
 */

import { WebhookConfigurationError } from '../errors';
import { answerError, toResponse } from '../router/answer';
import type { WebhookRouter } from '../router/types';

/** The error for a Fetch request whose body was read before the webhook route, with `fix` for its framework. */
export function bodyAlreadyUsed(fix: string): WebhookConfigurationError {
  return new WebhookConfigurationError(
    'body_already_parsed',
    'The request body was already read before the webhook handler ran, so the raw bytes the signature covers ' +
      `are gone (re-serializing the JSON would change them). ${fix}`,
  );
}

/**
 * Answers a Fetch `Request` with the router's HTTP policy: `webhooks.handle(request)` when its body is
 * unread (or it is not a POST), else 500 `body_already_parsed` saying `fix`. Never rejects.
 */
export function answerFetchRequest(webhooks: WebhookRouter, request: Request, fix: string): Promise<Response> {
  // A method other than POST is answered 405 whatever became of its body.
  if (!request.bodyUsed || request.method !== 'POST') return webhooks.handle(request);
  return Promise.resolve(toResponse(answerError(bodyAlreadyUsed(fix), webhooks.logger)));
}
