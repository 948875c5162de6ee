import { Webhooks } from 'polar-webhooks/next';

export const runtime = 'edge';
export const POST = Webhooks({
  webhookSecret: process.env.POLAR_WEBHOOK_SECRET,
  onOrderPaid: async (payload) => {
    await fetch(process.env.POLAR_TEST_COLLECTOR_URL, {
      method: 'POST',
      body: JSON.stringify({ route: 'compat', kind: 'event', type: payload.type, data: payload.data }),
    });
  },
});
