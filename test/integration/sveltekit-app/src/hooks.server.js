// A hook that reads the body before one webhook route, as an app's logging or auth hook might.
export async function handle({ event, resolve }) {
  if (event.url.pathname === '/hook-after-hook') await event.request.json();
  return resolve(event);
}
