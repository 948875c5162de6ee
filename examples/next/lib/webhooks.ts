import { createWebhooks } from 'polar-webhooks';

// A function: the secret is read (and checked) on each delivery, because `next build` loads this
// module without the variable set. A missing secret then fails each delivery with a message saying
// so (Polar retries), instead of failing the build.
export const webhooks = createWebhooks({ secret: () => process.env.POLAR_WEBHOOK_SECRET });

webhooks.on('order.paid', async (event, { id }) => {
  const order = event.data;
  // Fulfil here. Polar re-sends the same webhook id on every retry: store it with a unique
  // constraint in the same transaction as the fulfilment, and skip ids already stored.
  console.log(
    `order.paid ${order.id} (webhook ${id}) ${order.total_amount} ${order.currency} from ${order.customer.email}`,
  );
});

// Revoke on `subscription.revoked`, not `subscription.canceled` (access lasts until the period ends).
webhooks.on('subscription.revoked', async (event, { id }) => {
  console.log(`subscription.revoked ${event.data.id} (webhook ${id}) customer ${event.data.customer_id}`);
});

webhooks.on('customer.state_changed', async (event, { id }) => {
  const products = event.data.active_subscriptions.map((subscription) => subscription.product_id);
  console.log(`customer.state_changed ${event.data.id} (webhook ${id}) products [${products.join(', ')}]`);
});

webhooks.onUnknown((event, { id }) => {
  console.log(`unknown event type ${event.type} (webhook ${id}) acknowledged`);
});

webhooks.onError((error, { id, eventType }) => {
  console.error(
    `webhook ${id} (${eventType ?? 'no type'}) failed: ${error instanceof Error ? error.message : String(error)}`,
  );
});
