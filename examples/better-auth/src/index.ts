// Better Auth on Cloudflare Workers, receiving Polar webhooks at POST /api/auth/polar/webhooks.
import { betterAuth } from 'better-auth';
import { polarWebhooks } from 'polar-webhooks/better-auth';

type Env = {
  POLAR_WEBHOOK_SECRET: string;
  BETTER_AUTH_SECRET: string;
};

function buildAuth(env: Env, origin: string) {
  return betterAuth({
    baseURL: origin,
    secret: env.BETTER_AUTH_SECRET,
    // No database: Better Auth keeps users and sessions in the isolate's memory (its memory adapter),
    // which is enough to show the webhooks. Use D1 (through Kysely) or another database in production.
    emailAndPassword: { enabled: true },
    plugins: [
      polarWebhooks({
        secret: env.POLAR_WEBHOOK_SECRET,
        onOrderPaid: async (payload, { id }) => {
          const order = payload.data;
          // Fulfil here. Polar re-sends the same webhook id on every retry: record it and skip ids already handled.
          console.log(
            `order.paid ${order.id} (webhook ${id}) ${order.total_amount} ${order.currency} for ${order.customer.email}`,
          );
        },
        onCustomerStateChanged: async (payload, { id }) => {
          const products = payload.data.active_subscriptions.map((subscription) => subscription.product_id);
          console.log(`customer.state_changed ${payload.data.id} (webhook ${id}) products [${products.join(', ')}]`);
        },
        // Revoke on subscription.revoked, not subscription.canceled (access lasts until the period ends).
        onSubscriptionRevoked: async (payload, { id }) => {
          console.log(`subscription.revoked ${payload.data.id} (webhook ${id}) customer ${payload.data.customer_id}`);
        },
        // Event types newer than this version of polar-webhooks are acknowledged (202), never retried.
        onUnknown: (event, { id }) => console.log(`unknown event type ${event.type} (webhook ${id}) acknowledged`),
        onError: (error, { id }) =>
          console.error(`webhook ${id} failed: ${error instanceof Error ? error.message : String(error)}`),
      }),
    ],
  });
}

// A Worker sees its bindings per request: build Better Auth on the first request, reuse it while the isolate lives.
let cached: { key: string; auth: ReturnType<typeof buildAuth> } | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/api/auth/')) return new Response('Polar webhooks: POST /api/auth/polar/webhooks');
    const key = `${env.POLAR_WEBHOOK_SECRET}\n${env.BETTER_AUTH_SECRET}\n${url.origin}`;
    if (cached?.key !== key) cached = { key, auth: buildAuth(env, url.origin) };
    return cached.auth.handler(request);
  },
};
