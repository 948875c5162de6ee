/**
 * `polar-webhooks/supabase`: the router as a Supabase Edge Function handler (`Deno.serve(handler)`),
 * with the Edge Runtime's `EdgeRuntime.waitUntil` keeping background work alive after the answer.
 *
 * @module
 */

import type { HandleOptions, WebhookRouter } from '../router/types';
import { createCompatWebhooks, type WebhooksOptions } from './compat';

/** A handler for `Deno.serve(handler)` in a Supabase Edge Function. */
export type SupabaseWebhookHandler = (request: Request) => Promise<Response>;

/** The Supabase Edge Runtime's global, where there is one. */
interface EdgeRuntimeGlobal {
  readonly EdgeRuntime?: { readonly waitUntil?: (work: Promise<unknown>) => void };
}

/** `EdgeRuntime.waitUntil` on Supabase's Edge Runtime; nothing elsewhere (plain Deno, tests). */
function edgeRuntimeOptions(): HandleOptions | undefined {
  const runtime = (globalThis as EdgeRuntimeGlobal).EdgeRuntime;
  const waitUntil = runtime?.waitUntil;
  if (typeof waitUntil !== 'function') return undefined;
  return { waitUntil: (work) => waitUntil.call(runtime, work) };
}

/**
 * A Supabase Edge Function handler that answers Polar deliveries with the router's HTTP policy. On
 * Supabase's Edge Runtime, work the router runs after the answer (`respond: 'after-verify'`) is kept
 * alive with `EdgeRuntime.waitUntil`.
 *
 * Supabase checks a JWT on every request to a function unless told not to, and Polar sends none: set
 * `verify_jwt = false` for the function in `supabase/config.toml` (or deploy with `--no-verify-jwt`).
 *
 * @example
 * ```ts
 * // supabase/functions/polar-webhooks/index.ts
 * import { createWebhooks } from 'npm:polar-webhooks';
 * import { createSupabaseHandler } from 'npm:polar-webhooks/supabase';
 *
 * const webhooks = createWebhooks({ secret: Deno.env.get('POLAR_WEBHOOK_SECRET')! });
 * webhooks.on('order.paid', (event) => console.log(event.data.id));
 *
 * Deno.serve(createSupabaseHandler(webhooks));
 * ```
 */
export function createSupabaseHandler(webhooks: WebhookRouter): SupabaseWebhookHandler {
  const { handle } = webhooks;
  return (request) => handle(request, edgeRuntimeOptions());
}

/**
 * Drop-in replacement for `Webhooks` from `@polar-sh/supabase`: the same option names (`webhookSecret`,
 * `onPayload`, `onOrderPaid`, …), with a handler for every one of the 42 event types. Returns a handler
 * for `Deno.serve`.
 *
 * @example
 * ```ts
 * import { Webhooks } from 'npm:polar-webhooks/supabase';
 *
 * Deno.serve(Webhooks({
 *   webhookSecret: Deno.env.get('POLAR_WEBHOOK_SECRET')!,
 *   onOrderPaid: async (payload) => console.log(payload.data.id),
 * }));
 * ```
 */
export function Webhooks(options: WebhooksOptions): SupabaseWebhookHandler {
  return createSupabaseHandler(createCompatWebhooks(options));
}

export type { WebhooksOptions, EventHandlerOptions } from './compat';
