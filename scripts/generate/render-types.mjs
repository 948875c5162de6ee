// @ts-check
// TypeScript declarations: an interface per object variant (with the spec's descriptions and why a
// field is optional), an open union type per enum, a union type per tagged union, and the event
// maps every other type derives from.
import { typeName } from './ir.mjs';
import { WIDTH, docComment, propKey, quote, versionList } from './text.mjs';
import { prose } from './docs.mjs';

/**
 * @typedef {import('./ir.mjs').Node} Node
 * @typedef {import('./ir.mjs').Field} Field
 * @typedef {import('./ir.mjs').Dispatch} Dispatch
 * @typedef {import('./versions.mjs').Merged} Merged
 * @typedef {import('./versions.mjs').Variant} Variant
 * @typedef {import('./generate.mjs').Renderer} Renderer
 * @typedef {import('./generate.mjs').Events} Events
 */

/**
 * Text for the doc comment of a tagged union.
 *
 * @param {Dispatch} dispatch
 * @returns {string}
 */
export function openUnionNote(dispatch) {
  const tag = Array.isArray(dispatch.discriminator) ? dispatch.discriminator.join('.') : dispatch.discriminator;
  const flag = dispatch.flag ? ` (and \`${dispatch.flag}\`)` : '';
  return (
    `Told apart by \`${tag}\`${flag}. Polar adds new kinds over time: one whose \`${tag}\` this version does not ` +
    'know still parses (the fields all kinds share are checked) and reaches your code with that value, so ' +
    `give a \`switch\` on \`${tag}\` a \`default\` branch.`
  );
}

/**
 * @param {string[]} parts
 * @param {string} head `export type X =`
 * @returns {string[]}
 */
function unionLines(parts, head) {
  const line = `${head} ${parts.join(' | ')};`;
  if (line.length <= WIDTH) return [line];
  return [head, ...parts.map((p, i) => `  | ${p}${i === parts.length - 1 ? ';' : ''}`)];
}

/**
 * @param {string} id
 * @param {string[]} values
 * @returns {string[]}
 */
function enumLines(id, values) {
  const parts = [...values.map(quote), '(string & {})'];
  const line = `export type ${id} = ${parts.join(' | ')};`;
  if (line.length <= WIDTH) return [line];
  const lines = [`export type ${id} =`];
  let current = '';
  for (const part of parts) {
    const next = current ? `${current} | ${part}` : `  | ${part}`;
    if (next.length > WIDTH && current) {
      lines.push(current);
      current = `  | ${part}`;
    } else current = next;
  }
  lines.push(`${current};`);
  return lines;
}

/**
 * @param {Field} field
 * @returns {string[]}
 */
function fieldDoc(field) {
  const lines = [];
  const hint = field.dateTime ? 'ISO 8601 date-time string.' : '';
  if (field.description) lines.push(hint ? `${prose(field.description)} ${hint}` : prose(field.description));
  else if (hint) lines.push(hint);
  if (field.optionalWhy) lines.push(field.optionalWhy);
  if (field.nullUntil) lines.push(`Could be \`null\` until ${field.nullUntil}: older events may carry \`null\`.`);
  if (field.deprecated) lines.push('@deprecated Deprecated by Polar, still sent.');
  return lines.flatMap((line, i) => (i === 0 ? [line] : ['', line]));
}

/**
 * @param {Merged} merged
 * @param {Events} events
 * @returns {Renderer}
 */
