// App Router: POST /api/webhooks/polar. Works on the Node.js runtime (the default) and on
// `export const runtime = 'edge'`.
import { createNextRouteHandler } from 'polar-webhooks/next';
import { webhooks } from '@/lib/webhooks';

export const POST = createNextRouteHandler(webhooks);
