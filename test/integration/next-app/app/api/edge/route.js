import { createNextRouteHandler } from 'polar-webhooks/next';
import { recordingWebhooks } from '../../../lib/webhooks';

export const runtime = 'edge';
export const POST = createNextRouteHandler(recordingWebhooks('app-edge'));
export const GET = POST;
