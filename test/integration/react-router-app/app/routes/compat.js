// @polar-sh/remix's documented usage, with only the import changed.
import { Webhooks } from 'polar-webhooks/react-router';

export const action = Webhooks({
  webhookSecret: process.env.POLAR_WEBHOOK_SECRET,
  onPayload: async (payload) => {
    globalThis.__polarWebhooksTestCompatCalls.push({ handler: 'onPayload', type: payload.type });
  },
  onOrderPaid: async (payload) => {
    globalThis.__polarWebhooksTestCompatCalls.push({ handler: 'onOrderPaid', type: payload.type, id: payload.data.id });
  },
});
