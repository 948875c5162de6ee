import { createSvelteKitHandler } from 'polar-webhooks/sveltekit';

// The test's recording router (this module runs in the test's process).
const handler = createSvelteKitHandler(globalThis.__polarWebhooksTestRouters.hook);

export const POST = handler;
export const fallback = handler;
