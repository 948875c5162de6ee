// A request middleware that reads the body before the handler, as an app's logging or auth middleware might.
import { createMiddleware } from '@tanstack/react-start';
import { createServerFileRoute } from '@tanstack/react-start/server';
import { createTanStackStartHandler } from 'polar-webhooks/tanstack-start';

const readsBody = createMiddleware({ type: 'request' }).server(async ({ request, next }) => {
  await request.json();
  return next();
});

export const ServerRoute = createServerFileRoute('/api/hook-after-middleware')
  .middleware([readsBody])
  .methods({ POST: createTanStackStartHandler(globalThis.__polarWebhooksTestRouters.hook) });
