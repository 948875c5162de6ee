// The test's recording router (this module runs in the test's process).
import { createServerFileRoute } from '@tanstack/react-start/server';
import { createTanStackStartHandler } from 'polar-webhooks/tanstack-start';

const handler = createTanStackStartHandler(globalThis.__polarWebhooksTestRouters.hook);

export const ServerRoute = createServerFileRoute('/api/hook').methods({
  POST: handler,
  GET: handler,
  PUT: handler,
  PATCH: handler,
  DELETE: handler,
});
