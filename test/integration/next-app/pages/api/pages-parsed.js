// The same route with Next.js's body parser left on: the handler must explain how to fix it.
import { createNextPagesHandler } from 'polar-webhooks/next';
import { recordingWebhooks } from '../../lib/webhooks';

export default createNextPagesHandler(recordingWebhooks('pages-parsed'));
