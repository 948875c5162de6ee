// A Supabase Edge Function that receives Polar webhooks.
//
//   supabase secrets set POLAR_WEBHOOK_SECRET=whsec_...
//   supabase functions deploy polar-webhooks --no-verify-jwt
//
// Point the Polar endpoint at https://<project-ref>.supabase.co/functions/v1/polar-webhooks.
// The in-memory Set below stands in for a table: an Edge Function instance does not live long.
import { createWebhooks } from 'npm:polar-webhooks@^0.1.0';
import { createSupabaseHandler } from 'npm:polar-webhooks@^0.1.0/supabase';

const secret = Deno.env.get('POLAR_WEBHOOK_SECRET');
if (!secret) {
  throw new Error('Set POLAR_WEBHOOK_SECRET: supabase secrets set POLAR_WEBHOOK_SECRET=<the secret shown in Polar>');
}

/** Webhook ids already handled. Polar re-sends the same id on every retry of an event. */
const fulfilled = new Set<string>();

const webhooks = createWebhooks({ secret });

webhooks.on('order.paid', async (event, { id }) => {
  const order = event.data;
  if (fulfilled.has(id)) {
    console.log(`order.paid ${order.id} (webhook ${id}) already fulfilled, skipped`);
    return;
  }
  // Fulfil here. With supabase-js, insert the webhook id into a table with a unique column in the
  // same transaction as the fulfilment, so two concurrent retries cannot both fulfil.
  fulfilled.add(id);
  console.log(`order.paid ${order.id} (webhook ${id}) fulfilled: ${order.total_amount} ${order.currency}`);
});

// Revoke on `subscription.revoked`, not `subscription.canceled`: a canceled subscription stays
// active until the end of the period it was paid for.
webhooks.on('subscription.revoked', (event, { id }) => {
  const subscription = event.data;
  console.log(`subscription.revoked ${subscription.id} (webhook ${id}) customer ${subscription.customer_id}`);
});

// Event types newer than this version of polar-webhooks: acknowledged (202), so Polar does not retry.
webhooks.onUnknown((event, { id }) => {
  console.log(`unknown event type ${event.type} (webhook ${id}) acknowledged`);
});

// Payloads that do not match their schema, and errors thrown by the handlers above.
webhooks.onError((error, { id, eventType }) => {
  console.error(`webhook ${id} (${eventType ?? 'no type'}) failed:`, error instanceof Error ? error.message : error);
});

Deno.serve(createSupabaseHandler(webhooks));
