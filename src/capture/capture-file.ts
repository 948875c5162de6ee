import { WebhookConfigurationError } from '../errors';
import type { CapturedDelivery } from '../router/types';

/** The `format` field of a capture file: what it holds, and in which version of the layout. */
export const CAPTURE_FILE_FORMAT = 'polar-webhooks/captured-delivery@1';

/**
 * One captured delivery as a JSON file: the headers and the raw body exactly as verified, so that it
 * can be read, diagnosed (`polar-webhooks diagnose <file>`) and sent again (`polar-webhooks replay`).
 */
export interface CaptureFile {
  /** Always {@link CAPTURE_FILE_FORMAT}. */
  readonly format: typeof CAPTURE_FILE_FORMAT;
  /** The `webhook-id` header. */
  readonly id: string;
  /** The `webhook-timestamp` header, as an ISO 8601 date. */
  readonly timestamp: string;
  /** When the delivery was written to the file, as an ISO 8601 date. */
  readonly capturedAt: string;
  /** The headers the router keeps (see `CapturedDelivery`), by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, as text: a JSON string holds it byte for byte. */
  readonly body: string;
}

/** A delivery read back from a capture file. */
export interface CaptureFileDelivery extends CapturedDelivery {
  /** When it was captured, when the file says so. */
  readonly capturedAt: Date | undefined;
}

/** The file's text: pretty-printed for reading; the body is one JSON string, so its bytes are kept as they were. */
export function captureFileText(delivery: CapturedDelivery, capturedAt: Date): string {
  const file: CaptureFile = {
    format: CAPTURE_FILE_FORMAT,
    id: delivery.id,
    timestamp: delivery.timestamp.toISOString(),
    capturedAt: capturedAt.toISOString(),
    headers: delivery.headers,
    body: delivery.body,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const NAME = /^\d{8}T\d{9}Z-[\w-]{1,80}-[0-9a-z]{6}\.json$/;

/**
 * `<capture time>-<webhook id>-<random>.json`: names sort by capture time, a retry of the same event
 * gets a file of its own, and the id is reduced to characters every file system accepts.
 */
export function captureFileName(delivery: CapturedDelivery, capturedAt: Date): string {
  const stamp = capturedAt.toISOString().replace(/[-:.]/g, '');
  const id = delivery.id.replace(/[^\w-]/g, '_').slice(0, 80) || 'no-id';
  const random = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${stamp}-${id}-${random}.json`;
}

/** Whether a file name is one {@link captureFileName} makes: only those count towards the caps, or are removed. */
export function isCaptureFileName(name: string): boolean {
  return NAME.test(name);
}

function notACapture(source: string, why: string): WebhookConfigurationError {
  return new WebhookConfigurationError(
    'invalid_argument',
    `${source} is not a captured delivery: ${why}. Capture files are written by captureToDirectory() from ` +
      '\'polar-webhooks/capture\'; a hand-made one needs at least { "headers": { "webhook-id": …, ' +
      '"webhook-timestamp": …, "webhook-signature": … }, "body": "<the raw body as a string>" }.',
  );
}

/**
 * Reads a capture file (or any JSON object with `headers` and a string `body`) back into a delivery.
 *
 * @param text - The file's contents.
 * @param source - Where the text came from, for messages (a file name).
 * @throws `WebhookConfigurationError` `invalid_argument` when the text is not such an object.
 */
export function readCapturedDelivery(text: string, source = 'The text'): CaptureFileDelivery {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw notACapture(source, `it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notACapture(source, 'not an object');
  const file = value as Partial<Record<keyof CaptureFile, unknown>>;
  if (typeof file.body !== 'string') throw notACapture(source, 'it has no string "body"');
  if (typeof file.headers !== 'object' || file.headers === null || Array.isArray(file.headers)) {
    throw notACapture(source, 'it has no "headers" object');
  }
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(file.headers)) {
    if (typeof header !== 'string') throw notACapture(source, `its header "${name}" is not a string`);
    headers[name.toLowerCase()] = header;
  }
  const id = typeof file.id === 'string' ? file.id : (headers['webhook-id'] ?? headers['svix-id'] ?? '');
  const seconds = Number(headers['webhook-timestamp'] ?? headers['svix-timestamp']);
  const timestamp =
    typeof file.timestamp === 'string'
      ? new Date(file.timestamp)
      : new Date(Number.isFinite(seconds) ? seconds * 1000 : 0);
  const capturedAt = typeof file.capturedAt === 'string' ? new Date(file.capturedAt) : undefined;
  return { id, timestamp, headers, body: file.body, capturedAt };
}
