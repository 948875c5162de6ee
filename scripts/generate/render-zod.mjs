// @ts-check
// zod schemas, one per variant, typed by the interface of the same name through `typed()` (which
// checks at compile time that the schema's output fits it). Loose objects (unknown keys kept),
// open enums (plain strings), tagged unions that dispatch on their tag and fall back to the fields
// their kinds share (see src/events/zod-helpers.ts), and per version the table of event schemas.
import { typeName } from './ir.mjs';
import { docComment, joinList, propKey, quote, versionList } from './text.mjs';

/**
 * @typedef {import('./ir.mjs').Node} Node
 * @typedef {import('./ir.mjs').Field} Field
 * @typedef {import('./ir.mjs').Dispatch} Dispatch
 * @typedef {import('./versions.mjs').Merged} Merged
 * @typedef {import('./versions.mjs').Variant} Variant
 * @typedef {import('./generate.mjs').Renderer} Renderer
 * @typedef {import('./generate.mjs').Events} Events
 */

/** One shared instance per primitive, reused by every field: `[const name, expression]`. */
const PRIMITIVES = /** @type {Record<string, [string, string]>} */ ({
  string: ['$string', 'z.string()'],
  integer: ['$integer', 'z.number()'],
  number: ['$number', 'z.number()'],
  boolean: ['$boolean', 'z.boolean()'],
  unknown: ['$unknown', 'z.unknown()'],
  anyObject: ['$object', 'z.looseObject({})'],
});

/**
 * @param {Merged} merged
 * @param {Events} events
 * @returns {Renderer}
 */
