// @ts-check
// Builds the JSON Schema of one API version's webhook payloads.
//
// The structure (which models, which fields, which are required, which types) comes from the
// newest complete source, the SDK's generated models, unless a newer partial source replaces a
// model outright. The OpenAPI documents supply what TypeScript cannot say (formats, integer vs
// number, tuples, titles, examples, discriminators): wherever a model, or one of its fields, has the
// same structure in a document, the document's schema is kept verbatim; otherwise it is written
// from the SDK's type, keeping the document's title and description when it has that field.
import ts from 'typescript';

import { docOf } from './sdk-models.mjs';
import { propertyName, refName, sameUpToSdk, shapeOfMembers, shapeOfSchema, shapeOfTypeNode } from './type-shape.mjs';

/** @typedef {import('./type-shape.mjs').Shape} Shape */
/** @typedef {import('./type-shape.mjs').SchemaNode} SchemaNode */
/** @typedef {import('./sdk-models.mjs').SdkModels} SdkModels */
/** @typedef {import('./sdk-models.mjs').SdkDeclaration} SdkDeclaration */

/**
 * A set of OpenAPI component schemas (refs written `#/components/schemas/X`).
 * @typedef {object} SchemaSource
 * @property {string} key how `x-polar-source` names it
 * @property {string} description what it is, for `x-polar-sources`
 * @property {Record<string, SchemaNode>} schemas
 */

/**
 * What one version is built from.
 * @typedef {object} VersionInputs
 * @property {string} version
 * @property {SdkModels} sdk
 * @property {string} sdkDescription for `x-polar-sources`
 * @property {SchemaSource[]} annotations documents to take formats, titles… from, first match wins
 * @property {SchemaSource | undefined} replacements a newer partial source whose models replace the SDK's
 * @property {Record<string, unknown>} wireOnlyFields `x-polar-wire-only-fields`
 */

const EXTRA_MODELS = ['WebhookEventType', 'WebhookFormat'];

/**
 * The JSON Schema document of one API version.
 * @param {VersionInputs} inputs
 * @returns {Record<string, unknown>}
 */
