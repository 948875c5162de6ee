#!/usr/bin/env node
// Generates src/events/generated/{types,schemas,catalogue}.ts from spec/webhook-schemas.json.
//
//   node scripts/generate-schemas.mjs              write the files
//   node scripts/generate-schemas.mjs --check      exit 1 if the committed files differ from a fresh run
//   node scripts/generate-schemas.mjs --out DIR    write into DIR instead (used by the tests)
//
// Mapping rules (why the output looks the way it does):
// - One TypeScript declaration and one zod const per $def; interfaces carry the spec's descriptions.
//   Schemas are typed `z.ZodType<Interface>` through `typed()`, which checks at compile time that the
//   schema's output fits the interface: small .d.ts, readable hovers, fast tsc.
// - Objects are loose (unknown keys are kept: Polar sends fields its spec hides), enums are open
//   (`'a' | 'b' | (string & {})`, validated as plain strings), date-times and uuids are plain strings.
// - Tagged unions dispatch on their tag (see src/events/zod-helpers.ts) and fall back to the fields
//   their branches share when the tag is new. Unions without a tag take the first branch that matches.
// - Value constraints (minimum, pattern, lengths) are not enforced: they describe what Polar sends,
//   and checking them on every delivery would cost time without protecting the receiver.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPEC_PATH = join(ROOT, 'spec', 'webhook-schemas.json');
const OUT_DIR = join(ROOT, 'src', 'events', 'generated');
const WIDTH = 100;

/** Names for inline unions that are shared by several properties (sorted member names → name). */
const UNION_NAMES = {
  'LegacyRecurringProductPrice|ProductPrice': 'AnyProductPrice',
  'DiscountFixedOnceForeverDurationBase|DiscountFixedRepeatDurationBase|DiscountPercentageOnceForeverDurationBase|DiscountPercentageRepeatDurationBase':
    'DiscountBase',
  'CheckoutDiscountFixedOnceForeverDuration|CheckoutDiscountFixedRepeatDuration|CheckoutDiscountPercentageOnceForeverDuration|CheckoutDiscountPercentageRepeatDuration':
    'CheckoutDiscount',
  'CountAggregation|PropertyAggregation|UniqueAggregation': 'MeterAggregation',
  'BenefitGrantCustomProperties|BenefitGrantDiscordProperties|BenefitGrantDownloadablesProperties|BenefitGrantFeatureFlagProperties|BenefitGrantGitHubRepositoryProperties|BenefitGrantLicenseKeysProperties|BenefitGrantSlackSharedChannelProperties':
    'BenefitGrantProperties',
  'Filter|FilterClause': 'FilterClauseOrFilter',
};

/** Descriptions for models the spec leaves undescribed. */
const DOCS = {
  Address: 'A postal address.',
  Benefit: 'A benefit: what a customer gets with a product (a license key, a download, a Discord role...).',
  BenefitGrantWebhook: 'A benefit granted to (or revoked from) a customer, with the customer and the benefit embedded.',
  Customer: 'A customer of the organization: an individual or a team.',
  CustomerSeat: 'A seat of a seat-based subscription or order, assigned to someone by email.',
  CustomerState:
    'A customer with what access control needs in one object: active subscriptions, granted benefits and active meters.',
  Discount: 'A discount: a fixed amount or a percentage, applied once, forever or for a number of months.',
  LegacyRecurringProductPrice: 'A recurring price of the older kind, where the interval lived on the price (`legacy: true`).',
  MetadataOutputType: 'Your own key-value metadata: string keys; string, number or boolean values.',
  Meter: 'A meter: turns usage events into billable units.',
  Order: 'An order: a one-time purchase, or one billing period of a subscription.',
  OrderCustomer: 'The customer of an order.',
  OrderProduct: 'The product of an order.',
  OrderSubscription: 'The subscription an order belongs to.',
  Organization: 'The organization (the seller) on Polar.',
  ProductPrice: 'A price of a product.',
  Refund: 'A refund of all or part of an order.',
  Subscription: 'A subscription of a customer to a recurring product.',
  SubscriptionCustomer: 'The customer of a subscription.',
};

function describe(name, def) {
  if (def.description) return prose(def.description);
  if (DOCS[name]) return DOCS[name];
  let m;
  if ((m = /^BenefitGrant(\w+)Webhook$/.exec(name))) return `A grant of a ${m[1]} benefit ({@link Benefit${m[1]}}), as webhooks carry it.`;
  if ((m = /^BenefitGrant(\w+)Properties$/.exec(name))) return `What a grant of a ${m[1]} benefit records.`;
  if ((m = /^Benefit(\w+)Properties$/.exec(name))) return `Settings of a ${m[1]} benefit.`;
  if (def.enum) return `Known values of ${typeName(name)}.`;
  return `The ${typeName(name)} model.`;
}

