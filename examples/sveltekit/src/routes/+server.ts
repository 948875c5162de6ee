export const GET = () => new Response('Polar webhooks: POST /webhooks/polar');
