// @polar-sh/tanstack-start's documented usage, with only the import changed, in this TanStack Start
// version's server routes (createServerFileRoute; createAPIFileRoute, which its README shows, is gone).
import { createServerFileRoute } from '@tanstack/react-start/server';
import { Webhooks } from 'polar-webhooks/tanstack-start';

export const ServerRoute = createServerFileRoute('/api/compat').methods({
  POST: Webhooks({
    webhookSecret: process.env.POLAR_WEBHOOK_SECRET,
    onPayload: async (payload) => {
      globalThis.__polarWebhooksTestCompatCalls.push({ handler: 'onPayload', type: payload.type });
    },
    onOrderPaid: async (payload) => {
      globalThis.__polarWebhooksTestCompatCalls.push({
        handler: 'onOrderPaid',
        type: payload.type,
        id: payload.data.id,
      });
    },
  }),
});
