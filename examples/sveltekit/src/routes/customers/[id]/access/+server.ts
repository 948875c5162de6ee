// GET /customers/:id/access: what the webhooks granted, to show that they ran.
import { json } from '@sveltejs/kit';
import { access } from '$lib/server/webhooks';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params }) =>
  json({ customer: params.id, products: [...(access.get(params.id) ?? [])] });
