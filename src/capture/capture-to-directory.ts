import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';
import type { CapturedDelivery, WebhooksLogger } from '../router/types';
import { captureFileName, captureFileText, isCaptureFileName } from './capture-file';
import { nodeFileSystem, type FileSystem } from './node-fs';

/** Options of {@link captureToDirectory}. */
export interface CaptureToDirectoryOptions {
  /** The most capture files kept in the directory; the oldest go first. Default 1,000. */
  readonly maxFiles?: number;
  /** The most bytes the capture files in the directory take together; the oldest go first. Default 100 MiB. */
  readonly maxBytes?: number;
  /**
   * The most deliveries waiting to be written. When the disk falls behind, deliveries beyond it are
   * not captured (one warning per such burst); the deliveries themselves go on. Default 100.
   */
  readonly queueSize?: number;
  /** Where warnings go (a full queue, a failed write). Default `console`. */
  readonly logger?: Pick<WebhooksLogger, 'warn'>;
}

/** The function {@link captureToDirectory} returns: the router's `capture` option, and a way to wait for it. */
export interface DirectoryCapture {
  /** Queues one delivery to be written; returns at once. */
  (delivery: CapturedDelivery): void;
  /** Resolves once every delivery queued so far is written (or failed to be): for tests and shutdown. */
  flush(): Promise<void>;
  /** The directory written to. */
  readonly directory: string;
  /** How many deliveries were not captured so far: the queue was full, or one was larger than `maxBytes`. */
  readonly dropped: number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['maxFiles', 'maxBytes', 'queueSize', 'logger']);
const WHERE = 'captureToDirectory()';

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${WHERE}: ${name} must be a positive whole number (got ${String(value)}); leave it out for ${fallback}.`,
    );
  }
  return value;
}

interface Kept {
  readonly name: string;
  readonly bytes: number;
}

interface Queued {
  readonly delivery: CapturedDelivery;
  readonly capturedAt: Date;
}

const utf8 = new TextEncoder();

/**
 * A `capture` function for `createWebhooks` that writes each verified delivery (its headers and
 * raw body) to a JSON file of its own in `directory`, for `polar-webhooks diagnose` and
 * `polar-webhooks replay`. Node, Bun and Deno only: it needs a file system.
 *
 * Nothing of it runs on the delivery's path: a delivery is queued and the call returns; files are
 * written one at a time afterwards. It is bounded every way: the queue (`queueSize`; beyond it,
 * deliveries are not captured, with one warning per burst), and the directory (`maxFiles`,
 * `maxBytes`: the oldest capture files are removed to make room). Only files it names itself
 * (`<time>-<webhook id>-<random>.json`) count and are ever removed. The files hold your customers'
 * data as Polar sent it: they are made readable by their owner only.
 *
 * @throws `WebhookConfigurationError` `unsupported_runtime` where there is no file system
 *   (Workers, Edge): pass a function of your own as `capture` there. `invalid_option` for a bad option.
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { captureToDirectory } from 'polar-webhooks/capture';
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   capture: captureToDirectory('./captured-webhooks', { maxFiles: 500 }),
 * });
 * ```
 */