// ───────────────────────────── spec → intermediate form ─────────────────────────────

const typeName = (name) => name.replace(/[^A-Za-z0-9_]/g, '');
const refOf = (node) => node.$ref.replace('#/$defs/', '');
const stable = (value) => JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v) : v));
const sortKeys = (object) => Object.fromEntries(Object.keys(object).sort().map((k) => [k, object[k]]));

function specVersion(spec, text) {
  const sources = spec['x-polar-sources'] ?? {};
  const parse = (s) => {
    const m = /@([0-9a-f]{8})[0-9a-f]*:docs\/openapi\/([\d-]+)\.openapi\.json/.exec(s ?? '');
    return m ? { commit: m[1], version: m[2] } : undefined;
  };
  const base = parse(sources.base);
  const overlay = parse(sources.overlay);
  const sha = createHash('sha256').update(text).digest('hex').slice(0, 12);
  let label = base ? `Polar OpenAPI ${base.version} (polarsource/polar@${base.commit})` : 'Polar OpenAPI';
  if (overlay) label += `, envelopes from ${overlay.version} (@${overlay.commit})`;
  return `${label}, sha256 ${sha}`;
}

/** Turns a JSON Schema node into a small tagged tree the two renderers share. */
function createModel(spec) {
  const defs = spec.$defs;
  const inlineEnums = new Map(); // stable(values) → { name, values, count }

  function collectInlineEnums(node, isRoot) {
    if (Array.isArray(node)) return node.forEach((n) => collectInlineEnums(n, false));
    if (!node || typeof node !== 'object') return;
    if (node.enum && !isRoot) {
      const id = stable(node.enum);
      const entry = inlineEnums.get(id) ?? { name: node.title ? typeName(node.title) : undefined, values: node.enum, count: 0 };
      entry.count += 1;
      inlineEnums.set(id, entry);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' || key === 'examples' || key === 'required' || key.startsWith('x-')) continue;
      if (key === 'properties') for (const child of Object.values(value)) collectInlineEnums(child, false);
      else collectInlineEnums(value, false);
    }
  }
  for (const name of Object.keys(defs).sort()) collectInlineEnums(defs[name], true);
  // an inline enum gets a name of its own when it appears more than once under the same title
  const namedEnums = new Map();
  for (const [id, entry] of inlineEnums) {
    if (entry.count > 1 && entry.name && !defs[entry.name]) namedEnums.set(id, entry);
  }

  function toIR(node) {
    if (node === true || node === undefined) return { kind: 'unknown' };
    if (node.$ref) return { kind: 'ref', name: refOf(node) };
    if (node.const !== undefined) return { kind: 'literal', value: node.const };
    if (node.enum) {
      const named = namedEnums.get(stable(node.enum));
      return named ? { kind: 'enumRef', name: named.name } : { kind: 'enum', values: node.enum };
    }
    const members = node.oneOf ?? node.anyOf;
    if (members) return unionIR(members.map(toIR));
    switch (node.type) {
      case 'string':
        return { kind: 'string', format: node.format };
      case 'integer':
        return { kind: 'integer' };
      case 'number':
        return { kind: 'number' };
      case 'boolean':
        return { kind: 'boolean' };
      case 'null':
        return { kind: 'null' };
      case 'array':
        if (node.prefixItems) return { kind: 'tuple', items: node.prefixItems.map(toIR) };
        return { kind: 'array', items: toIR(node.items) };
      case 'object':
        if (node.properties) throw new Error('inline objects with properties are not supported');
        return { kind: 'record', values: node.additionalProperties === undefined ? { kind: 'unknown' } : toIR(node.additionalProperties) };
      default:
        return { kind: 'unknown' };
    }
  }

  function unionIR(parts) {
    const flat = [];
    for (const part of parts) {
      if (part.kind === 'nullable') flat.push(part.inner, { kind: 'null' });
      else if (part.kind === 'union') flat.push(...part.members);
      else flat.push(part);
    }
    const seen = new Set();
    const members = [];
    let nullable = false;
    for (const member of flat) {
      if (member.kind === 'null') {
        nullable = true;
        continue;
      }
      const id = member.kind === 'string' ? 'string' : stable(member);
      if (seen.has(id)) continue;
      seen.add(id);
      members.push(member);
    }
    // integer ⊂ number: a union holding both only needs number
    const integer = members.findIndex((m) => m.kind === 'integer');
    if (integer >= 0 && members.some((m) => m.kind === 'number')) members.splice(integer, 1);
    const inner = members.length === 1 ? members[0] : { kind: 'union', members };
    return nullable ? { kind: 'nullable', inner } : inner;
  }

  const isObjectDef = (name) => Boolean(defs[name]?.properties);
  const isUnionDef = (name) => Boolean(defs[name]?.oneOf ?? defs[name]?.anyOf);

  /** Object defs a union ultimately consists of, nested unions flattened (undefined if not all objects). */
  function leavesOf(members) {
    const leaves = [];
    for (const m of members) {
      if (m.kind !== 'ref') return undefined;
      if (isObjectDef(m.name)) leaves.push(m.name);
      else if (isUnionDef(m.name)) {
        const nested = leavesOf(unionMembers(defIR(m.name)));
        if (!nested) return undefined;
        leaves.push(...nested);
      } else return undefined;
    }
    return leaves;
  }
  const unionMembers = (ir) => (ir.kind === 'union' ? ir.members : [ir]);

  const irCache = new Map();
  function defIR(name) {
    if (!irCache.has(name)) {
      const def = defs[name];
      const members = def.oneOf ?? def.anyOf;
      irCache.set(name, def.properties ? { kind: 'object', name } : members ? unionIR(members.map(toIR)) : toIR(def));
    }
    return irCache.get(name);
  }

  /** Values a leaf's property can take as a tag: its const or its enum, else undefined. */
  function tagValues(leaf, prop) {
    const node = defs[leaf].properties?.[prop];
    if (!node) return undefined;
    if (node.const !== undefined) return typeof node.const === 'string' ? [node.const] : undefined;
    if (node.enum) return node.enum;
    if (node.$ref && defs[refOf(node)]?.enum) return defs[refOf(node)].enum;
    return undefined;
  }

  const disjoint = (entries) => {
    const seen = new Set();
    for (const [, keys] of entries) for (const k of keys) {
      if (seen.has(k)) return false;
      seen.add(k);
    }
    return true;
  };

  /** Finds how a union of object defs can be told apart; undefined means "first match". */
  function dispatchOf(leaves, preferred) {
    const props = [...new Set([preferred, ...leaves.flatMap((l) => Object.keys(defs[l].properties))].filter(Boolean))];
    // 1. one property whose values tell every branch apart
    for (const prop of props) {
      const entries = leaves.map((l) => [l, tagValues(l, prop)]);
      if (entries.every(([, v]) => v) && disjoint(entries)) return { discriminator: prop, entries };
    }
    // 2. the same, with a `const: true` flag splitting the families (legacy prices)
    for (const prop of props) {
      if (!leaves.every((l) => tagValues(l, prop))) continue;
      for (const flag of props) {
        const flagged = leaves.filter((l) => defs[l].properties[flag]?.const === true);
        if (flagged.length === 0 || flagged.length === leaves.length) continue;
        const entries = leaves.map((l) => [l, tagValues(l, prop).map((v) => (flagged.includes(l) ? `${flag}:${v}` : v))]);
        if (disjoint(entries)) return { discriminator: prop, flag, entries };
      }
    }
    // 3. a property that holds a tagged object in every branch (benefit grants: `benefit.type`)
    for (const outer of props) {
      const refs = leaves.map((l) => defs[l].properties[outer]);
      if (!refs.every((r) => r?.$ref && isObjectDef(refOf(r)))) continue;
      const inner = refs.map(refOf);
      for (const prop of Object.keys(defs[inner[0]].properties)) {
        const entries = leaves.map((l, i) => [l, tagValues(inner[i], prop)]);
        if (entries.every(([, v]) => v) && defs[inner[0]].properties[prop].const !== undefined && disjoint(entries)) {
          return { discriminator: [outer, prop], entries };
        }
      }
    }
    return undefined;
  }

  /** The fields every leaf shares: what a branch of an unknown tag is checked against. */
  function fallbackOf(leaves, dispatch) {
    const first = defs[leaves[0]];
    const tagProp = Array.isArray(dispatch.discriminator) ? undefined : dispatch.discriminator;
    const fields = [];
    for (const prop of Object.keys(first.properties)) {
      if (!leaves.every((l) => defs[l].properties[prop])) continue;
      const required = leaves.every((l) => (defs[l].required ?? []).includes(prop));
      let ir;
      if (prop === tagProp) ir = { kind: 'string' };
      else {
        const shapes = leaves.map((l) => toIR(defs[l].properties[prop]));
        ir = unionIR(shapes);
        ir = widenObjects(ir);
      }
      fields.push({ name: prop, required, ir, description: undefined, deprecated: false });
    }
    return fields;
  }

  /** Several different object refs in one field (a per-branch `properties`): the union def they form, or any object. */
  function widenObjects(ir) {
    const nullable = ir.kind === 'nullable';
    const core = nullable ? ir.inner : ir;
    if (core.kind !== 'union') return ir;
    const names = core.members.map((m) => (m.kind === 'ref' && isObjectDef(m.name) ? m.name : undefined));
    if (names.some((n) => !n)) return ir;
    const wanted = [...names].sort().join('|');
    const owner = Object.keys(defs).find((d) => isUnionDef(d) && (leavesOf(unionMembers(defIR(d))) ?? []).sort().join('|') === wanted);
    const widened = owner ? { kind: 'ref', name: owner } : { kind: 'anyObject' };
    return nullable ? { kind: 'nullable', inner: widened } : widened;
  }

  return { defs, namedEnums, toIR, defIR, unionMembers, leavesOf, dispatchOf, fallbackOf, isObjectDef, isUnionDef };
}