export function buildVersionSchema(inputs) {
  const { version, sdk, annotations, replacements } = inputs;
  const sources = replacements ? [replacements, ...annotations] : annotations;
  const names = namesOf(sdk, sources);
  const dialect = sdkDialect(sdk, names);
  /** @type {(name: string) => Shape | undefined} */
  const expandComponent = (name) => {
    const schema = componentOf(sources, name)?.schema;
    return schema && (Array.isArray(schema.enum) || 'const' in schema) ? shapeOfSchema(schema) : undefined;
  };
  const expand = { precise: expandComponent, sdk: dialect.expandEnum };

  /** @type {Map<string, SchemaNode>} */
  const defs = new Map();
  /** @type {Record<string, string>[]} */
  const corrections = [];
  const queue = [...sdk.payloads, ...EXTRA_MODELS.filter((n) => sdk.declarations.has(n))].map(names.final);
  while (queue.length > 0) {
    const name = /** @type {string} */ (queue.shift());
    if (defs.has(name)) continue;
    const def = defOf(name);
    defs.set(name, def);
    for (const ref of refsOf(def)) if (!defs.has(ref)) queue.push(ref);
  }

  /**
   * @param {string} name
   * @returns {SchemaNode}
   */
  function defOf(name) {
    const replacement = replacements?.schemas[name];
    if (replacement) return withSource(rewriteRefs(replacement), replacements.key);
    const decl = names.sdkOf(name);
    const component = componentOf(annotations, name);
    if (!decl) {
      if (!component) throw new Error(`${version}: ${name} is referenced but neither the SDK nor a document has it`);
      return withSource(rewriteRefs(component.schema), component.source.key);
    }
    return ts.isInterfaceDeclaration(decl.node)
      ? objectDef(name, decl, decl.node, component)
      : aliasDef(name, decl, decl.node, component);
  }

  /**
   * @param {string} name
   * @param {SdkDeclaration} decl
   * @param {ts.InterfaceDeclaration} node
   * @param {{ schema: SchemaNode, source: SchemaSource } | undefined} component
   * @returns {SchemaNode}
   */
  function objectDef(name, decl, node, component) {
    const oa = component?.schema;
    const oaProperties = /** @type {Record<string, SchemaNode>} */ (oa?.properties ?? {});
    const oaRequired = new Set(/** @type {string[]} */ (oa?.required ?? []));
    /** @type {Record<string, SchemaNode>} */
    const properties = {};
    /** @type {string[]} */
    const required = [];
    let verbatim = Boolean(oa?.properties) && Object.keys(oaProperties).length === node.members.length;
    let borrowed = false;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) throw new Error(`${version}: ${name} has a member we cannot read`);
      const field = propertyName(member.name);
      const optional = member.questionToken !== undefined;
      if (!optional) required.push(field);
      const oaProperty = oaProperties[field];
      if (!oaProperty || oaRequired.has(field) === optional) verbatim = false;
      const collision = oaProperty && hoistedCollision(member.type, oaProperty, dialect);
      if (collision) {
        // The SDK's generator gave two different inline enums of Polar's the same name and kept
        // one of them: the document still says what this field holds.
        properties[field] = rewriteRefs(/** @type {SchemaNode} */ (oaProperty));
        corrections.push({
          model: name,
          field,
          sdk: `${collision.alias} = ${collision.sdkValues.map((v) => JSON.stringify(v)).join(' | ')}`,
          kept: `${component?.source.key}: ${collision.documentValues.map((v) => JSON.stringify(v)).join(' | ')}`,
          why: `the SDK names two different inline enums \`${collision.alias}\` and types this field with the other one`,
        });
        verbatim = false;
        borrowed = true;
        continue;
      }
      if (oaProperty && sameUpToSdk(shapeOfSchema(oaProperty), shapeOfTypeNode(member.type, dialect), expand)) {
        properties[field] = rewriteRefs(oaProperty);
        borrowed = true;
        continue;
      }
      verbatim = false;
      const schema = schemaOfTypeNode(member.type, dialect);
      if (oaProperty && typeof oaProperty.title === 'string') schema.title = oaProperty.title;
      const description = meaningful(docOf(member), field) ?? oaProperty?.description;
      if (description !== undefined) schema.description = description;
      properties[field] = schema;
    }
    if (verbatim && component) return withSource(rewriteRefs(component.schema), component.source.key);
    /** @type {SchemaNode} */
    const def = { properties, type: 'object' };
    if (required.length > 0) def.required = required;
    def.title = typeof oa?.title === 'string' ? oa.title : name;
    const description = oa?.description ?? meaningful(decl.doc, decl.name);
    if (description !== undefined) def.description = description;
    return withSource(def, borrowed && component ? `sdk + ${component.source.key}` : 'sdk');
  }

  /**
   * @param {string} name
   * @param {SdkDeclaration} decl
   * @param {ts.TypeAliasDeclaration} node
   * @param {{ schema: SchemaNode, source: SchemaSource } | undefined} component
   * @returns {SchemaNode}
   */
  function aliasDef(name, decl, node, component) {
    const oa = component?.schema;
    if (oa && component && sameUpToSdk(shapeOfSchema(oa), shapeOfTypeNode(node.type, dialect), expand))
      return withSource(rewriteRefs(oa), component.source.key);
    const def = schemaOfTypeNode(node.type, dialect);
    if (def.oneOf) {
      const members = /** @type {SchemaNode[]} */ (def.oneOf).map((m) => refName(String(m.$ref)));
      const known = /** @type {{ propertyName?: string } | undefined} */ (oa?.discriminator)?.propertyName;
      const discriminator = discriminatorOf(members, known, names, dialect);
      if (discriminator) def.discriminator = discriminator;
    } else {
      def.title = typeof oa?.title === 'string' ? oa.title : name;
    }
    const description = oa?.description ?? meaningful(decl.doc, decl.name);
    if (description !== undefined) def.description = description;
    return withSource(def, oa ? `sdk + ${component?.source.key}` : 'sdk');
  }

  const sorted = [...defs.keys()].sort();
  /** @type {Record<string, string>} */
  const eventTypes = {};
  for (const payload of sdk.payloads) {
    const type = /** @type {SchemaNode | undefined} */ (
      /** @type {Record<string, SchemaNode>} */ (defs.get(payload)?.properties ?? {}).type
    );
    if (!type || typeof type.const !== 'string') throw new Error(`${version}: ${payload} has no literal \`type\``);
    eventTypes[type.const] = payload;
  }
  const types = Object.keys(eventTypes).sort();
  const payloads = [...sdk.payloads].sort();
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://example.invalid/polar/api/${version}.json`,
    title: 'PolarWebhookPayload',
    description:
      `Every Polar webhook payload of API version ${version} (raw wire JSON, snake_case, timestamps as ` +
      'ISO-8601 strings), discriminated by `type`. Built by scripts/spec/build-versions.mjs; see x-polar-sources.',
    'x-polar-api-version': version,
    'x-polar-sources': {
      sdk: inputs.sdkDescription,
      ...Object.fromEntries(sources.map((s) => [s.key, s.description])),
      rule:
        'Models and fields are the SDK\'s (its `?` marks what is not required), except where a newer ' +
        'partial source replaces a whole model. Where a model or field has the same structure in a ' +
        'document, that document\'s schema is kept verbatim (formats, titles, examples, discriminators). ' +
        'Each $def says where it came from in x-polar-source: a document key, `sdk` (written from the ' +
        'SDK\'s TypeScript), or `sdk + <key>` (written from the SDK, with the document\'s schema for the ' +
        'fields that did not change, and its title and description).',
    },
    'x-polar-corrections': corrections,
    'x-polar-wire-only-fields': inputs.wireOnlyFields,
    'x-event-types': Object.fromEntries(types.map((t) => [t, eventTypes[t]])),
    oneOf: payloads.map((p) => ({ $ref: `#/$defs/${p}` })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(types.map((t) => [t, `#/$defs/${eventTypes[t]}`])),
    },
    $defs: Object.fromEntries(sorted.map((n) => [n, defs.get(n)])),
  };
}