export function captureToDirectory(directory: string, options: CaptureToDirectoryOptions = {}): DirectoryCapture {
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new WebhookConfigurationError(
      'invalid_argument',
      `${WHERE} needs the directory to write to, as a non-empty string (got ${typeof directory}).`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError('invalid_option', `${WHERE}: options must be an object, or left out.`);
  }
  checkOptionNames(options, OPTION_NAMES, WHERE);
  const maxFiles = positive('maxFiles', options.maxFiles, 1000);
  const maxBytes = positive('maxBytes', options.maxBytes, 100 * 1024 * 1024);
  const queueSize = positive('queueSize', options.queueSize, 100);
  const logger = options.logger ?? console;
  if (typeof logger?.warn !== 'function') {
    throw new WebhookConfigurationError('invalid_option', `${WHERE}: logger must have a warn(message) method.`);
  }
  const system: FileSystem = nodeFileSystem(WHERE);
  const { fs, path } = system;

  const queue: Queued[] = [];
  let kept: Kept[] | undefined;
  let keptBytes = 0;
  let draining: Promise<void> | undefined;
  let dropped = 0;
  let warnedFull = false;
  const warnedFailures = new Set<string>();

  const warn = (message: string, detail?: unknown): void => {
    try {
      if (detail === undefined) logger.warn(message);
      else logger.warn(message, detail);
    } catch {
      // A broken logger must not break a delivery.
    }
  };

  /** The capture files already in the directory, oldest first (names sort by capture time). */
  async function inventory(): Promise<Kept[]> {
    if (kept !== undefined) return kept;
    await fs.mkdir(directory, { recursive: true, mode: 0o700 });
    const names = (await fs.readdir(directory)).filter(isCaptureFileName).sort();
    const found: Kept[] = [];
    for (const name of names) {
      try {
        found.push({ name, bytes: (await fs.stat(path.join(directory, name))).size });
      } catch {
        // Removed meanwhile (another process sharing the directory): nothing to count.
      }
    }
    kept = found;
    keptBytes = found.reduce((sum, file) => sum + file.bytes, 0);
    return found;
  }

  async function write({ delivery, capturedAt }: Queued): Promise<void> {
    const text = captureFileText(delivery, capturedAt);
    const bytes = utf8.encode(text).length;
    if (bytes > maxBytes) {
      dropped++;
      warn(
        `polar-webhooks: delivery ${delivery.id} was not captured: its file would take ${bytes} bytes, more than ` +
          `maxBytes (${maxBytes}). Raise maxBytes to capture it.`,
      );
      return;
    }
    const files = await inventory();
    while (files.length > 0 && (files.length + 1 > maxFiles || keptBytes + bytes > maxBytes)) {
      const oldest = files.shift() as Kept;
      keptBytes -= oldest.bytes;
      await fs.rm(path.join(directory, oldest.name), { force: true });
    }
    const name = captureFileName(delivery, capturedAt);
    // Written aside, then renamed: a reader (replay) never sees half a file.
    const partial = path.join(directory, `.${name}.partial`);
    await fs.writeFile(partial, text, { mode: 0o600 });
    await fs.rename(partial, path.join(directory, name));
    files.push({ name, bytes });
    keptBytes += bytes;
  }

  async function drain(): Promise<void> {
    // Let the delivery that queued this answer first: the disk waits, never the sender.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    while (queue.length > 0) {
      const next = queue.shift() as Queued;
      try {
        await write(next);
      } catch (error) {
        dropped++;
        const code = (error as { code?: unknown } | null)?.code;
        const key = typeof code === 'string' ? code : 'other';
        if (!warnedFailures.has(key)) {
          warnedFailures.add(key);
          warn(
            `polar-webhooks: could not write a captured delivery to ${directory} (${key}); the deliveries go on, ` +
              'uncaptured, while this lasts. Check that the directory is writable and the disk has room.',
            error,
          );
        }
        kept = undefined;
      }
    }
    warnedFull = false;
    draining = undefined;
  }

  const capture = (delivery: CapturedDelivery): void => {
    if (queue.length >= queueSize) {
      dropped++;
      if (!warnedFull) {
        warnedFull = true;
        warn(
          `polar-webhooks: the capture queue for ${directory} is full (${queueSize} deliveries waiting to be ` +
            'written): deliveries are not captured until it drains; the deliveries themselves go on. ' +
            'Raise queueSize, or check the disk.',
        );
      }
      return;
    }
    queue.push({ delivery, capturedAt: new Date() });
    draining ??= drain();
  };

  return Object.defineProperties(capture, {
    flush: { value: (): Promise<void> => draining ?? Promise.resolve() },
    directory: { value: directory, enumerable: true },
    dropped: { get: () => dropped, enumerable: true },
  }) as DirectoryCapture;
}
