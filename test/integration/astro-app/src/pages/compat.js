// @polar-sh/astro's documented usage, with only the import changed.
import { Webhooks } from 'polar-webhooks/astro';
import { POLAR_WEBHOOK_SECRET } from 'astro:env/server';

export const prerender = false;

export const POST = Webhooks({
  webhookSecret: POLAR_WEBHOOK_SECRET,
  onPayload: async (payload) => {
    globalThis.__polarWebhooksTestCompatCalls.push({ handler: 'onPayload', type: payload.type });
  },
  onOrderPaid: async (payload) => {
    globalThis.__polarWebhooksTestCompatCalls.push({ handler: 'onOrderPaid', type: payload.type, id: payload.data.id });
  },
});