// ───────────────────────────── names ─────────────────────────────

/**
 * How SDK names map to the names we keep: Polar's component names where a document has the model
 * (the SDK drops the `-Output` of `ProductPriceSeatTiers-Output`), the SDK's otherwise.
 * @param {SdkModels} sdk
 * @param {SchemaSource[]} sources
 */
function namesOf(sdk, sources) {
  /** @type {Map<string, string>} */
  const byNormal = new Map();
  for (const source of sources)
    for (const name of Object.keys(source.schemas)) if (!byNormal.has(normal(name))) byNormal.set(normal(name), name);
  /** @type {Map<string, SdkDeclaration>} */
  const sdkByFinal = new Map();
  /** @param {string} name */
  const final = (name) => (sources.some((s) => s.schemas[name]) ? name : (byNormal.get(normal(name)) ?? name));
  for (const decl of sdk.declarations.values()) sdkByFinal.set(final(decl.name), decl);
  return {
    final,
    /** @param {string} name */
    sdkOf: (name) => sdkByFinal.get(name),
    /** @param {string} name */
    isComponent: (name) => sources.some((s) => s.schemas[name] !== undefined),
  };
}

/** @param {string} name */
const normal = (name) => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/**
 * @param {SchemaSource[]} sources
 * @param {string} name
 * @returns {{ schema: SchemaNode, source: SchemaSource } | undefined}
 */
