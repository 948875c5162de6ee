// @ts-check
// Reads the models out of Polar's `clients/packages/client/src/v1.ts` (openapi-typescript's
// rendering of the server's OpenAPI schema): every member of `components['schemas']`, as a shape.
import ts from 'typescript';

import { propertyName, shapeOfMembers, shapeOfTypeNode } from './type-shape.mjs';

/** @typedef {import('./type-shape.mjs').Shape} Shape */

/** @type {import('./type-shape.mjs').TsDialect} */
const V1_TS = { refName: schemaRefName };

/**
 * The models of one v1.ts, by name.
 * @param {string} text the file's content
 * @returns {Map<string, Shape>}
 */
export function modelsOfV1Ts(text) {
  // Only `components` matters, and it is a small part of a file of up to 2 MB: parse just it.
  const start = text.indexOf('export interface components {');
  if (start < 0) throw new Error('v1.ts: no `export interface components`');
  const end = text.indexOf('\nexport ', start + 1);
  const source = ts.createSourceFile(
    'v1.ts',
    text.slice(start, end < 0 ? undefined : end),
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const components = source.statements.find(
    (s) => ts.isInterfaceDeclaration(s) && s.name.text === 'components',
  );
  if (!components || !ts.isInterfaceDeclaration(components)) throw new Error('v1.ts: `components` not found');
  const schemas = components.members.find(
    (m) => ts.isPropertySignature(m) && m.name && propertyName(m.name) === 'schemas',
  );
  if (!schemas || !ts.isPropertySignature(schemas) || !schemas.type || !ts.isTypeLiteralNode(schemas.type))
    throw new Error('v1.ts: `components.schemas` not found');
  /** @type {Map<string, Shape>} */
  const models = new Map();
  for (const member of schemas.type.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const type = member.type;
    models.set(
      propertyName(member.name),
      ts.isTypeLiteralNode(type) ? shapeOfMembers(type.members, V1_TS) : shapeOfTypeNode(type, V1_TS),
    );
  }
  // The names in the shapes are slices of the file's text, which V8 would keep alive with them:
  // a copy lets the history hold hundreds of snapshots without holding hundreds of files.
  return new Map(JSON.parse(JSON.stringify([...models])));
}

/**
 * `components['schemas']['X']` → `X`.
 * @param {ts.TypeNode} node
 * @returns {string | undefined}
 */
function schemaRefName(node) {
  if (!ts.isIndexedAccessTypeNode(node)) return undefined;
  const outer = node.objectType;
  if (!ts.isIndexedAccessTypeNode(outer) || literalText(outer.indexType) !== 'schemas') return undefined;
  if (!ts.isTypeReferenceNode(outer.objectType) || outer.objectType.typeName.getText() !== 'components')
    return undefined;
  return literalText(node.indexType);
}

/**
 * @param {ts.TypeNode} node
 * @returns {string | undefined}
 */
function literalText(node) {
  return ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal) ? node.literal.text : undefined;
}
