import { createNextRouteHandler } from 'polar-webhooks/next';
import { recordingWebhooks } from '../../../lib/webhooks';

export const runtime = 'nodejs';
export const POST = createNextRouteHandler(recordingWebhooks('app-node'));
export const GET = POST;