function componentOf(sources, name) {
  for (const source of sources) {
    const schema = source.schemas[name];
    if (schema) return { schema, source };
  }
  return undefined;
}

/**
 * How to read the SDK's TypeScript: identifiers name models (by the names we keep); aliases that
 * the SDK hoisted out of an inline enum (`Func`, `Status`…), which no document has as a model of
 * its own, are spelled out where they are used, as the documents do.
 * @param {SdkModels} sdk
 * @param {ReturnType<typeof namesOf>} names
 */
function sdkDialect(sdk, names) {
  /** @param {string} name */
  const decl = (name) => sdk.declarations.get(name);
  /** @param {SdkDeclaration | undefined} d */
  const isEnumLike = (d) => Boolean(d && ts.isTypeAliasDeclaration(d.node) && enumValues(d.node.type) !== undefined);
  /** @param {string} sdkName */
  const inlined = (sdkName) => isEnumLike(decl(sdkName)) && !names.isComponent(names.final(sdkName));
  /** @type {import('./type-shape.mjs').TsDialect & { expandEnum: (name: string) => Shape | undefined, inlined: (sdkName: string) => boolean, declaration: (sdkName: string) => SdkDeclaration | undefined }} */
  const dialect = {
    refName(node) {
      if (!ts.isTypeReferenceNode(node) || !ts.isIdentifier(node.typeName)) return undefined;
      const name = node.typeName.text;
      return decl(name) ? name : undefined;
    },
    inline(sdkName) {
      const d = decl(sdkName);
      if (!d || !inlined(sdkName) || !ts.isTypeAliasDeclaration(d.node)) return { kind: 'ref', name: names.final(sdkName) };
      return shapeOfTypeNode(d.node.type, dialect);
    },
    expandEnum(finalName) {
      const d = names.sdkOf(finalName);
      return d && isEnumLike(d) && ts.isTypeAliasDeclaration(d.node) ? shapeOfTypeNode(d.node.type, dialect) : undefined;
    },
    inlined,
    declaration: decl,
  };
  return dialect;
}

/**
 * The literal values of a union of literals (or a single literal), or undefined.
 * @param {ts.TypeNode} node
 * @returns {(string | number | boolean)[] | undefined}
 */
function enumValues(node) {
  const types = ts.isUnionTypeNode(node) ? node.types : [node];
  /** @type {(string | number | boolean)[]} */
  const values = [];
  for (const t of types) {
    if (!ts.isLiteralTypeNode(t)) return undefined;
    const l = t.literal;
    if (ts.isStringLiteral(l)) values.push(l.text);
    else if (ts.isNumericLiteral(l)) values.push(Number(l.text));
    else if (l.kind === ts.SyntaxKind.TrueKeyword) values.push(true);
    else if (l.kind === ts.SyntaxKind.FalseKeyword) values.push(false);
    else return undefined;
  }
  return values;
}

// ───────────────────────────── TypeScript → JSON Schema ─────────────────────────────

/**
 * The JSON Schema of an SDK type.
 * @param {ts.TypeNode} node
 * @param {ReturnType<typeof sdkDialect>} dialect
 * @returns {SchemaNode}
 */
