/**
 * `polar-webhooks/capture`: keep a copy of each verified delivery, to diagnose it or send it again
 * to a local server (`polar-webhooks diagnose`, `polar-webhooks replay`). Pass
 * {@link captureToDirectory} as the router's `capture` option.
 *
 * The entry point itself loads on every runtime; writing files needs one with a file system (Node,
 * Bun, Deno). On Workers and Edge, give `capture` a function of your own.
 *
 * @example
 * ```ts
 * import { createWebhooks } from 'polar-webhooks';
 * import { captureToDirectory } from 'polar-webhooks/capture';
 *
 * export const webhooks = createWebhooks({
 *   secret: process.env.POLAR_WEBHOOK_SECRET!,
 *   capture: process.env.CAPTURE_WEBHOOKS ? captureToDirectory(process.env.CAPTURE_WEBHOOKS) : undefined,
 * });
 * ```
 *
 * @module
 */
export { captureToDirectory, type CaptureToDirectoryOptions, type DirectoryCapture } from './capture-to-directory';
export { CAPTURE_FILE_FORMAT, readCapturedDelivery, type CaptureFile, type CaptureFileDelivery } from './capture-file';
export type { CapturedDelivery } from '../router/types';
