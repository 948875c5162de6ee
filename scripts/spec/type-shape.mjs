// @ts-check
// One comparable form for a type, whichever notation it was read from: a TypeScript type node
// (the SDK's models.ts, openapi-typescript's v1.ts) or a JSON Schema node (Polar's OpenAPI
// documents, our own snapshots). The build uses it to tell whether the SDK and an OpenAPI document
// describe the same field; the history uses its text to notice when a field's type changed.
import ts from 'typescript';

/**
 * A type, reduced to what a payload can carry.
 * @typedef {{ kind: 'string' | 'boolean' | 'null' | 'unknown' | 'never' | 'object' }
 *   | { kind: 'number', integer: boolean }
 *   | { kind: 'literal', value: string | number | boolean }
 *   | { kind: 'ref', name: string }
 *   | { kind: 'array', items: Shape }
 *   | { kind: 'tuple', items: Shape[] }
 *   | { kind: 'record', values: Shape }
 *   | { kind: 'fields', fields: Record<string, { optional: boolean, shape: Shape }> }
 *   | { kind: 'union', members: Shape[] }} Shape
 */

/** @typedef {Record<string, unknown>} SchemaNode a JSON Schema node, read loosely */

const UNKNOWN = /** @type {Shape} */ ({ kind: 'unknown' });

/**
 * A union of the given members, flattened and without duplicates; a single member stands alone.
 * @param {Shape[]} members
 * @returns {Shape}
 */
