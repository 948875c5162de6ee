// A middleware that reads the body before the action, as an app's logging or auth middleware might, the
// way the body_already_parsed message says to: from a copy. (React Router itself cannot run an action
// once a middleware has read the request's own body.)
import { createReactRouterAction } from 'polar-webhooks/react-router';

export const middleware = [
  async ({ request }, next) => {
    await request.clone().json();
    return next();
  },
];
export const action = createReactRouterAction(globalThis.__polarWebhooksTestRouters.hook);
