// The router: which handler runs for which Polar event. The in-memory Set and Map stand in for your database.
import { env } from '$env/dynamic/private';
import { createWebhooks } from 'polar-webhooks';

/** Webhook ids already handled. Polar re-sends the same id on every retry of an event. */
const fulfilled = new Set<string>();
/** Customer id → the product ids that customer has access to. */
export const access = new Map<string, Set<string>>();

// Read per delivery: `vite build` loads this module where POLAR_WEBHOOK_SECRET is not set.
export const webhooks = createWebhooks({ secret: () => env.POLAR_WEBHOOK_SECRET });

webhooks.on('order.paid', async (event, { id }) => {
  const order = event.data;
  if (fulfilled.has(id)) {
    console.log(`order.paid ${order.id} (webhook ${id}) already fulfilled, skipped`);
    return;
  }
  // Fulfil here. With a real database, record the webhook id in the same transaction as the fulfilment.
  fulfilled.add(id);
  console.log(
    `order.paid ${order.id} (webhook ${id}) fulfilled: ${order.total_amount} ${order.currency} from ${order.customer.email}`,
  );
});

// One payload with everything the customer is entitled to now: the simplest source for access checks.
webhooks.on('customer.state_changed', (event, { id }) => {
  const customer = event.data;
  const products = new Set(customer.active_subscriptions.map((subscription) => subscription.product_id));
  access.set(customer.id, products);
  console.log(`customer.state_changed ${customer.id} (webhook ${id}) ${products.size} active subscription(s)`);
});

// Revoke on `subscription.revoked`, not `subscription.canceled` (access lasts until the period ends).
webhooks.on('subscription.revoked', (event, { id }) => {
  const subscription = event.data;
  access.get(subscription.customer_id)?.delete(subscription.product_id);
  console.log(
    `subscription.revoked ${subscription.id} (webhook ${id}) customer ${subscription.customer_id} lost ${subscription.product_id}`,
  );
});

// Event types newer than this version of polar-webhooks: acknowledged (202), so Polar does not retry.
webhooks.onUnknown((event, { id }) => {
  console.log(`unknown event type ${event.type} (webhook ${id}) acknowledged`);
});

webhooks.onError((error, { id, eventType }) => {
  console.error(
    `webhook ${id} (${eventType ?? 'no type'}) failed: ${error instanceof Error ? error.message : String(error)}`,
  );
});