export function unionOf(members) {
  /** @type {Map<string, Shape>} */
  const byText = new Map();
  for (const member of members.flatMap((m) => (m.kind === 'union' ? m.members : [m]))) {
    if (member.kind === 'never') continue;
    byText.set(shapeText(member), member);
  }
  if (byText.size === 0) return { kind: 'never' };
  if ([...byText.values()].some((m) => m.kind === 'unknown')) return UNKNOWN;
  const sorted = [...byText.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
  return sorted.length === 1 ? /** @type {Shape} */ (sorted[0]) : { kind: 'union', members: sorted };
}

/**
 * The shape's text: stable (union members and fields sorted), integers written as `number`
 * because openapi-typescript cannot tell them apart, so that texts from any notation compare.
 * @param {Shape} shape
 * @returns {string}
 */
export function shapeText(shape) {
  switch (shape.kind) {
    case 'number':
      return 'number';
    case 'literal':
      return JSON.stringify(shape.value);
    case 'ref':
      return shape.name;
    case 'array': {
      const items = shapeText(shape.items);
      return shape.items.kind === 'union' ? `(${items})[]` : `${items}[]`;
    }
    case 'tuple':
      return `[${shape.items.map(shapeText).join(', ')}]`;
    case 'record':
      return `Record<string, ${shapeText(shape.values)}>`;
    case 'fields': {
      const names = Object.keys(shape.fields).sort();
      const parts = names.map((name) => {
        const field = /** @type {{ optional: boolean, shape: Shape }} */ (shape.fields[name]);
        return `${name}${field.optional ? '?' : ''}: ${shapeText(field.shape)}`;
      });
      return `{ ${parts.join('; ')} }`;
    }
    case 'union':
      return shape.members.map(shapeText).join(' | ');
    default:
      return shape.kind;
  }
}

/**
 * Renames the references inside a shape (e.g. from an old model name to its newest one).
 * @param {Shape} shape
 * @param {(name: string) => string} rename
 * @returns {Shape}
 */
export function renameRefs(shape, rename) {
  switch (shape.kind) {
    case 'ref':
      return { kind: 'ref', name: rename(shape.name) };
    case 'array':
      return { kind: 'array', items: renameRefs(shape.items, rename) };
    case 'tuple':
      return { kind: 'tuple', items: shape.items.map((s) => renameRefs(s, rename)) };
    case 'record':
      return { kind: 'record', values: renameRefs(shape.values, rename) };
    case 'fields':
      return {
        kind: 'fields',
        fields: Object.fromEntries(
          Object.entries(shape.fields).map(([k, f]) => [k, { optional: f.optional, shape: renameRefs(f.shape, rename) }]),
        ),
      };
    case 'union':
      return unionOf(shape.members.map((s) => renameRefs(s, rename)));
    default:
      return shape;
  }
}

/**
 * The names a shape refers to.
 * @param {Shape} shape
 * @param {Set<string>} [found]
 * @returns {Set<string>}
 */
export function refsOfShape(shape, found = new Set()) {
  switch (shape.kind) {
    case 'ref':
      found.add(shape.name);
      break;
    case 'array':
      refsOfShape(shape.items, found);
      break;
    case 'record':
      refsOfShape(shape.values, found);
      break;
    case 'tuple':
    case 'union':
      for (const s of shape.kind === 'tuple' ? shape.items : shape.members) refsOfShape(s, found);
      break;
    case 'fields':
      for (const f of Object.values(shape.fields)) refsOfShape(f.shape, found);
      break;
    default:
  }
  return found;
}

/**
 * Whether every value of `narrow` is also a value of `wide`. References are compared by name
 * unless `expand` resolves them (to compare an enum model with the plain string it replaced).
 * @param {Shape} wide
 * @param {Shape} narrow
 * @param {(name: string) => Shape | undefined} [expand]
 * @returns {boolean}
 */
export function accepts(wide, narrow, expand) {
  const open = (/** @type {Shape} */ s) => (s.kind === 'ref' && expand?.(s.name)) || s;
  const w = open(wide);
  const n = open(narrow);
  if (w.kind === 'unknown' || n.kind === 'never') return true;
  if (n.kind === 'union') return n.members.every((m) => accepts(w, m, expand));
  if (w.kind === 'union') return w.members.some((m) => accepts(m, n, expand));
  if (n.kind === 'unknown') return false;
  switch (w.kind) {
    case 'ref':
      return n.kind === 'ref' && n.name === w.name;
    case 'string':
      return n.kind === 'string' || (n.kind === 'literal' && typeof n.value === 'string');
    case 'boolean':
      return n.kind === 'boolean' || (n.kind === 'literal' && typeof n.value === 'boolean');
    case 'number':
      return (
        (n.kind === 'number' && (!w.integer || n.integer)) ||
        (n.kind === 'literal' && typeof n.value === 'number' && (!w.integer || Number.isInteger(n.value)))
      );
    case 'literal':
      return n.kind === 'literal' && n.value === w.value;
    case 'array':
      if (n.kind === 'array') return accepts(w.items, n.items, expand);
      return n.kind === 'tuple' && n.items.every((item) => accepts(w.items, item, expand));
    case 'tuple':
      return (
        n.kind === 'tuple' &&
        n.items.length === w.items.length &&
        n.items.every((item, i) => accepts(/** @type {Shape} */ (w.items[i]), item, expand))
      );
    case 'record':
      if (n.kind === 'record') return accepts(w.values, n.values, expand);
      if (n.kind === 'object') return true;
      return n.kind === 'fields' && Object.values(n.fields).every((f) => accepts(w.values, f.shape, expand));
    case 'object':
      return n.kind === 'object' || n.kind === 'record' || n.kind === 'fields';
    case 'fields':
      if (n.kind !== 'fields') return false;
      return Object.entries(w.fields).every(([name, f]) => {
        const other = n.fields[name];
        if (!other) return f.optional;
        return (f.optional || !other.optional) && accepts(f.shape, other.shape, expand);
      });
    default:
      return w.kind === n.kind;
  }
}

/**
 * Whether two shapes describe the same values, allowing for what the SDK's TypeScript cannot say:
 * `sdk` may have `number` where `precise` has an integer, `unknown` (or `unknown[]`) where
 * `precise` has a specific type or tuple, and an empty object where `precise` has one. Where one
 * side names a model and the other spells it out (an enum), `expand` resolves the name.
 * @param {Shape} precise
 * @param {Shape} sdk
 * @param {{ precise?: (name: string) => Shape | undefined, sdk?: (name: string) => Shape | undefined }} [expand]
 * @returns {boolean}
 */
export function sameUpToSdk(precise, sdk, expand = {}) {
  if (sdk.kind === 'unknown') return true;
  if (precise.kind === 'ref' && sdk.kind !== 'ref') {
    const opened = expand.precise?.(precise.name);
    return opened !== undefined && sameUpToSdk(opened, sdk, expand);
  }
  if (sdk.kind === 'ref' && precise.kind !== 'ref') {
    const opened = expand.sdk?.(sdk.name);
    return opened !== undefined && sameUpToSdk(precise, opened, expand);
  }
  const same = (/** @type {Shape} */ p, /** @type {Shape} */ s) => sameUpToSdk(p, s, expand);
  if (precise.kind === 'union' || sdk.kind === 'union') {
    let p = membersOf(precise);
    let s = membersOf(sdk);
    if (p.length !== s.length) {
      // one side may name an enum that the other spells out among the union's members
      p = membersOf(openRefs(precise, expand.precise));
      s = membersOf(openRefs(sdk, expand.sdk));
    }
    if (p.length !== s.length) return false;
    const left = [...s];
    return p.every((member) => {
      const i = left.findIndex((other) => same(member, other));
      if (i < 0) return false;
      left.splice(i, 1);
      return true;
    });
  }
  switch (precise.kind) {
    case 'number':
      return sdk.kind === 'number' && (precise.integer || !sdk.integer);
    case 'literal':
      return sdk.kind === 'literal' && sdk.value === precise.value;
    case 'ref':
      return sdk.kind === 'ref' && sdk.name === precise.name;
    case 'array':
      return sdk.kind === 'array' && same(precise.items, sdk.items);
    case 'tuple':
      if (sdk.kind === 'array') return precise.items.every((item) => same(item, sdk.items));
      return (
        sdk.kind === 'tuple' &&
        sdk.items.length === precise.items.length &&
        precise.items.every((item, i) => same(item, /** @type {Shape} */ (sdk.items[i])))
      );
    case 'record':
      return sdk.kind === 'record' && same(precise.values, sdk.values);
    case 'object':
      return sdk.kind === 'object' || (sdk.kind === 'fields' && Object.keys(sdk.fields).length === 0);
    case 'fields': {
      if (sdk.kind === 'object') return Object.keys(precise.fields).length === 0;
      if (sdk.kind !== 'fields') return false;
      const names = Object.keys(precise.fields);
      if (names.length !== Object.keys(sdk.fields).length) return false;
      return names.every((name) => {
        const p = /** @type {{ optional: boolean, shape: Shape }} */ (precise.fields[name]);
        const s = sdk.fields[name];
        return s !== undefined && s.optional === p.optional && same(p.shape, s.shape);
      });
    }
    default:
      return sdk.kind === precise.kind;
  }
}

/**
 * @param {Shape} shape
 * @returns {Shape[]}
 */
const membersOf = (shape) => (shape.kind === 'union' ? shape.members : [shape]);

/**
 * The shape with the references `expand` knows replaced by what they name.
 * @param {Shape} shape
 * @param {((name: string) => Shape | undefined) | undefined} expand
 * @returns {Shape}
 */
function openRefs(shape, expand) {
  if (!expand) return shape;
  return unionOf(membersOf(shape).map((m) => (m.kind === 'ref' && expand(m.name)) || m));
}

// ───────────────────────────── from JSON Schema ─────────────────────────────

/**
 * The name a `$ref` points at (its last path segment).
 * @param {string} ref
 */
export const refName = (ref) => ref.slice(ref.lastIndexOf('/') + 1);

/**
 * The shape of a JSON Schema node.
 * @param {unknown} node
 * @param {(name: string) => string} [nameOf] maps a referenced name (e.g. to the name we keep)
 * @returns {Shape}
 */
export function shapeOfSchema(node, nameOf = (n) => n) {
  if (node === true || node === undefined) return UNKNOWN;
  if (node === false) return { kind: 'never' };
  if (!node || typeof node !== 'object') return UNKNOWN;
  const s = /** @type {SchemaNode} */ (node);
  const recurse = (/** @type {unknown} */ n) => shapeOfSchema(n, nameOf);
  if (typeof s.$ref === 'string') return { kind: 'ref', name: nameOf(refName(s.$ref)) };
  if ('const' in s) return literalOf(s.const);
  if (Array.isArray(s.enum)) return unionOf(s.enum.map(literalOf));
  const alternatives = /** @type {unknown[] | undefined} */ (s.anyOf ?? s.oneOf);
  if (Array.isArray(alternatives)) return unionOf(alternatives.map(recurse));
  if (Array.isArray(s.allOf) && s.allOf.length === 1) return recurse(s.allOf[0]);
  if (Array.isArray(s.type)) return unionOf(s.type.map((t) => recurse({ ...s, type: t })));
  switch (s.type) {
    case 'string':
      return { kind: 'string' };
    case 'integer':
      return { kind: 'number', integer: true };
    case 'number':
      return { kind: 'number', integer: false };
    case 'boolean':
      return { kind: 'boolean' };
    case 'null':
      return { kind: 'null' };
    case 'array':
      if (Array.isArray(s.prefixItems)) return { kind: 'tuple', items: s.prefixItems.map(recurse) };
      return { kind: 'array', items: recurse(s.items) };
    case 'object':
    case undefined: {
      const properties = /** @type {Record<string, unknown> | undefined} */ (s.properties);
      if (properties && Object.keys(properties).length > 0) return fieldsOfSchema(s, nameOf);
      if (s.additionalProperties !== undefined && s.additionalProperties !== false)
        return { kind: 'record', values: recurse(s.additionalProperties) };
      if (s.type === 'object') return { kind: 'object' };
      return UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

/**
 * The fields of an object schema.
 * @param {SchemaNode} s
 * @param {(name: string) => string} nameOf
 * @returns {Shape}
 */
function fieldsOfSchema(s, nameOf) {
  const required = new Set(/** @type {string[]} */ (s.required ?? []));
  const properties = /** @type {Record<string, unknown>} */ (s.properties ?? {});
  /** @type {Record<string, { optional: boolean, shape: Shape }>} */
  const fields = {};
  for (const [name, property] of Object.entries(properties))
    fields[name] = { optional: !required.has(name), shape: shapeOfSchema(property, nameOf) };
  return { kind: 'fields', fields };
}

/**
 * @param {unknown} value
 * @returns {Shape}
 */
function literalOf(value) {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return { kind: 'literal', value };
  return UNKNOWN;
}

// ───────────────────────────── from TypeScript ─────────────────────────────

/**
 * How to read the references of one TypeScript dialect.
 * @typedef {object} TsDialect
 * @property {(node: ts.TypeNode) => string | undefined} refName the model a node names, if it names one
 * @property {(name: string) => Shape | undefined} [inline] the shape to use instead of a reference, for
 *   names that are not models of their own (aliases the SDK hoisted out of an inline enum)
 */

/**
 * The shape of a TypeScript type node.
 * @param {ts.TypeNode} node
 * @param {TsDialect} dialect
 * @returns {Shape}
 */
export function shapeOfTypeNode(node, dialect) {
  const recurse = (/** @type {ts.TypeNode} */ n) => shapeOfTypeNode(n, dialect);
  const name = dialect.refName(node);
  if (name !== undefined) return dialect.inline?.(name) ?? { kind: 'ref', name };
  if (ts.isParenthesizedTypeNode(node)) return recurse(node.type);
  if (ts.isUnionTypeNode(node)) return unionOf(node.types.map(recurse));
  if (ts.isArrayTypeNode(node)) return { kind: 'array', items: recurse(node.elementType) };
  if (ts.isTupleTypeNode(node))
    return { kind: 'tuple', items: node.elements.map((e) => recurse(ts.isNamedTupleMember(e) ? e.type : e)) };
  if (ts.isLiteralTypeNode(node)) {
    const literal = node.literal;
    if (literal.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null' };
    if (literal.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'literal', value: true };
    if (literal.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'literal', value: false };
    if (ts.isStringLiteral(literal)) return { kind: 'literal', value: literal.text };
    if (ts.isNumericLiteral(literal)) return { kind: 'literal', value: Number(literal.text) };
    if (ts.isPrefixUnaryExpression(literal) && ts.isNumericLiteral(literal.operand))
      return { kind: 'literal', value: -Number(literal.operand.text) };
    return UNKNOWN;
  }
  if (ts.isTypeReferenceNode(node)) {
    const ref = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.getText();
    const args = node.typeArguments ?? [];
    if (ref === 'Record' && args.length === 2) {
      const values = /** @type {ts.TypeNode} */ (args[1]);
      if (values.kind === ts.SyntaxKind.NeverKeyword) return { kind: 'object' };
      return { kind: 'record', values: recurse(values) };
    }
    if (ref === 'Array' && args.length === 1) return { kind: 'array', items: recurse(/** @type {ts.TypeNode} */ (args[0])) };
    return UNKNOWN;
  }
  if (ts.isTypeLiteralNode(node)) return shapeOfMembers(node.members, dialect);
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: 'number', integer: false };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: 'boolean' };
    case ts.SyntaxKind.NullKeyword:
      return { kind: 'null' };
    case ts.SyntaxKind.NeverKeyword:
      return { kind: 'never' };
    case ts.SyntaxKind.ObjectKeyword:
      return { kind: 'object' };
    default:
      return UNKNOWN;
  }
}

/**
 * The shape of an interface body or type literal: its fields, or a record when it has only an
 * index signature (openapi-typescript writes `additionalProperties` that way).
 * @param {ts.NodeArray<ts.TypeElement>} members
 * @param {TsDialect} dialect
 * @returns {Shape}
 */
export function shapeOfMembers(members, dialect) {
  /** @type {Record<string, { optional: boolean, shape: Shape }>} */
  const fields = {};
  /** @type {Shape | undefined} */
  let index;
  for (const member of members) {
    if (ts.isPropertySignature(member) && member.type) {
      fields[propertyName(member.name)] = {
        optional: member.questionToken !== undefined,
        shape: shapeOfTypeNode(member.type, dialect),
      };
    } else if (ts.isIndexSignatureDeclaration(member)) {
      index = shapeOfTypeNode(member.type, dialect);
    }
  }
  if (Object.keys(fields).length > 0) return { kind: 'fields', fields };
  if (index) return index.kind === 'never' ? { kind: 'object' } : { kind: 'record', values: index };
  return { kind: 'object' };
}

/**
 * A property's name as written, without quotes.
 * @param {ts.PropertyName} name
 * @returns {string}
 */
export function propertyName(name) {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText();
}
