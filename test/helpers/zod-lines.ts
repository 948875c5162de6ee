/**
 * The generated zod schemas built against each zod line the package supports (zod 3.25's `zod/v4`,
 * zod 4.0, and the newest 4.x): esbuild bundles src/events/generated/schemas.ts with `zod/v4`
 * aliased to that line, into a scratch file the test imports.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { build } from 'esbuild';
import type { z } from 'zod/v4';

import type * as Schemas from '../../src/events/generated/schemas';
import { ROOT } from './event-data';

/** The zod packages installed side by side: the peer range's ends and the newest. */
export const ZOD_LINES = [
  { name: 'zod 4.x (newest)', package: 'zod' },
  { name: 'zod 4.0', package: 'zod-4-0' },
  { name: 'zod 3.25 (zod/v4)', package: 'zod-3-25' },
] as const;

export type ZodLine = (typeof ZOD_LINES)[number];

/** What a test gets from one bundle: the generated schemas, and that line's zod. */
export interface SchemasOnLine {
  readonly line: ZodLine;
  readonly version: string;
  readonly schemas: typeof Schemas;
  readonly z: typeof z;
}

const scratch = mkdtempSync(join(tmpdir(), 'polar-webhooks-zod-lines-'));

/** Bundles the generated schemas with `zod/v4` resolved to `line`'s package, and imports them. */
export async function schemasOnLine(line: ZodLine): Promise<SchemasOnLine> {
  const entry = join(scratch, `entry-${line.package}.ts`);
  writeFileSync(
    entry,
    [
      `export * as schemas from ${JSON.stringify(join(ROOT, 'src', 'events', 'generated', 'schemas.ts'))};`,
      "export { z } from 'zod/v4';",
      "import { z as zod } from 'zod/v4';",
      'export const zodVersion = (zod as unknown as { core: { version: { major: number; minor: number } } }).core.version;',
    ].join('\n'),
  );
  const outfile = join(scratch, `schemas-${line.package}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile,
    alias: { 'zod/v4': `${line.package}/v4` },
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'silent',
  });
  const module = (await import(pathToFileURL(outfile).href)) as {
    schemas: typeof Schemas;
    z: typeof z;
    zodVersion: { major: number; minor: number };
  };
  return {
    line,
    version: `${module.zodVersion.major}.${module.zodVersion.minor}`,
    schemas: module.schemas,
    z: module.z,
  };
}