export function createZodRenderer(merged, events) {
  const used = new Set();
  /** @type {Set<string>} */
  const defined = new Set();
  /** @type {Map<string, string>} */
  const nullables = new Map();
  /** @type {string[]} */
  const body = [];
  /** @type {Map<string, number>} */
  const remaining = new Map([...merged.variants].map(([name, list]) => [name, list.length]));

  /**
   * @param {string} name
   * @param {string} version
   */
  const schemaRef = (name, version) => {
    const id = `${merged.variantOf(name, version).id}Schema`;
    return defined.has(id) ? id : `z.lazy(() => ${id})`;
  };

  /**
   * @param {Node} ir
   * @param {string} version
   * @param {string} indent
   * @returns {string}
   */
  const zodOf = (ir, version, indent) => {
    switch (ir.kind) {
      case 'ref':
      case 'enumRef':
        return schemaRef(ir.name, version);
      case 'literal':
        return `z.literal(${typeof ir.value === 'string' ? quote(ir.value) : String(ir.value)})`;
      case 'enum':
      case 'string':
        used.add('string');
        return /** @type {[string, string]} */ (PRIMITIVES.string)[0];
      case 'integer':
      case 'number':
      case 'boolean':
      case 'unknown':
      case 'anyObject':
        used.add(ir.kind);
        return /** @type {[string, string]} */ (PRIMITIVES[ir.kind])[0];
      case 'null':
        return 'z.null()';
      case 'nullable': {
        const inner = zodOf(ir.inner, version, indent);
        if (/^\$[a-z]+$/.test(inner)) {
          const name = `${inner}OrNull`;
          nullables.set(name, inner);
          return name;
        }
        return `${inner}.nullable()`;
      }
      case 'union':
        return `z.union(${joinList(
          ir.members.map((m) => zodOf(m, version, indent + '  ')),
          { open: '[', close: ']', sep: ', ', indent, lead: 'z.union(' },
        )})`;
      case 'array':
        return `z.array(${zodOf(ir.items, version, indent)})`;
      case 'tuple':
        return `z.tuple([${ir.items.map((i) => zodOf(i, version, indent)).join(', ')}])`;
      case 'record':
        used.add('string');
        return `z.record($string, ${zodOf(ir.values, version, indent)})`;
    }
  };

  /**
   * @param {Field[]} fields
   * @param {string} version
   */
  const objectLiteral = (fields, version) => {
    if (fields.length === 0) return 'z.looseObject({})';
    const lines = fields.map(
      (f) => `  ${propKey(f.name)}: ${zodOf(f.ir, version, '  ')}${f.required ? '' : '.optional()'},`,
    );
    return `z.looseObject({\n${lines.join('\n')}\n})`;
  };

  /**
   * @param {string} typeExpr
   * @param {Dispatch} dispatch
   * @param {string} version
   * @param {string | undefined} fallback
   */
  const openUnionCall = (typeExpr, dispatch, version, fallback) => {
    const disc = Array.isArray(dispatch.discriminator)
      ? `[${dispatch.discriminator.map(quote).join(', ')}]`
      : quote(dispatch.discriminator);
    const lines = [`openUnion<${typeExpr}>({`, `  discriminator: ${disc},`];
    if (dispatch.flag) lines.push(`  flag: ${quote(dispatch.flag)},`);
    lines.push('  options: {');
    const entries = dispatch.entries
      .flatMap(([leaf, keys]) => keys.map((k) => /** @type {[string, string]} */ ([k, leaf])))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, leaf] of entries) lines.push(`    ${propKey(key)}: ${schemaRef(leaf, version)},`);
    lines.push('  },');
    if (fallback) lines.push(`  fallback: ${schemaRef(fallback, version)},`);
    lines.push('})');
    return lines.join('\n');
  };

  return {
    declaration(variant) {
      const { decl, id } = variant;
      const version = /** @type {string} */ (variant.versions[variant.versions.length - 1]);
      const schema = `${id}Schema`;
      const annotation = `z.ZodType<T.${id}>`;
      const also = variant.split
        ? ` (API version${variant.versions.length > 1 ? 's' : ''} ${versionList(variant.versions)})`
        : '';
      if (decl.kind === 'object' && decl.internal) {
        const union = variant.name.replace(/Fallback$/, '');
        body.push('', `// ${union} of a kind this version does not know${also}: the fields every kind shares.`);
        body.push(`const ${schema} = ${objectLiteral(decl.fields, version)};`);
      } else if (decl.kind === 'object') {
        body.push('', ...docComment([`Schema of {@link ${id}}${also}.`]));
        body.push(`export const ${schema}: ${annotation} = typed<T.${id}>(${objectLiteral(decl.fields, version)});`);
      } else if (decl.kind === 'enum') {
        used.add('string');
        body.push('', ...docComment([`Schema of {@link ${id}}: any string (the enum is open).`]));
        body.push(`export const ${schema}: ${annotation} = typed<T.${id}>($string);`);
      } else if (decl.kind === 'union' && decl.dispatch) {
        body.push('', ...docComment([`Schema of {@link ${id}}${also}.`]));
        body.push(
          `export const ${schema}: ${annotation} = ${openUnionCall(`T.${id}`, decl.dispatch, version, decl.fallback)};`,
        );
      } else if (decl.kind === 'union') {
        const expr = `z.union(${joinList(
          decl.members.map((m) => zodOf(m, version, '  ')),
          {
            open: '[',
            close: ']',
            sep: ', ',
            indent: '',
            lead: `export const ${schema}: ${annotation} = typed<T.${id}>(z.union(`,
          },
        )})`;
        body.push('', ...docComment([`Schema of {@link ${id}}${also}.`]));
        body.push(`export const ${schema}: ${annotation} = typed<T.${id}>(${expr});`);
      } else {
        body.push('', ...docComment([`Schema of {@link ${id}}${also}.`]));
        body.push(`export const ${schema}: ${annotation} = typed<T.${id}>(${zodOf(decl.ir, version, '')});`);
      }
      defined.add(schema);

      const left = (remaining.get(variant.name) ?? 1) - 1;
      remaining.set(variant.name, left);
      if (left === 0 && variant.split && !(decl.kind === 'object' && decl.internal)) {
        const name = typeName(variant.name);
        const all = merged.variants.get(variant.name) ?? [];
        const members = all.map((v) => `${v.id}Schema`);
        body.push(
          '',
          ...docComment([
            `Schema of {@link ${name}}: what any API version sends (${members.join(', ')}); a value none accepts ` +
              'is explained by the closest.',
          ]),
        );
        const head = `export const ${name}Schema: z.ZodType<T.${name}> = closestOf<T.${name}>(`;
        body.push(`${head}${joinList(members, { open: '[', close: ']', sep: ', ', indent: '', lead: head })});`);
        defined.add(`${name}Schema`);
      }
    },

    lines() {
      const head = [
        "import { z } from 'zod/v4';",
        '',
        "import { closestOf, openUnion, typed } from '../zod-helpers';",
        "import type * as T from './types';",
        '',
        '// Shared instances: one per primitive, reused by every field.',
      ];
      for (const [kind, [name, expr]] of Object.entries(PRIMITIVES))
        if (used.has(kind) || [...nullables.values()].includes(name)) head.push(`const ${name} = ${expr};`);
      for (const [name, inner] of [...nullables].sort()) head.push(`const ${name} = ${inner}.nullable();`);

      const tail = [
        '',
        ...docComment([
          'API version → event type → the schema of its whole payload (`type`, `timestamp`, `api_version`, `data`).',
        ]),
        'export const EVENT_SCHEMAS: {',
        '  readonly [V in keyof T.PolarWebhookEventMapByVersion]: {',
        '    readonly [K in keyof T.PolarWebhookEventMapByVersion[V]]: z.ZodType<T.PolarWebhookEventMapByVersion[V][K]>;',
        '  };',
        '} = {',
      ];
      for (const version of merged.versions) {
        tail.push(`  ${quote(version)}: {`);
        for (const [type, payload] of events.byVersion.get(version) ?? [])
          tail.push(`    ${quote(type)}: ${merged.variantOf(payload, version).id}Schema,`);
        tail.push('  },');
      }
      tail.push('};');

      tail.push(
        '',
        ...docComment([
          'API version → every data model (and enum, union, payload) by name → its schema in that version: ' +
            "`MODEL_SCHEMAS['2026-10'].Order` is `Order_2026_10Schema`, or `OrderSchema` where the versions agree.",
        ]),
        'export const MODEL_SCHEMAS = {',
      );
      for (const version of merged.versions) {
        tail.push(`  ${quote(version)}: {`);
        for (const [name, list] of [...merged.variants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const variant = list.find((v) => v.versions.includes(version));
          if (!variant || (variant.decl.kind === 'object' && variant.decl.internal)) continue;
          tail.push(`    ${typeName(name)}: ${variant.id}Schema,`);
        }
        tail.push('  },');
      }
      tail.push('} as const;');
      return [...head, ...body, ...tail];
    },
  };
}
