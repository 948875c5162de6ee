import type * as NodeFs from 'node:fs/promises';
import type * as NodePath from 'node:path';
import { WebhookConfigurationError } from '../errors';

/** The parts of Node's file system a directory capture uses. */
export interface FileSystem {
  readonly fs: typeof NodeFs;
  readonly path: typeof NodePath;
}

type GetBuiltinModule = (id: string) => unknown;

/**
 * `node:fs/promises` and `node:path`, reached at run time through `process.getBuiltinModule`, so that
 * the capture entry point imports no Node built-in statically and still bundles for Workers and Edge
 * (where it then refuses to write files, with a message saying what to do instead).
 *
 * @throws `WebhookConfigurationError` `unsupported_runtime` where the runtime has no file system.
 */
export function nodeFileSystem(where: string): FileSystem {
  let fs: unknown;
  let path: unknown;
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process;
    if (typeof proc?.getBuiltinModule === 'function') {
      fs = proc.getBuiltinModule('node:fs/promises');
      path = proc.getBuiltinModule('node:path');
    }
  } catch {
    // A runtime that exposes process but not the modules: no file system, as below.
  }
  if (typeof (fs as typeof NodeFs | undefined)?.writeFile !== 'function' || typeof path !== 'object' || !path) {
    throw new WebhookConfigurationError(
      'unsupported_runtime',
      `${where} writes files, and this runtime has no file system (node:fs is missing: Cloudflare Workers, ` +
        'Vercel Edge, a browser, or Node before 20.16). Pass your own function as the capture option instead, ' +
        'one that sends each delivery where it can be kept (a queue, object storage, a log drain).',
    );
  }
  return { fs: fs as typeof NodeFs, path: path as typeof NodePath };
}
