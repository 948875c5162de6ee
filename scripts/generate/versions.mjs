// @ts-check
// Merging the versions: which declarations are the same in several API versions (emitted once), and
// what the version-specific ones are called.
//
// Types and zod schemas are emitted per *variant*: the versions in which a declaration, and
// everything it refers to, is the same. A declaration identical in every version keeps its plain
// name (`Address`); one that differs gets one variant per group of versions, named after the
// first version of its group (`Order_2026_04`, `Order_2026_10`), and the plain name becomes their
// union (`type Order = Order_2026_04 | Order_2026_10`: what an endpoint of any version can get).
//
// Guards are emitted once per declaration, whatever the versions: they take the version as an
// argument, and only the fields that differ look at it. That keeps the code that runs on every
// delivery from growing with each version.
import { declRefs, stable, typeName } from './ir.mjs';

/**
 * @typedef {import('./ir.mjs').Node} Node
 * @typedef {import('./ir.mjs').Decl} Decl
 * @typedef {import('./ir.mjs').Field} Field
 * @typedef {import('./ir.mjs').ObjectDecl} ObjectDecl
 * @typedef {import('./model.mjs').VersionModel} VersionModel
 */

/**
 * A declaration as some versions have it.
 *
 * @typedef {object} Variant
 * @property {string} id The TypeScript name: the plain name, or `<Name>_<YYYY>_<MM>` of its first version.
 * @property {string} name The declaration's name in the spec.
 * @property {string[]} versions The versions it is for, oldest first.
 * @property {Decl} decl As the newest of those versions has it (descriptions are the most current).
 * @property {boolean} split Whether the declaration has other variants (then its plain name is their union).
 */

/**
 * A field of a guard shared by several versions: how each version checks it (absent: not at all).
 *
 * @typedef {object} MergedField
 * @property {string} name
 * @property {{ version: string, ir: Node, required: boolean }[]} checks One per version that has the field.
 * @property {string[]} absent Versions whose model does not have it.
 */

/**
 * How the guard of one declaration is written.
 * - `same`: one body for every version that has it.
 * - `fields`: an object whose fields differ between versions; each field checks what its version wants.
 * - `split`: declarations too different to share a body: one body per group of versions, and a
 *   guard that picks the body by version.
 *
 * @typedef {{ kind: 'same', name: string, decl: Decl, versions: string[] }
 *   | { kind: 'fields', name: string, fields: MergedField[], versions: string[] }
 *   | { kind: 'split', name: string, groups: { id: string, versions: string[], decl: Decl }[], versions: string[] }} GuardPlan
 */

/**
 * What every renderer needs about the versions.
 *
 * @typedef {object} Merged
 * @property {string[]} versions Oldest first.
 * @property {Record<string, number>} bits Version → its bit in the guards' version argument.
 * @property {Map<string, Variant[]>} variants Declaration name → its variants.
 * @property {(name: string, version: string) => Variant} variantOf
 * @property {Map<string, GuardPlan>} guards Declaration name → how its guard is written.
 * @property {(name: string, version: string) => Decl | undefined} declOf
 */

/**
 * What makes two declarations the same for types and schemas (descriptions and other doc text aside).
 *
 * @param {Decl} decl
 * @returns {string}
 */
function shapeKey(decl) {
  switch (decl.kind) {
    case 'object':
      return stable({ k: 'object', f: decl.fields.map((f) => [f.name, f.ir, f.required]) });
    case 'enum':
      return stable({ k: 'enum', v: decl.values });
    case 'union':
      return stable({ k: 'union', m: decl.members, d: decl.dispatch ?? null, f: decl.fallback ?? null });
    case 'alias':
      return stable({ k: 'alias', ir: decl.ir });
  }
}

/**
 * @param {VersionModel[]} models Oldest first.
 * @returns {Merged}
 */
