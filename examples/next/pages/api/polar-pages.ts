// Pages Router variant: POST /api/polar-pages. Use one route or the other, not both.
import { createNextPagesHandler } from 'polar-webhooks/next';
import { webhooks } from '@/lib/webhooks';

// Next.js parses request bodies by default, which loses the raw bytes the signature covers.
export const config = { api: { bodyParser: false } };

export default createNextPagesHandler(webhooks);
