import { createAstroHandler } from 'polar-webhooks/astro';

export const prerender = false;

// The test's recording router (this module runs in the test's process).
const handler = createAstroHandler(globalThis.__polarWebhooksTestRouters.hook);

export const POST = handler;
export const ALL = handler;