// ───────────────────────────── text helpers ─────────────────────────────

function docComment(lines, indent = '') {
  const text = lines.filter((l) => l !== undefined).join('\n').trim();
  if (!text) return [];
  const body = [];
  for (const paragraph of text.split('\n')) {
    const escaped = paragraph.replace(/\*\//g, '*\\/').trimEnd();
    body.push(...wrap(escaped, WIDTH - indent.length - 3));
  }
  while (body.length && body[body.length - 1] === '') body.pop();
  if (body.length === 1 && body[0].length <= WIDTH - indent.length - 7) return [`${indent}/** ${body[0]} */`];
  return [`${indent}/**`, ...body.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

function wrap(text, width) {
  if (text.length <= width) return [text];
  const words = text.split(' ');
  const lines = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const quote = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const propKey = (name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name));

/** `head` + items joined by `sep`, broken one item per line when too long. */
function joinList(items, { open, close, sep, indent, lead = '' }) {
  const inline = `${open}${items.join(sep)}${close}`;
  if (lead.length + inline.length <= WIDTH - indent.length && !inline.includes('\n')) return inline;
  const inner = indent + '  ';
  return `${open}\n${items.map((i) => `${inner}${i}${sep.trim()}`).join('\n')}\n${indent}${close}`;
}

// ───────────────────────────── TypeScript types ─────────────────────────────

function renderTypes(model, ctx) {
  const { defs } = model;
  const out = [];
  const tsOf = (ir) => {
    switch (ir.kind) {
      case 'ref':
        return typeName(ir.name);
      case 'enumRef':
        return ir.name;
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
        return `${tsOf(ir.inner)} | null`;
      case 'union': {
        const named = ctx.unionName(ir);
        return named ?? ir.members.map(tsOf).join(' | ');
      }
      case 'array': {
        const inner = tsOf(ir.items);
        return /[ |]/.test(inner) ? `Array<${inner}>` : `${inner}[]`;
      }
      case 'tuple':
        return `[${ir.items.map(tsOf).join(', ')}]`;
      case 'record':
        return `Record<string, ${tsOf(ir.values)}>`;
      default:
        throw new Error(`unhandled ${ir.kind}`);
    }
  };

  const unionType = (name, members, indent = '') => {
    const parts = members.map(tsOf);
    const line = `export type ${name} = ${parts.join(' | ')};`;
    if (line.length <= WIDTH) return [line];
    return [`export type ${name} =`, ...parts.map((p, i) => `${indent}  | ${p}${i === parts.length - 1 ? ';' : ''}`)];
  };

  const enumType = (name, values) => {
    const parts = [...values.map(quote), '(string & {})'];
    const line = `export type ${name} = ${parts.join(' | ')};`;
    if (line.length <= WIDTH) return [line];
    const lines = [`export type ${name} =`];
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
  };

  for (const [, entry] of model.namedEnums) {
    out.push('', ...docComment([`Known ${entry.name} values.`, '', 'Open: a value Polar adds later is accepted too.']));
    out.push(...enumType(entry.name, entry.values));
  }
  for (const name of ctx.order) {
    const hoisted = ctx.hoisted.get(name);
    if (hoisted) {
      const text = [hoisted.doc];
      if (hoisted.dispatch) text.push('', ...openUnionNote(hoisted.dispatch));
      out.push('', ...docComment(text));
      out.push(...unionType(hoisted.name, hoisted.ir.members));
      continue;
    }
    const def = defs[name];
    const id = typeName(name);
    const ir = model.defIR(name);
    const description = describe(name, def);
    if (def.properties) {
      out.push('', ...docComment([description]));
      out.push(`export interface ${id} {`);
      for (const field of fieldsOf(model, name)) {
        out.push(...docComment(fieldDoc(field), '  '));
        out.push(`  ${propKey(field.name)}${field.required ? '' : '?'}: ${tsOf(field.ir)};`);
      }
      out.push('}');
    } else if (def.enum) {
      const text = [description, '', 'Open: a value Polar adds later is accepted too.'];
      out.push('', ...docComment(text));
      out.push(...enumType(id, def.enum));
    } else if (ir.kind === 'union') {
      const dispatch = ctx.dispatch.get(name);
      const text = [description];
      if (dispatch) text.push('', ...openUnionNote(dispatch));
      out.push('', ...docComment(text));
      out.push(...unionType(id, ir.members));
    } else {
      out.push('', ...docComment([description]));
      out.push(`export type ${id} = ${tsOf(ir)};`);
    }
  }

  // the event map: the catalogue's static half
  out.push('', ...docComment(['Every webhook event type mapped to its payload: the table all event types derive from.']));
  out.push('export interface PolarWebhookEventMap {');
  for (const [type, payload] of ctx.events) out.push(`  ${quote(type)}: ${typeName(payload)};`);
  out.push('}');
  return out;
}

/** Spec prose as TSDoc text: `@` would start a tag. */
const prose = (text) => text.trim().replace(/@(?=[A-Za-z])/g, '\\@');

function openUnionNote(dispatch) {
  const tag = Array.isArray(dispatch.discriminator) ? dispatch.discriminator.join('.') : dispatch.discriminator;
  const flag = dispatch.flag ? ` (and \`${dispatch.flag}\`)` : '';
  return [
    `Told apart by \`${tag}\`${flag}. Polar adds new kinds over time: one whose \`${tag}\` this version does not ` +
      'know still parses (the fields all kinds share are checked) and reaches your code with that value, so ' +
      `give a \`switch\` on \`${tag}\` a \`default\` branch.`,
  ];
}

function fieldsOf(model, name) {
  const def = model.defs[name];
  const required = new Set(def.required ?? []);
  return Object.entries(def.properties).map(([prop, node]) => {
    const nested = (node.anyOf ?? node.oneOf ?? []).find((m) => m.description);
    return {
      name: prop,
      required: required.has(prop),
      ir: model.toIR(node),
      description: node.description ?? nested?.description,
      deprecated: Boolean(node.deprecated),
      dateTime: isDateTime(node),
    };
  });
}

const isDateTime = (node) => node.format === 'date-time' || (node.anyOf ?? []).some((m) => m.format === 'date-time' && (node.anyOf ?? []).length <= 2);

function fieldDoc(field) {
  const lines = [];
  const hint = field.dateTime ? 'ISO 8601 date-time string.' : '';
  if (field.description) lines.push(hint ? `${prose(field.description)} ${hint}` : prose(field.description));
  else if (hint) lines.push(hint);
  if (field.deprecated) lines.push('@deprecated Deprecated by Polar, still sent.');
  return lines.flatMap((line, i) => (i === 0 ? [line] : ['', line]));
}

// ───────────────────────────── zod schemas ─────────────────────────────

const PRIMITIVES = {
  string: ['$string', 'z.string()'],
  integer: ['$integer', 'z.number()'],
  number: ['$number', 'z.number()'],
  boolean: ['$boolean', 'z.boolean()'],
  unknown: ['$unknown', 'z.unknown()'],
  anyObject: ['$object', 'z.looseObject({})'],
};

function renderSchemas(model, ctx) {
  const { defs } = model;
  const used = new Set();
  const defined = new Set();
  const nullables = new Map();
  const schemaName = (name) => `${typeName(name)}Schema`;

  const zodOf = (ir, indent) => {
    switch (ir.kind) {
      case 'ref': {
        const name = schemaName(ir.name);
        return defined.has(ir.name) ? name : `z.lazy(() => ${name})`;
      }
      case 'enumRef':
        return `${ir.name}Schema`;
      case 'literal':
        return `z.literal(${typeof ir.value === 'string' ? quote(ir.value) : String(ir.value)})`;
      case 'enum':
      case 'string':
        used.add('string');
        return PRIMITIVES.string[0];
      case 'integer':
      case 'number':
      case 'boolean':
      case 'unknown':
      case 'anyObject':
        used.add(ir.kind);
        return PRIMITIVES[ir.kind][0];
      case 'null':
        return 'z.null()';
      case 'nullable': {
        const inner = zodOf(ir.inner, indent);
        if (/^\$[a-z]+$/.test(inner)) {
          const name = `${inner}OrNull`;
          nullables.set(name, inner);
          return name;
        }
        return `${inner}.nullable()`;
      }
      case 'union': {
        const named = ctx.unionName(ir);
        if (named) return `${named}Schema`;
        return `z.union(${joinList(ir.members.map((m) => zodOf(m, indent + '  ')), { open: '[', close: ']', sep: ', ', indent, lead: 'z.union(' })})`;
      }
      case 'array':
        return `z.array(${zodOf(ir.items, indent)})`;
      case 'tuple':
        return `z.tuple([${ir.items.map((i) => zodOf(i, indent)).join(', ')}])`;
      case 'record':
        used.add('string');
        return `z.record($string, ${zodOf(ir.values, indent)})`;
      default:
        throw new Error(`unhandled ${ir.kind}`);
    }
  };

  const objectLiteral = (fields, indent) => {
    if (fields.length === 0) return 'z.looseObject({})';
    const lines = fields.map((f) => {
      const value = zodOf(f.ir, indent + '  ');
      return `${indent}  ${propKey(f.name)}: ${value}${f.required ? '' : '.optional()'},`;
    });
    return `z.looseObject({\n${lines.join('\n')}\n${indent}})`;
  };

  const openUnionCall = (typeExpr, dispatch, fallbackName, indent) => {
    const disc = Array.isArray(dispatch.discriminator) ? `[${dispatch.discriminator.map(quote).join(', ')}]` : quote(dispatch.discriminator);
    const lines = [`openUnion<${typeExpr}>({`, `${indent}  discriminator: ${disc},`];
    if (dispatch.flag) lines.push(`${indent}  flag: ${quote(dispatch.flag)},`);
    lines.push(`${indent}  options: {`);
    const entries = dispatch.entries.flatMap(([leaf, keys]) => keys.map((k) => [k, leaf])).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, leaf] of entries) lines.push(`${indent}    ${propKey(key)}: ${schemaName(leaf)},`);
    lines.push(`${indent}  },`);
    if (fallbackName) lines.push(`${indent}  fallback: ${fallbackName},`);
    lines.push(`${indent}})`);
    return lines.join('\n');
  };

  const body = [];
  const emitFallback = (id, dispatch, leaves) => {
    const fields = model.fallbackOf(leaves, dispatch);
    const name = `${id}FallbackSchema`;
    body.push('', `// ${id} of a kind this version does not know: the fields every kind shares.`);
    body.push(`const ${name} = ${objectLiteral(fields, '')};`);
    return name;
  };

  function emitHoisted(hoisted) {
    const dispatch = hoisted.dispatch;
    let expr;
    if (dispatch) {
      const fallback = emitFallback(hoisted.name, dispatch, hoisted.leaves);
      expr = openUnionCall(`T.${hoisted.name}`, dispatch, fallback, '');
    } else {
      expr = `z.union(${joinList(hoisted.ir.members.map((m) => zodOf(m, '  ')), { open: '[', close: ']', sep: ', ', indent: '', lead: `export const ${hoisted.name}Schema: z.ZodType<T.${hoisted.name}> = z.union(` })})`;
    }
    body.push('', ...docComment([`Schema of {@link ${hoisted.name}}.`]));
    body.push(`export const ${hoisted.name}Schema: z.ZodType<T.${hoisted.name}> = ${dispatch ? expr : `typed<T.${hoisted.name}>(${expr})`};`);
  }

  for (const [, entry] of model.namedEnums) {
    used.add('string');
    body.push('', ...docComment([`Schema of {@link ${entry.name}}: any string (the enum is open).`]));
    body.push(`export const ${entry.name}Schema: z.ZodType<T.${entry.name}> = typed<T.${entry.name}>($string);`);
  }

  for (const name of ctx.order) {
    const hoisted = ctx.hoisted.get(name);
    if (hoisted) {
      emitHoisted(hoisted);
      continue;
    }
    const def = defs[name];
    const id = typeName(name);
    const ir = model.defIR(name);
    const annotation = `z.ZodType<T.${id}>`;
    let expr;
    if (def.properties) {
      expr = objectLiteral(fieldsOf(model, name), '');
    } else if (def.enum) {
      used.add('string');
      expr = '$string';
    } else if (ir.kind === 'union') {
      const dispatch = ctx.dispatch.get(name);
      if (dispatch) {
        const fallback = emitFallback(id, dispatch, model.leavesOf(ir.members));
        expr = openUnionCall(`T.${id}`, dispatch, fallback, '');
      } else {
        expr = `z.union(${joinList(ir.members.map((m) => zodOf(m, '  ')), { open: '[', close: ']', sep: ', ', indent: '', lead: `export const ${id}Schema: ${annotation} = z.union(` })})`;
      }
    } else {
      expr = zodOf(ir, '');
    }
    const what = def.enum ? `Schema of {@link ${id}}: any string (the enum is open).` : `Schema of {@link ${id}}.`;
    body.push('', ...docComment([what]));
    const checked = expr.startsWith('openUnion<') ? expr : `typed<T.${id}>(${expr})`;
    body.push(`export const ${schemaName(name)}: ${annotation} = ${checked};`);
    defined.add(name);
  }

  const head = ["import { z } from 'zod/v4';", '', "import { openUnion, typed } from '../zod-helpers';", "import type * as T from './types';", ''];
  head.push('// Shared instances: one per primitive, reused by every field.');
  for (const [kind, [name, expr]] of Object.entries(PRIMITIVES)) if (used.has(kind) || [...nullables.values()].includes(name)) head.push(`const ${name} = ${expr};`);
  for (const [name, inner] of [...nullables].sort()) head.push(`const ${name} = ${inner}.nullable();`);
  return [...head, ...body];
}

// ───────────────────────────── catalogue ─────────────────────────────

function renderCatalogue(model, ctx) {
  const out = ["import type { z } from 'zod/v4';", ''];
  const events = ctx.events;
  out.push(`import {`);
  for (const [, payload] of [...events].sort(([, a], [, b]) => (a < b ? -1 : 1))) out.push(`  ${typeName(payload)}Schema,`);
  out.push(`} from './schemas';`);
  out.push("import type { PolarWebhookEventMap } from './types';", '');

  out.push(...docComment(['Every event type Polar sends, as listed by the spec (`x-event-types`).']));
  out.push('export const EVENT_TYPES = [');
  for (const [type] of events) out.push(`  ${quote(type)},`);
  out.push('] as const;', '');

  out.push(...docComment(['Event type → the schema of its whole payload (`type`, `timestamp`, `api_version`, `data`).']));
  out.push('export const EVENT_SCHEMAS: { readonly [K in keyof PolarWebhookEventMap]: z.ZodType<PolarWebhookEventMap[K]> } = {');
  for (const [type, payload] of events) out.push(`  ${quote(type)}: ${typeName(payload)}Schema,`);
  out.push('};', '');

  out.push(...docComment(['Event type → the name of the data model its `data` holds.']));
  out.push('export const EVENT_DATA_MODELS = {');
  for (const [type, payload] of events) {
    const data = model.defs[payload].properties.data;
    out.push(`  ${quote(type)}: ${quote(typeName(refOf(data)))},`);
  }
  out.push('} as const;', '');

  out.push(...docComment(["Event type → what Polar says about it (the payload's description, first paragraph)."]));
  out.push('export const EVENT_DESCRIPTIONS: { readonly [K in keyof PolarWebhookEventMap]: string } = {');
  for (const [type, payload] of events) {
    const text = (model.defs[payload].description ?? '').split('\n\n')[0].replace(/\s+/g, ' ').trim();
    const line = `  ${quote(type)}: ${quote(text)},`;
    if (line.length <= WIDTH) out.push(line);
    else out.push(`  ${quote(type)}:`, `    ${quote(text)},`);
  }
  out.push('};');
  return out;
}

// ───────────────────────────── orchestration ─────────────────────────────

export function generate(specText) {
  const spec = JSON.parse(specText);
  const model = createModel(spec);
  const { defs } = model;
  const events = Object.entries(spec['x-event-types']);
  for (const [type, payload] of events) {
    if (!defs[payload]) throw new Error(`x-event-types names ${payload} for ${type}, which is not in $defs`);
  }

  // dispatch plans for union defs
  const dispatch = new Map();
  for (const name of Object.keys(defs).sort()) {
    const ir = model.defIR(name);
    if (!model.isUnionDef(name) || ir.kind !== 'union') continue;
    const leaves = model.leavesOf(ir.members);
    if (!leaves) continue;
    const plan = model.dispatchOf(leaves, defs[name].discriminator?.propertyName);
    if (plan) dispatch.set(name, { ...plan, fallback: true });
  }

  // inline unions of refs are hoisted into named, shared declarations
  const hoisted = new Map();
  const unionKey = (ir) => ir.members.map((m) => (m.kind === 'ref' ? m.name : '?')).sort().join('|');
  const collect = (ir, owner) => {
    if (!ir || typeof ir !== 'object') return;
    if (ir.kind === 'union' && ir.members.every((m) => m.kind === 'ref')) {
      const key = unionKey(ir);
      if (!hoisted.has(key)) {
        const name = UNION_NAMES[key] ?? ir.members.map((m) => typeName(m.name)).join('Or');
        const leaves = model.leavesOf(ir.members);
        const plan = leaves ? model.dispatchOf(leaves) : undefined;
        const doc = `One of: ${ir.members.map((m) => `{@link ${typeName(m.name)}}`).join(', ')}.`;
        hoisted.set(key, { key, name, ir, leaves, dispatch: plan, doc, owner });
      }
      return;
    }
    for (const value of Object.values(ir)) {
      if (Array.isArray(value)) value.forEach((v) => collect(v, owner));
      else if (value && typeof value === 'object') collect(value, owner);
    }
  };
  for (const name of Object.keys(defs).sort()) {
    if (defs[name].properties) for (const node of Object.values(defs[name].properties)) collect(model.toIR(node), name);
  }

  // emission order: dependencies first (depth-first, alphabetical), hoisted unions as nodes of
  // their own ('#Name'); a reference back to a def still being emitted (recursion) becomes z.lazy
  const hoistedByName = new Map([...hoisted.values()].map((h) => [`#${h.name}`, h]));
  const refsIn = (ir, refs) => {
    if (!ir || typeof ir !== 'object') return;
    if (ir.kind === 'ref') refs.add(ir.name);
    if (ir.kind === 'union' && ir.members.every((m) => m.kind === 'ref') && hoisted.has(unionKey(ir))) {
      refs.add(`#${hoisted.get(unionKey(ir)).name}`);
      return;
    }
    for (const value of Object.values(ir)) {
      if (Array.isArray(value)) value.forEach((v) => refsIn(v, refs));
      else if (value && typeof value === 'object') refsIn(value, refs);
    }
  };
  const deps = (node) => {
    const refs = new Set();
    const h = hoistedByName.get(node);
    if (h) {
      for (const name of h.dispatch ? h.leaves : h.ir.members.map((m) => m.name)) refs.add(name);
      if (h.dispatch) for (const f of model.fallbackOf(h.leaves, h.dispatch)) refsIn(f.ir, refs);
    } else {
      const def = defs[node];
      if (def.properties) for (const prop of Object.values(def.properties)) refsIn(model.toIR(prop), refs);
      else if (dispatch.has(node)) {
        const leaves = model.leavesOf(model.defIR(node).members);
        for (const leaf of leaves) refs.add(leaf);
        for (const f of model.fallbackOf(leaves, dispatch.get(node))) refsIn(f.ir, refs);
      } else refsIn(model.defIR(node), refs);
    }
    refs.delete(node);
    return [...refs].sort();
  };
  const order = [];
  const state = new Map();
  const visit = (node) => {
    if (state.has(node)) return;
    state.set(node, 'active');
    for (const dep of deps(node)) visit(dep);
    state.set(node, 'done');
    order.push(node);
  };
  const payloadNames = new Set(events.map(([, p]) => p));
  for (const name of Object.keys(defs).sort()) if (!payloadNames.has(name)) visit(name);
  for (const [, payload] of events) visit(payload);

  const ctx = {
    order,
    events,
    dispatch,
    hoisted: hoistedByName,
    unionName: (ir) => (ir.members.every((m) => m.kind === 'ref') ? hoisted.get(unionKey(ir))?.name : undefined),
  };

  const version = specVersion(spec, specText);
  const header = (what) => [
    `// ${what}`,
    '// Generated by scripts/generate-schemas.mjs from spec/webhook-schemas.json: do not edit by hand;',
    '// change the spec or the script and run `npm run generate`.',
    `// Spec: ${version}.`,
    '',
  ];

  const types = renderTypes(model, ctx);
  const schemas = renderSchemas(model, ctx);
  const catalogue = renderCatalogue(model, ctx);
  return {
    'types.ts': [...header('TypeScript types of every Polar webhook payload and data model.'), ...trimLeading(types)].join('\n') + '\n',
    'schemas.ts': [...header('zod schemas of every Polar webhook payload and data model.'), ...schemas].join('\n') + '\n',
    'catalogue.ts': [...header('The event catalogue: every event type, its payload schema, data model and description.'), ...catalogue].join('\n') + '\n',
  };
}

const trimLeading = (lines) => {
  const copy = [...lines];
  while (copy.length && copy[0] === '') copy.shift();
  return copy;
};

function main(argv) {
  const check = argv.includes('--check');
  const outIndex = argv.indexOf('--out');
  const outDir = outIndex >= 0 ? resolve(argv[outIndex + 1]) : OUT_DIR;
  const specIndex = argv.indexOf('--spec');
  const specPath = specIndex >= 0 ? resolve(argv[specIndex + 1]) : SPEC_PATH;
  const files = generate(readFileSync(specPath, 'utf8'));
  let stale = 0;
  for (const [file, text] of Object.entries(files)) {
    const target = join(outDir, file);
    if (check) {
      let current = '';
      try {
        current = readFileSync(target, 'utf8');
      } catch {}
      if (current !== text) {
        stale += 1;
        console.error(`${relative(ROOT, target)} is out of date: run \`npm run generate\`.`);
      }
    } else {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(target, text);
      console.log(`wrote ${relative(process.cwd(), target)}`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