function schemaOfTypeNode(node, dialect) {
  const recurse = (/** @type {ts.TypeNode} */ n) => schemaOfTypeNode(n, dialect);
  const ref = dialect.refName(node);
  if (ref !== undefined) {
    const decl = /** @type {SdkDeclaration} */ (dialect.declaration(ref));
    if (dialect.inlined(ref) && ts.isTypeAliasDeclaration(decl.node)) return { ...recurse(decl.node.type), title: ref };
    const shape = /** @type {Shape & { kind: 'ref' }} */ (dialect.inline?.(ref));
    return { $ref: `#/$defs/${shape.name}` };
  }
  if (ts.isParenthesizedTypeNode(node)) return recurse(node.type);
  if (ts.isLiteralTypeNode(node)) {
    const values = enumValues(node);
    if (values) return constSchema(/** @type {string | number | boolean} */ (values[0]));
    return { type: 'null' };
  }
  if (ts.isUnionTypeNode(node)) {
    const nullable = node.types.some((t) => ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword);
    const rest = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
    /** @type {SchemaNode} */
    let schema;
    const values = rest.length > 1 ? enumValues(ts.factory.createUnionTypeNode(rest)) : undefined;
    if (values && values.every((v) => typeof v === 'string')) schema = { type: 'string', enum: values };
    else if (rest.length === 1) schema = recurse(/** @type {ts.TypeNode} */ (rest[0]));
    else {
      const members = rest.map(recurse);
      schema = members.every((m) => typeof m.$ref === 'string') ? { oneOf: members } : { anyOf: members };
    }
    if (!nullable) return schema;
    if (Array.isArray(schema.anyOf)) return { anyOf: [...schema.anyOf, { type: 'null' }] };
    return { anyOf: [schema, { type: 'null' }] };
  }
  if (ts.isArrayTypeNode(node)) return { type: 'array', items: recurse(node.elementType) };
  if (ts.isTupleTypeNode(node)) {
    const items = node.elements.map((e) => recurse(ts.isNamedTupleMember(e) ? e.type : e));
    return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const args = node.typeArguments ?? [];
    if (node.typeName.text === 'Record' && args.length === 2) {
      const values = /** @type {ts.TypeNode} */ (args[1]);
      if (values.kind === ts.SyntaxKind.NeverKeyword) return { type: 'object', properties: {} };
      return { type: 'object', additionalProperties: recurse(values) };
    }
    if (node.typeName.text === 'Array' && args.length === 1)
      return { type: 'array', items: recurse(/** @type {ts.TypeNode} */ (args[0])) };
  }
  if (ts.isTypeLiteralNode(node)) {
    /** @type {Record<string, SchemaNode>} */
    const properties = {};
    /** @type {string[]} */
    const required = [];
    for (const member of node.members) {
      if (ts.isIndexSignatureDeclaration(member)) return { type: 'object', additionalProperties: recurse(member.type) };
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = propertyName(member.name);
      properties[name] = recurse(member.type);
      if (!member.questionToken) required.push(name);
    }
    return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.NullKeyword:
      return { type: 'null' };
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.AnyKeyword:
      return {};
    default:
      throw new Error(`cannot turn the SDK type \`${node.getText()}\` into JSON Schema`);
  }
}

/**
 * @param {string | number | boolean} value
 * @returns {SchemaNode}
 */
function constSchema(value) {
  if (typeof value === 'string') return { type: 'string', const: value };
  if (typeof value === 'boolean') return { type: 'boolean', const: value };
  return { type: Number.isInteger(value) ? 'integer' : 'number', const: value };
}

/**
 * The discriminator of a union of models: the document's property if every member has a literal
 * there, or else the first property (in the first member's order) that every member has as a
 * distinct required literal.
 * @param {string[]} members names we keep
 * @param {string | undefined} known the property the document discriminates on
 * @param {ReturnType<typeof namesOf>} names
 * @param {ReturnType<typeof sdkDialect>} dialect
 * @returns {SchemaNode | undefined}
 */
