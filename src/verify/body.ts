/**
 * The raw body as verification needs it: text or bytes, exactly as received. A parsed object is the
 * classic mistake (a framework ran a JSON body parser first), and is refused with how to fix it.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';

/**
 * The body as a string or a byte view, whatever form it came in.
 *
 * @throws {@link WebhookConfigurationError} `body_already_parsed` for an object, `invalid_body` for anything else.
 */
export function readBody(body: unknown): string | Uint8Array {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  // Objects from another realm (a vm context, an iframe) fail instanceof: recognise them by tag.
  const tag = Object.prototype.toString.call(body);
  if (tag === '[object ArrayBuffer]') return new Uint8Array(body as ArrayBuffer);
  if (body !== null && typeof body === 'object') {
    throw new WebhookConfigurationError(
      'body_already_parsed',
      'The body is an already-parsed object, but the signature covers the raw bytes: re-serializing JSON changes them ' +
        "(key order, whitespace, 10.0 vs 10). Pass the raw body. Express: mount the webhook route with express.raw({ type: 'application/json' }) " +
        'before express.json(), or use polar-webhooks/express. Next.js App Router: await request.text(). ' +
        'Next.js Pages Router: export const config = { api: { bodyParser: false } } and read the stream.',
    );
  }
  throw new WebhookConfigurationError(
    'invalid_body',
    `Expected the raw request body as a string, Uint8Array/Buffer or ArrayBuffer, got ${body === null ? 'null' : typeof body}. ` +
      'If your framework gave you undefined, no body was read: read the raw body (request.text(), express.raw()) and pass that.',
  );
}