export function createTypesRenderer(merged, events) {
  /** @type {string[]} */
  const out = [];
  /** @type {Map<string, number>} */
  const remaining = new Map([...merged.variants].map(([name, list]) => [name, list.length]));

  /**
   * @param {Node} ir
   * @param {string} version
   * @returns {string}
   */
  const tsOf = (ir, version) => {
    switch (ir.kind) {
      case 'ref':
      case 'enumRef':
        return merged.variantOf(ir.name, version).id;
      case 'literal':
        return typeof ir.value === 'string' ? quote(ir.value) : String(ir.value);
      case 'enum':
        return [...ir.values.map(quote), '(string & {})'].join(' | ');
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'unknown':
        return 'unknown';
      case 'anyObject':
        return 'Record<string, unknown>';
      case 'nullable':
        return `${tsOf(ir.inner, version)} | null`;
      case 'union':
        return ir.members.map((m) => tsOf(m, version)).join(' | ');
      case 'array': {
        const inner = tsOf(ir.items, version);
        return /[ |]/.test(inner) ? `Array<${inner}>` : `${inner}[]`;
      }
      case 'tuple':
        return `[${ir.items.map((i) => tsOf(i, version)).join(', ')}]`;
      case 'record':
        return `Record<string, ${tsOf(ir.values, version)}>`;
    }
  };

  /** @param {Variant} variant */
  const versionNote = (variant) =>
    variant.split
      ? `As API version${variant.versions.length > 1 ? 's' : ''} ${versionList(variant.versions)} ${variant.versions.length > 1 ? 'send' : 'sends'} it; {@link ${typeName(variant.name)}} is what any version sends.`
      : undefined;

  return {
    declaration(variant) {
      const { decl, id } = variant;
      const version = /** @type {string} */ (variant.versions[variant.versions.length - 1]);
      const note = versionNote(variant);
      if (decl.kind === 'object' && decl.internal) {
        // the fields a union's unknown kinds share: the union's own type covers them
      } else if (decl.kind === 'object') {
        out.push('', ...docComment([decl.description, ...(note ? ['', note] : [])]));
        out.push(`export interface ${id} {`);
        for (const field of decl.fields) {
          out.push(...docComment(fieldDoc(field), '  '));
          out.push(`  ${propKey(field.name)}${field.required ? '' : '?'}: ${tsOf(field.ir, version)};`);
        }
        out.push('}');
      } else if (decl.kind === 'enum') {
        const text = [
          decl.description,
          '',
          'Open: a value Polar adds later is accepted too.',
          ...(note ? ['', note] : []),
        ];
        out.push('', ...docComment(text), ...enumLines(id, decl.values));
      } else if (decl.kind === 'union') {
        const text = [decl.description];
        if (decl.dispatch) text.push('', openUnionNote(decl.dispatch));
        if (note) text.push('', note);
        out.push('', ...docComment(text));
        out.push(
          ...unionLines(
            decl.members.map((m) => tsOf(m, version)),
            `export type ${id} =`,
          ),
        );
      } else {
        out.push('', ...docComment([decl.description, ...(note ? ['', note] : [])]));
        out.push(`export type ${id} = ${tsOf(decl.ir, version)};`);
      }

      const left = (remaining.get(variant.name) ?? 1) - 1;
      remaining.set(variant.name, left);
      const all = merged.variants.get(variant.name) ?? [];
      if (left === 0 && variant.split && !(decl.kind === 'object' && decl.internal)) {
        const name = typeName(variant.name);
        const parts = all.map((v) => `{@link ${v.id}} (${versionList(v.versions)})`);
        out.push(
          '',
          ...docComment([`${prose(decl.description)}`, '', `As any API version sends it: one of ${parts.join(', ')}.`]),
        );
        out.push(
          ...unionLines(
            all.map((v) => v.id),
            `export type ${name} =`,
          ),
        );
      }
    },

    lines() {
      const tail = [
        '',
        ...docComment(['API version → event type → payload: the table the version-specific event types derive from.']),
        'export interface PolarWebhookEventMapByVersion {',
      ];
      for (const version of merged.versions) {
        tail.push(`  ${quote(version)}: {`);
        for (const [type, payload] of events.byVersion.get(version) ?? []) {
          tail.push(`    ${quote(type)}: ${merged.variantOf(payload, version).id};`);
        }
        tail.push('  };');
      }
      tail.push('}');
      tail.push(
        '',
        ...docComment(['Event type → its payload as any API version sends it: the table all event types derive from.']),
        'export interface PolarWebhookEventMap {',
      );
      for (const [type, payload] of events.all) tail.push(`  ${quote(type)}: ${typeName(payload)};`);
      tail.push('}');
      const body = [...out, ...tail];
      while (body[0] === '') body.shift();
      return body;
    },
  };
}
