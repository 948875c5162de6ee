// Builds a router whose handlers report every call to the test's collector server, so the test
// can see which handler ran, with what, from outside the Next.js process (also from the Edge runtime).
import { createWebhooks } from 'polar-webhooks';

async function report(record) {
  const response = await fetch(process.env.POLAR_TEST_COLLECTOR_URL, { method: 'POST', body: JSON.stringify(record) });
  if (!response.ok) throw new Error(`collector answered ${response.status}`);
}

export function recordingWebhooks(route) {
  // The secret is read per delivery: at build time the variable is unset, and that must not fail the build.
  const webhooks = createWebhooks({ secret: () => process.env.POLAR_WEBHOOK_SECRET, maxBodyBytes: 64 * 1024 });
  webhooks.on('order.paid', async (event, context) => {
    if (event.data.metadata.fail === 'yes') throw new Error('handler failed on purpose');
    await report({ route, kind: 'event', type: event.type, id: context.id, data: event.data });
  });
  webhooks.onUnknown((event, context) =>
    report({ route, kind: 'unknown', type: event.type, id: context.id, payload: event }),
  );
  webhooks.onError((error, context) =>
    report({ route, kind: 'error', code: error.code, id: context.id, payload: error.payload, message: error.message }),
  );
  return webhooks;
}
