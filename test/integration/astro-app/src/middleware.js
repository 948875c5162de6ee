// Middleware that reads the body before one webhook route, as an app's logging or auth middleware might.
export async function onRequest(context, next) {
  if (context.url.pathname === '/hook-after-middleware') await context.request.json();
  return next();
}
