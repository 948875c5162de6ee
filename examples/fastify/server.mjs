// @ts-check
// A Fastify 5 app that receives Polar webhooks at POST /webhooks/polar.
//
//   POLAR_WEBHOOK_SECRET=whsec_... PORT=3000 node server.mjs
//
// The in-memory Set and Map below stand in for your database.
import Fastify from 'fastify';
import { createWebhooks } from 'polar-webhooks';
import { createFastifyRoute } from 'polar-webhooks/fastify';

const secret = process.env.POLAR_WEBHOOK_SECRET;
if (!secret) {
  console.error('Set POLAR_WEBHOOK_SECRET to the secret of your endpoint in the Polar dashboard.');
  process.exit(1);
}

/** Webhook ids already handled. Polar re-sends the same id on every retry of an event. */
const fulfilled = new Set();
/** @type {Map<string, Set<string>>} Customer id → the product ids that customer has access to. */
const access = new Map();

const webhooks = createWebhooks({ secret });

webhooks.on('order.paid', async (event, { id }) => {
  const order = event.data;
  if (fulfilled.has(id)) {
    console.log(`order.paid ${order.id} (webhook ${id}) already fulfilled, skipped`);
    return;
  }
  // Fulfil here: send the licence, provision the account, ship the goods...
  // With a real database, record the webhook id in the same transaction as the fulfilment
  // (a unique column), so two concurrent retries cannot both fulfil.
  fulfilled.add(id);
  console.log(
    `order.paid ${order.id} (webhook ${id}) fulfilled: ${order.total_amount} ${order.currency} from ${order.customer.email}`,
  );
});

// Revoke on `subscription.revoked`, not `subscription.canceled`: a canceled subscription stays
// active until the end of the period it was paid for.
webhooks.on('subscription.revoked', (event, { id }) => {
  const subscription = event.data;
  access.get(subscription.customer_id)?.delete(subscription.product_id);
  console.log(
    `subscription.revoked ${subscription.id} (webhook ${id}) customer ${subscription.customer_id} lost ${subscription.product_id}`,
  );
});

// One payload with everything the customer is entitled to now: the simplest source for access checks.
webhooks.on('customer.state_changed', (event, { id }) => {
  const customer = event.data;
  const products = new Set(customer.active_subscriptions.map((subscription) => subscription.product_id));
  access.set(customer.id, products);
  console.log(
    `customer.state_changed ${customer.id} (webhook ${id}) ${products.size} active subscription(s), ${customer.granted_benefits.length} benefit(s)`,
  );
});

// Event types newer than this version of polar-webhooks: acknowledged (202), so Polar does not retry.
webhooks.onUnknown((event, { id }) => {
  console.log(`unknown event type ${event.type} (webhook ${id}) acknowledged`);
});

// Payloads that do not match their schema, and errors thrown by the handlers above.
webhooks.onError((error, { id, eventType }) => {
  console.error(`webhook ${id} (${eventType ?? 'no type'}) failed:`, error instanceof Error ? error.message : error);
});

const app = Fastify();

// The route reads the raw body itself (the signature covers those bytes); other routes parse JSON as usual.
app.post('/webhooks/polar', createFastifyRoute(webhooks));

/** @type {{ customer: string, text: string }[]} */
const notes = [];

app.post('/notes', async (request, reply) => {
  const note = /** @type {{ customer: string, text: string }} */ (request.body);
  notes.push(note);
  return reply.code(201).send({ saved: note, count: notes.length });
});

app.get('/customers/:id/access', async (request) => {
  const { id } = /** @type {{ id: string }} */ (request.params);
  return { customer: id, products: [...(access.get(id) ?? [])] };
});

const host = process.env.HOST ?? 'localhost';
await app.listen({ port: Number(process.env.PORT ?? 3000), host });
const address = app.server.address();
const port = typeof address === 'object' && address !== null ? address.port : address;
console.log(`Listening on http://${host}:${port}, Polar webhooks at POST /webhooks/polar`);

process.on('SIGTERM', () => void app.close());
