// @ts-check
// The order declarations are emitted in: what a declaration refers to comes first (depth-first,
// alphabetical), the payloads last, so that zod schemas only need `z.lazy` for recursion.
import { declRefs } from './ir.mjs';

/**
 * @typedef {import('./versions.mjs').Merged} Merged
 * @typedef {import('./versions.mjs').Variant} Variant
 */

/**
 * @param {Merged} merged
 * @param {Set<string>} payloads Names of the event payload declarations.
 * @returns {Variant[]}
 */
export function emissionOrder(merged, payloads) {
  /** @type {Variant[]} */
  const order = [];
  /** @type {Set<Variant>} */
  const seen = new Set();
  /** @param {Variant} variant */
  const deps = (variant) => {
    const version = /** @type {string} */ (variant.versions[0]);
    return declRefs(variant.decl)
      .sort()
      .map((name) => merged.variantOf(name, version));
  };
  /** @param {Variant} variant */
  const visit = (variant) => {
    if (seen.has(variant)) return;
    seen.add(variant);
    for (const dep of deps(variant)) visit(dep);
    order.push(variant);
  };
  const names = [...merged.variants.keys()].sort();
  for (const name of names) if (!payloads.has(name)) for (const v of merged.variants.get(name) ?? []) visit(v);
  for (const name of names) if (payloads.has(name)) for (const v of merged.variants.get(name) ?? []) visit(v);
  return order;
}
