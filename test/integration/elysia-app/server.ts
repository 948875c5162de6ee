/**
 * An Elysia app on Bun, for test/integration/elysia.test.ts: the webhook handler on several routes,
 * with handlers that report each call to the test's collector (COLLECTOR_URL) before they return, so
 * that a call is recorded before its delivery is answered. Prints `listening <port>` once it serves.
 */
import { Elysia } from 'elysia';
import { createElysiaHandler, Webhooks } from '../../../src/adapters/elysia';
import { createWebhooks } from '../../../src/router/create-webhooks';

const secret = process.env.POLAR_WEBHOOK_SECRET as string;
const collector = process.env.COLLECTOR_URL as string;

async function report(call: Record<string, unknown>): Promise<void> {
  await fetch(collector, { method: 'POST', body: JSON.stringify(call) });
}

const webhooks = createWebhooks({ secret, maxBodyBytes: Number(process.env.TEST_LIMIT) });
webhooks.on('order.paid', async (event, context) => {
  if (event.data.metadata.fail === 'yes') throw new Error('handler failed on purpose');
  await report({ kind: 'event', type: event.type, id: context.id, data: event.data });
});
webhooks.onUnknown(async (event, context) => {
  await report({ kind: 'unknown', type: event.type, id: context.id, payload: event });
});
webhooks.onError(async (error, context) => {
  const e = error as { code?: string; payload?: unknown; message?: string };
  await report({ kind: 'error', code: e.code, id: context.id, payload: e.payload, message: e.message });
});

const handler = createElysiaHandler(webhooks);

const app = new Elysia()
  // Every method, so that the policy's own 405 is what answers a GET.
  .all('/hook', handler)
  // An ordinary JSON route of the same app.
  .post('/echo', ({ body }) => ({ parsed: body }))
  .post('/parse-none', handler, { parse: 'none' })
  // A route told to parse JSON: Elysia consumes the body before the handler.
  .post('/parse-json', handler, { parse: 'json' })
  // The documented usage of @polar-sh/elysia, with only the import changed.
  .post(
    '/polar/webhooks',
    Webhooks({
      webhookSecret: secret,
      onPayload: async (payload, { id }) => {
        await report({ kind: 'event', route: 'drop-in', type: payload.type, id });
      },
    }),
  )
  .listen({ port: 0, hostname: '127.0.0.1' });

console.log(`listening ${app.server?.port}`);