export function mergeVersions(models) {
  const versions = models.map((m) => m.version);
  const bits = Object.fromEntries(versions.map((v, i) => [v, 1 << i]));
  const byVersion = new Map(models.map((m) => [m.version, m.decls]));
  /** @type {(name: string, version: string) => Decl | undefined} */
  const declOf = (name, version) => byVersion.get(version)?.get(name);

  // ── variants: partition (version, name) by shape, then refine by what each refers to ──
  /** @type {Map<string, number>} */
  const interned = new Map();
  /** @param {string} key */
  const intern = (key) => {
    let id = interned.get(key);
    if (id === undefined) interned.set(key, (id = interned.size));
    return id;
  };
  /** @type {Map<string, Map<string, number>>} version → name → class */
  let classes = new Map(
    models.map((m) => [m.version, new Map([...m.decls].map(([name, decl]) => [name, intern(shapeKey(decl))]))]),
  );
  const count = (/** @type {Map<string, Map<string, number>>} */ c) =>
    new Set([...c.values()].flatMap((perName) => [...perName.values()])).size;
  for (let before = count(classes); ;) {
    /** @type {Map<string, Map<string, number>>} */
    const next = new Map();
    for (const m of models) {
      const own = /** @type {Map<string, number>} */ (classes.get(m.version));
      const refined = new Map();
      for (const [name, decl] of m.decls) {
        const refs = declRefs(decl)
          .sort()
          .map((r) => `${r}=${own.get(r) ?? 'missing'}`);
        refined.set(name, intern(`${own.get(name)}|${refs.join(',')}`));
      }
      next.set(m.version, refined);
    }
    classes = next;
    const after = count(classes);
    if (after === before) break;
    before = after;
  }

  /** @type {Map<string, Variant[]>} */
  const variants = new Map();
  const allNames = [...new Set(models.flatMap((m) => [...m.decls.keys()]))].sort();
  const taken = new Set(allNames.map(typeName));
  for (const name of allNames) {
    /** @type {Map<number, string[]>} */
    const groups = new Map();
    for (const version of versions) {
      const id = classes.get(version)?.get(name);
      if (id === undefined) continue;
      groups.set(id, [...(groups.get(id) ?? []), version]);
    }
    const split = groups.size > 1;
    variants.set(
      name,
      [...groups.values()].map((group) => {
        const id = split ? `${typeName(name)}_${(group[0] ?? '').replace('-', '_')}` : typeName(name);
        if (split && taken.has(id)) throw new Error(`the variant name ${id} is also a declaration's name`);
        const newest = /** @type {string} */ (group[group.length - 1]);
        return { id, name, versions: group, decl: /** @type {Decl} */ (declOf(name, newest)), split };
      }),
    );
  }
  /** @type {(name: string, version: string) => Variant} */
  const variantOf = (name, version) => {
    const found = variants.get(name)?.find((v) => v.versions.includes(version));
    if (!found) throw new Error(`${name} does not exist in ${version}`);
    return found;
  };

  // ── guards: one per declaration ──
  /** @type {(decl: Decl, version: string) => string} */
  const guardKey = (decl, version) => {
    const canon = (/** @type {Node} */ ir) => canonical(ir, (name) => declOf(name, version));
    switch (decl.kind) {
      case 'object':
        return stable({ k: 'object', f: decl.fields.map((f) => [f.name, canon(f.ir), f.required]) });
      case 'enum':
        return 'enum';
      case 'union':
        return stable({ k: 'union', m: decl.members.map(canon), d: decl.dispatch ?? null, f: decl.fallback ?? null });
      case 'alias':
        return stable({ k: 'alias', ir: canon(decl.ir) });
    }
  };
  /** @type {Map<string, GuardPlan>} */
  const guards = new Map();
  for (const name of allNames) {
    const present = versions.filter((v) => declOf(name, v));
    const decls = present.map((v) => /** @type {Decl} */ (declOf(name, v)));
    const keys = present.map((v, i) => guardKey(/** @type {Decl} */ (decls[i]), v));
    const newest = /** @type {Decl} */ (decls[decls.length - 1]);
    if (new Set(keys).size === 1) {
      guards.set(name, { kind: 'same', name, decl: newest, versions: present });
      continue;
    }
    if (decls.every((d) => d.kind === 'object')) {
      const fields = mergeFields(present, /** @type {ObjectDecl[]} */ (decls));
      if (fields) {
        guards.set(name, { kind: 'fields', name, fields, versions: present });
        continue;
      }
    }
    /** @type {Map<string, string[]>} */
    const groups = new Map();
    present.forEach((v, i) =>
      groups.set(/** @type {string} */ (keys[i]), [...(groups.get(/** @type {string} */ (keys[i])) ?? []), v]),
    );
    guards.set(name, {
      kind: 'split',
      name,
      versions: present,
      groups: [...groups.values()].map((group) => ({
        id: `${typeName(name)}_${(group[0] ?? '').replace('-', '_')}`,
        versions: group,
        decl: /** @type {Decl} */ (declOf(name, /** @type {string} */ (group[group.length - 1]))),
      })),
    });
  }

  return { versions, bits, variants, variantOf, guards, declOf };
}

/**
 * The tree as a guard sees it: everything that validates as a plain string is `string`, integers
 * are numbers.
 *
 * @param {Node} ir
 * @param {(name: string) => Decl | undefined} lookup
 * @returns {Node}
 */
export function canonical(ir, lookup) {
  switch (ir.kind) {
    case 'enum':
    case 'enumRef':
      return { kind: 'string' };
    case 'string':
      return { kind: 'string' };
    case 'integer':
      return { kind: 'number' };
    case 'ref':
      return lookup(ir.name)?.kind === 'enum' ? { kind: 'string' } : ir;
    case 'nullable':
      return { kind: 'nullable', inner: canonical(ir.inner, lookup) };
    case 'union':
      return { kind: 'union', members: ir.members.map((m) => canonical(m, lookup)) };
    case 'array':
      return { kind: 'array', items: canonical(ir.items, lookup) };
    case 'tuple':
      return { kind: 'tuple', items: ir.items.map((m) => canonical(m, lookup)) };
    case 'record':
      return { kind: 'record', values: canonical(ir.values, lookup) };
    default:
      return ir;
  }
}

/**
 * The fields of one object in every version, in an order that respects each version's own order
 * (so that issues come out in the order the version's schema reports them); undefined when the
 * versions order two fields differently.
 *
 * @param {string[]} versions
 * @param {ObjectDecl[]} decls
 * @returns {MergedField[] | undefined}
 */
function mergeFields(versions, decls) {
  const orders = decls.map((d) => d.fields.map((f) => f.name));
  /** @type {string[]} */
  const merged = [...(orders[orders.length - 1] ?? [])];
  for (const order of orders) {
    order.forEach((name, i) => {
      if (merged.includes(name)) return;
      const before = order
        .slice(0, i)
        .reverse()
        .find((n) => merged.includes(n));
      merged.splice(before === undefined ? 0 : merged.indexOf(before) + 1, 0, name);
    });
  }
  for (const order of orders) {
    const positions = order.map((n) => merged.indexOf(n));
    if (positions.some((p, i) => i > 0 && p < /** @type {number} */ (positions[i - 1]))) return undefined;
  }
  return merged.map((name) => {
    /** @type {MergedField['checks']} */
    const checks = [];
    /** @type {string[]} */
    const absent = [];
    versions.forEach((version, i) => {
      const field = decls[i]?.fields.find((f) => f.name === name);
      if (field) checks.push({ version, ir: field.ir, required: field.required });
      else absent.push(version);
    });
    return { name, checks, absent };
  });
}
