// @ts-check
// The intermediate form every renderer reads: a small tagged tree per JSON Schema node, and the
// declarations (one per $def) built from it. Plain data, so that two versions' declarations can be
// compared by their JSON.

/**
 * A node of the tree. `ref` names another declaration; `enumRef` names an inline enum that was
 * given a name of its own; `anyObject` is an object whose properties differ per branch of a union.
 *
 * @typedef {{ kind: 'unknown' }} UnknownNode
 * @typedef {{ kind: 'ref', name: string }} RefNode
 * @typedef {{ kind: 'enumRef', name: string }} EnumRefNode
 * @typedef {{ kind: 'literal', value: string | number | boolean }} LiteralNode
 * @typedef {{ kind: 'enum', values: string[] }} EnumNode
 * @typedef {{ kind: 'string', format?: string | undefined }} StringNode
 * @typedef {{ kind: 'integer' }} IntegerNode
 * @typedef {{ kind: 'number' }} NumberNode
 * @typedef {{ kind: 'boolean' }} BooleanNode
 * @typedef {{ kind: 'null' }} NullNode
 * @typedef {{ kind: 'anyObject' }} AnyObjectNode
 * @typedef {{ kind: 'nullable', inner: Node }} NullableNode
 * @typedef {{ kind: 'union', members: Node[] }} UnionNode
 * @typedef {{ kind: 'array', items: Node }} ArrayNode
 * @typedef {{ kind: 'tuple', items: Node[] }} TupleNode
 * @typedef {{ kind: 'record', values: Node }} RecordNode
 * @typedef {UnknownNode | RefNode | EnumRefNode | LiteralNode | EnumNode | StringNode | IntegerNode | NumberNode
 *   | BooleanNode | NullNode | AnyObjectNode | NullableNode | UnionNode | ArrayNode | TupleNode | RecordNode} Node
 */

/**
 * A property of an object declaration.
 *
 * @typedef {object} Field
 * @property {string} name
 * @property {Node} ir
 * @property {boolean} required Required in the schemas and types (the spec requires it and the history
 *   says it has always been sent).
 * @property {string | undefined} description
 * @property {boolean} deprecated
 * @property {boolean} dateTime
 * @property {string | undefined} optionalWhy Why a field the spec requires is optional here (doc text).
 * @property {string | undefined} [nullUntil] The date until which Polar could send `null` for it, when
 *   the newest spec says it is never null (the field is then nullable here).
 */

/**
 * How a tagged union is told apart: `entries` lists each branch with the tag values that pick it
 * (`flag:value` when a boolean `flag` splits the family, as legacy prices do).
 *
 * @typedef {object} Dispatch
 * @property {string | string[]} discriminator A property name, or a path into a nested object.
 * @property {string | undefined} flag
 * @property {[string, string[]][]} entries
 */

/**
 * One declaration: what a `$def` (or a shared inline union or enum) becomes.
 *
 * @typedef {object} ObjectDecl
 * @property {'object'} kind
 * @property {string} name
 * @property {string} description
 * @property {Field[]} fields
 * @property {boolean} internal Not exported: the fields a union's unknown kinds are checked against.
 *
 * @typedef {object} EnumDecl
 * @property {'enum'} kind
 * @property {string} name
 * @property {string} description
 * @property {string[]} values
 *
 * @typedef {object} UnionDecl
 * @property {'union'} kind
 * @property {string} name
 * @property {string} description
 * @property {Node[]} members
 * @property {Dispatch | undefined} dispatch
 * @property {string | undefined} fallback Name of the internal object declaration unknown kinds are checked against.
 *
 * @typedef {object} AliasDecl
 * @property {'alias'} kind
 * @property {string} name
 * @property {string} description
 * @property {Node} ir
 *
 * @typedef {ObjectDecl | EnumDecl | UnionDecl | AliasDecl} Decl
 */

/** The name a $def gets in TypeScript (`ProductPriceSeatTiers-Output` → `ProductPriceSeatTiersOutput`). */
export const typeName = (/** @type {string} */ name) => name.replace(/[^A-Za-z0-9_]/g, '');

/**
 * JSON with object keys sorted: equal for equal trees, whatever order their keys were built in.
 *
 * @param {unknown} value
 * @returns {string}
 */
export function stable(value) {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v) : v));
}

/**
 * @param {Record<string, unknown>} object
 * @returns {Record<string, unknown>}
 */
function sortKeys(object) {
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, object[k]]),
  );
}

/**
 * Every declaration name a tree refers to, in the order met.
 *
 * @param {Node} ir
 * @param {Set<string>} [into]
 * @returns {Set<string>}
 */
export function refsOf(ir, into = new Set()) {
  switch (ir.kind) {
    case 'ref':
    case 'enumRef':
      into.add(ir.name);
      break;
    case 'nullable':
      refsOf(ir.inner, into);
      break;
    case 'union':
      for (const m of ir.members) refsOf(m, into);
      break;
    case 'array':
      refsOf(ir.items, into);
      break;
    case 'tuple':
      for (const m of ir.items) refsOf(m, into);
      break;
    case 'record':
      refsOf(ir.values, into);
      break;
    default:
      break;
  }
  return into;
}

/**
 * The names a declaration depends on: its fields' types, its members, its fallback.
 *
 * @param {Decl} decl
 * @returns {string[]}
 */
export function declRefs(decl) {
  const refs = new Set();
  if (decl.kind === 'object') for (const f of decl.fields) refsOf(f.ir, refs);
  else if (decl.kind === 'union') {
    for (const m of decl.members) refsOf(m, refs);
    if (decl.fallback) refs.add(decl.fallback);
  } else if (decl.kind === 'alias') refsOf(decl.ir, refs);
  refs.delete(decl.name);
  return [...refs];
}
