import { createNextPagesHandler } from 'polar-webhooks/next';
import { recordingWebhooks } from '../../lib/webhooks';

export const config = { api: { bodyParser: false } };
export default createNextPagesHandler(recordingWebhooks('pages'));
