import type * as NodeCrypto from 'node:crypto';

/**
 * `node:crypto`, reached at run time through `process.getBuiltinModule` so that no entry point
 * imports a Node built-in statically (edge bundlers reject those). Present on Node ≥ 20.16, Bun,
 * Deno and workerd with `nodejs_compat`; `undefined` elsewhere.
 */
let loaded: typeof NodeCrypto | null | undefined;

export function nodeCrypto(): typeof NodeCrypto | undefined {
  if (loaded === undefined) {
    loaded = null;
    try {
      const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
      const mod = typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:crypto') : undefined;
      if (mod && typeof (mod as typeof NodeCrypto).createHmac === 'function') loaded = mod as typeof NodeCrypto;
    } catch {
      // A runtime that exposes process but not the module: treat as absent.
    }
  }
  return loaded ?? undefined;
}
