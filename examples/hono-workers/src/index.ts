// A Hono app for Cloudflare Workers that receives Polar webhooks at POST /webhooks/polar.
// The secret comes from the Worker's environment (`wrangler secret put POLAR_WEBHOOK_SECRET`).
import { Hono } from 'hono';
import { createWebhooks, type WebhookRouter } from 'polar-webhooks';
import { createHonoHandler, type HonoWebhookHandler } from 'polar-webhooks/hono';

type Bindings = {
  POLAR_WEBHOOK_SECRET: string;
};

function buildWebhooks(secret: string): WebhookRouter {
  const webhooks = createWebhooks({ secret });

  webhooks.on('order.paid', (event, { id }) => {
    const order = event.data;
    // Fulfil here. Polar re-sends the same webhook id on every retry: record it (in D1, or a
    // Durable Object) and skip ids you have already processed.
    console.log(
      `order.paid ${order.id} (webhook ${id}) ${order.total_amount} ${order.currency} from ${order.customer.email}`,
    );
  });

  // Revoke on `subscription.revoked`, not `subscription.canceled` (access lasts until the period ends).
  webhooks.on('subscription.revoked', (event, { id }) => {
    console.log(`subscription.revoked ${event.data.id} (webhook ${id}) customer ${event.data.customer_id}`);
  });

  webhooks.on('customer.state_changed', (event, { id }) => {
    const products = event.data.active_subscriptions.map((subscription) => subscription.product_id);
    console.log(`customer.state_changed ${event.data.id} (webhook ${id}) products [${products.join(', ')}]`);
  });

  // Event types newer than this version of polar-webhooks are acknowledged (202), never retried.
  webhooks.onUnknown((event, { id }) => {
    console.log(`unknown event type ${event.type} (webhook ${id}) acknowledged`);
  });

  webhooks.onError((error, { id, eventType }) => {
    console.error(
      `webhook ${id} (${eventType ?? 'no type'}) failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  });

  return webhooks;
}

// A Worker sees its bindings per request, so the router is built on the first delivery and reused
// while the isolate lives (rebuilt if the secret changes).
let cached: { secret: string; handler: HonoWebhookHandler } | undefined;

const app = new Hono<{ Bindings: Bindings }>();

app.get('/', (c) => c.text('Polar webhooks: POST /webhooks/polar'));

app.post('/webhooks/polar', (c) => {
  const secret = c.env.POLAR_WEBHOOK_SECRET;
  if (cached?.secret !== secret) cached = { secret, handler: createHonoHandler(buildWebhooks(secret)) };
  return cached.handler(c);
});

export default app;
