// POST /webhooks/polar: verified, validated, routed to the handlers in $lib/server/webhooks.
import { createSvelteKitHandler } from 'polar-webhooks/sveltekit';
import { webhooks } from '$lib/server/webhooks';

export const POST = createSvelteKitHandler(webhooks);
