// A resource route (no component). The test's recording router: this module runs in the test's process.
import { createReactRouterAction } from 'polar-webhooks/react-router';

export const action = createReactRouterAction(globalThis.__polarWebhooksTestRouters.hook);
export const loader = action;
