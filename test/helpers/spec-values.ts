/**
 * Values built from a spec snapshot with fast-check: an independent reading of the same source
 * the schemas come from, for every $def (required keys always present, optional ones sometimes).
 */
import fc from 'fast-check';

import type { SpecDocument } from './event-data';

const jsonLeaf = fc.jsonValue({ maxDepth: 1 });

/** Strings worth trying wherever a string is: every enum value and constant of the spec. */
export function specStrings(spec: SpecDocument): string[] {
  const found = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.enum)) for (const v of record.enum) if (typeof v === 'string') found.add(v);
    if (typeof record.const === 'string') found.add(record.const);
    for (const [key, value] of Object.entries(record)) if (key !== 'examples' && key !== 'description') collect(value);
  };
  collect(spec.$defs);
  return [...found].sort();
}

/** $def name → an arbitrary of values of that shape. */
export function specArbitraries(
  spec: SpecDocument,
  strings: readonly string[],
): Record<string, fc.Arbitrary<Record<string, unknown>>> {
  const defs: Record<string, unknown> = spec.$defs;
  return fc.letrec<Record<string, unknown>>((tie) => {
    const of = (node: unknown): fc.Arbitrary<unknown> => {
      if (node === true || node === undefined || node === null || typeof node !== 'object') return jsonLeaf;
      const n = node as Record<string, any>;
      if (typeof n.$ref === 'string') return tie(n.$ref.replace('#/$defs/', ''));
      if (n.const !== undefined) return fc.constant(n.const);
      if (Array.isArray(n.enum)) return fc.constantFrom(...n.enum);
      const members = n.oneOf ?? n.anyOf;
      if (Array.isArray(members)) return fc.oneof({ maxDepth: 2 }, ...members.map(of));
      switch (n.type) {
        case 'string':
          return fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...strings));
        case 'integer':
          return fc.integer({ min: -10, max: 100_000 });
        case 'number':
          return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          if (Array.isArray(n.prefixItems)) return fc.tuple(...n.prefixItems.map(of));
          return fc.array(of(n.items), { maxLength: 2 });
        case 'object':
          if (n.properties) {
            const shape = Object.fromEntries(
              Object.entries(n.properties as Record<string, unknown>).map(([k, v]) => [k, of(v)]),
            );
            return fc.record(shape, { requiredKeys: (n.required ?? []) as string[] });
          }
          return fc.dictionary(
            fc.string({ maxLength: 4 }),
            n.additionalProperties === undefined ? jsonLeaf : of(n.additionalProperties),
            { maxKeys: 3 },
          );
        default:
          return jsonLeaf;
      }
    };
    return Object.fromEntries(Object.keys(defs).map((name) => [name, of(defs[name])]));
  }) as Record<string, fc.Arbitrary<Record<string, unknown>>>;
}