function discriminatorOf(members, known, names, dialect) {
  /** @type {Record<string, { optional: boolean, shape: Shape }>[]} */
  const fieldsOf = [];
  for (const member of members) {
    const decl = names.sdkOf(member);
    if (!decl || !ts.isInterfaceDeclaration(decl.node)) return undefined;
    const shape = shapeOfMembers(decl.node.members, dialect);
    if (shape.kind !== 'fields') return undefined;
    fieldsOf.push(shape.fields);
  }
  /** @param {string} property */
  const mappingOn = (property) => {
    /** @type {Record<string, string>} */
    const mapping = {};
    for (const [i, fields] of fieldsOf.entries()) {
      const field = fields[property];
      if (!field || field.optional || field.shape.kind !== 'literal' || typeof field.shape.value !== 'string') return undefined;
      if (mapping[field.shape.value]) return undefined;
      mapping[field.shape.value] = `#/$defs/${members[i]}`;
    }
    return Object.fromEntries(Object.keys(mapping).sort().map((k) => [k, mapping[k]]));
  };
  const candidates = known ? [known] : Object.keys(fieldsOf[0] ?? {});
  for (const property of candidates) {
    const mapping = mappingOn(property);
    if (mapping) return { propertyName: property, mapping };
  }
  return undefined;
}

/**
 * Where an SDK type uses an alias the SDK hoisted out of an inline enum, and the document's schema
 * of the same field has an inline enum of that very name with none of its values, the SDK has
 * mixed up two enums (its names for inline enums are their titles, which Polar reuses).
 * @param {ts.TypeNode} node
 * @param {SchemaNode} documentSchema
 * @param {ReturnType<typeof sdkDialect>} dialect
 * @returns {{ alias: string, sdkValues: (string | number | boolean)[], documentValues: unknown[] } | undefined}
 */
function hoistedCollision(node, documentSchema, dialect) {
  /** @type {string[]} */
  const aliases = [];
  /** @param {ts.Node} n */
  const visit = (n) => {
    if (ts.isTypeNode(n)) {
      const ref = dialect.refName(n);
      if (ref !== undefined && dialect.inlined(ref)) aliases.push(ref);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  /** @type {SchemaNode[]} */
  const enums = [];
  /** @param {unknown} n */
  const collect = (n) => {
    if (Array.isArray(n)) n.forEach(collect);
    else if (n && typeof n === 'object') {
      const schema = /** @type {SchemaNode} */ (n);
      if (Array.isArray(schema.enum) && typeof schema.title === 'string') enums.push(schema);
      Object.values(schema).forEach(collect);
    }
  };
  collect(documentSchema);
  for (const alias of aliases) {
    const decl = dialect.declaration(alias);
    if (!decl || !ts.isTypeAliasDeclaration(decl.node)) continue;
    const sdkValues = enumValues(decl.node.type) ?? [];
    const same = enums.find((e) => e.title === alias);
    const documentValues = /** @type {unknown[]} */ (same?.enum ?? []);
    if (same && !documentValues.some((v) => sdkValues.includes(/** @type {string} */ (v))))
      return { alias, sdkValues, documentValues };
  }
  return undefined;
}

// ───────────────────────────── helpers ─────────────────────────────

/**
 * A JSDoc text, unless it only repeats the name (the SDK's stand-in when Polar gave no description).
 * @param {string | undefined} doc
 * @param {string} name
 */
function meaningful(doc, name) {
  return doc === undefined || doc === name ? undefined : doc;
}

/**
 * A deep copy with `#/components/schemas/X` references written `#/$defs/X`.
 * @param {SchemaNode} schema
 * @returns {SchemaNode}
 */
function rewriteRefs(schema) {
  return JSON.parse(
    JSON.stringify(schema, (key, value) =>
      key === '$ref' && typeof value === 'string' ? `#/$defs/${refName(value)}` : value,
    ),
  );
}

/**
 * @param {SchemaNode} def
 * @param {string} source
 * @returns {SchemaNode}
 */
function withSource(def, source) {
  return { ...def, 'x-polar-source': source };
}

/**
 * Every model a schema refers to.
 * @param {unknown} node
 * @param {Set<string>} [found]
 * @returns {Set<string>}
 */
export function refsOf(node, found = new Set()) {
  if (Array.isArray(node)) for (const item of node) refsOf(item, found);
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(refName(value));
      else if (key === 'mapping' && value && typeof value === 'object') continue;
      else refsOf(value, found);
    }
  return found;
}
