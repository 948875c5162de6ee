#!/usr/bin/env node
// Generates src/events/generated/{types,schemas,catalogue,guards}.ts from spec/webhook-schemas.json.
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
// - Every schema also gets a guard: plain code that accepts exactly what the schema accepts, run
//   first by parseEvent (see the guards section below).
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
  LegacyRecurringProductPrice:
    'A recurring price of the older kind, where the interval lived on the price (`legacy: true`).',
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
  if ((m = /^BenefitGrant(\w+)Webhook$/.exec(name)))
    return `A grant of a ${m[1]} benefit ({@link Benefit${m[1]}}), as webhooks carry it.`;
  if ((m = /^BenefitGrant(\w+)Properties$/.exec(name))) return `What a grant of a ${m[1]} benefit records.`;
  if ((m = /^Benefit(\w+)Properties$/.exec(name))) return `Settings of a ${m[1]} benefit.`;
  if (def.enum) return `Known values of ${typeName(name)}.`;
  return `The ${typeName(name)} model.`;
}

// ───────────────────────────── spec → intermediate form ─────────────────────────────

const typeName = (name) => name.replace(/[^A-Za-z0-9_]/g, '');
const refOf = (node) => node.$ref.replace('#/$defs/', '');
const stable = (value) =>
  JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v) : v));
const sortKeys = (object) =>
  Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, object[k]]),
  );

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
      const entry = inlineEnums.get(id) ?? {
        name: node.title ? typeName(node.title) : undefined,
        values: node.enum,
        count: 0,
      };
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
        return {
          kind: 'record',
          values: node.additionalProperties === undefined ? { kind: 'unknown' } : toIR(node.additionalProperties),
        };
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
    for (const [, keys] of entries)
      for (const k of keys) {
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
        const entries = leaves.map((l) => [
          l,
          tagValues(l, prop).map((v) => (flagged.includes(l) ? `${flag}:${v}` : v)),
        ]);
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
    const owner = Object.keys(defs).find(
      (d) => isUnionDef(d) && (leavesOf(unionMembers(defIR(d))) ?? []).sort().join('|') === wanted,
    );
    const widened = owner ? { kind: 'ref', name: owner } : { kind: 'anyObject' };
    return nullable ? { kind: 'nullable', inner: widened } : widened;
  }

  return { defs, namedEnums, toIR, defIR, unionMembers, leavesOf, dispatchOf, fallbackOf, isObjectDef, isUnionDef };
}

// ───────────────────────────── text helpers ─────────────────────────────

function docComment(lines, indent = '') {
  const text = lines
    .filter((l) => l !== undefined)
    .join('\n')
    .trim();
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
  out.push(
    '',
    ...docComment(['Every webhook event type mapped to its payload: the table all event types derive from.']),
  );
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

const isDateTime = (node) =>
  node.format === 'date-time' ||
  (node.anyOf ?? []).some((m) => m.format === 'date-time' && (node.anyOf ?? []).length <= 2);

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
        return `z.union(${joinList(
          ir.members.map((m) => zodOf(m, indent + '  ')),
          { open: '[', close: ']', sep: ', ', indent, lead: 'z.union(' },
        )})`;
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
    const disc = Array.isArray(dispatch.discriminator)
      ? `[${dispatch.discriminator.map(quote).join(', ')}]`
      : quote(dispatch.discriminator);
    const lines = [`openUnion<${typeExpr}>({`, `${indent}  discriminator: ${disc},`];
    if (dispatch.flag) lines.push(`${indent}  flag: ${quote(dispatch.flag)},`);
    lines.push(`${indent}  options: {`);
    const entries = dispatch.entries
      .flatMap(([leaf, keys]) => keys.map((k) => [k, leaf]))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
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
      expr = `z.union(${joinList(
        hoisted.ir.members.map((m) => zodOf(m, '  ')),
        {
          open: '[',
          close: ']',
          sep: ', ',
          indent: '',
          lead: `export const ${hoisted.name}Schema: z.ZodType<T.${hoisted.name}> = z.union(`,
        },
      )})`;
    }
    body.push('', ...docComment([`Schema of {@link ${hoisted.name}}.`]));
    body.push(
      `export const ${hoisted.name}Schema: z.ZodType<T.${hoisted.name}> = ${dispatch ? expr : `typed<T.${hoisted.name}>(${expr})`};`,
    );
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
        expr = `z.union(${joinList(
          ir.members.map((m) => zodOf(m, '  ')),
          { open: '[', close: ']', sep: ', ', indent: '', lead: `export const ${id}Schema: ${annotation} = z.union(` },
        )})`;
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

  const head = [
    "import { z } from 'zod/v4';",
    '',
    "import { openUnion, typed } from '../zod-helpers';",
    "import type * as T from './types';",
    '',
  ];
  head.push('// Shared instances: one per primitive, reused by every field.');
  for (const [kind, [name, expr]] of Object.entries(PRIMITIVES))
    if (used.has(kind) || [...nullables.values()].includes(name)) head.push(`const ${name} = ${expr};`);
  for (const [name, inner] of [...nullables].sort()) head.push(`const ${name} = ${inner}.nullable();`);
  return [...head, ...body];
}

// ───────────────────────────── guards ─────────────────────────────
//
// One plain function per schema, true exactly when that schema's safeParse succeeds, written out as
// straight-line checks: no eval (Workers forbid it), no closures, nothing allocated but the
// (usually empty) list of a record's symbol keys. parseEvent runs the event's guard first and
// returns the parsed JSON as is when it passes (the schemas transform nothing, so zod's output
// would equal the input); when it fails, zod runs and reports the issues. Each rule below mirrors
// what zod does for the same construct:
// - primitives: `typeof`; numbers must be finite (z.number() rejects NaN and ±Infinity);
// - loose objects: any non-null, non-array object; unknown keys are not looked at; a required field
//   must pass its check (and, when its check accepts undefined, exist: `key in value`); an optional
//   one may also be undefined;
// - records: a plain object (zod's isPlainObject) whose own enumerable keys are strings, other than
//   `__proto__` which zod skips, each holding an accepted value (for...in finds them without
//   allocating; non-enumerable keys are skipped as zod skips them; a symbol key fails);
// - tuples: an array of exactly that length; arrays: every index, holes read as undefined;
// - open unions: the tag picks the branch (every table key, so a tag spelled `legacy:fixed` picks
//   what zod's table lookup picks); with a flag set, `${flag}:${String(tag)}` first, then the plain
//   tag's branch; an unknown tag goes to the fallback. Plain unions accept what any member accepts.

/** Precedence of a generated expression: 0 binds tighter than `&&`, 1 is an `&&` chain, 2 an `||` chain. */
const expr = (code, prec = 0) => ({ code, prec });
const TRUE = expr('true');
const inParens = (e, max) => (e.prec > max ? `(${e.code})` : e.code);
const allOf = (parts) => {
  const kept = parts.filter((p) => p.code !== 'true');
  if (kept.length === 0) return TRUE;
  if (kept.length === 1) return kept[0];
  return expr(kept.map((p) => inParens(p, 1)).join(' && '), 1);
};
const anyOf = (parts) => {
  if (parts.some((p) => p.code === 'true')) return TRUE;
  if (parts.length === 1) return parts[0];
  return expr(parts.map((p) => p.code).join(' || '), 2);
};
/** `!e`, written the readable way for the common shapes. */
const negate = (e) => {
  const cmp = /^typeof ([\w.[\]']+) === ('\w+')$/.exec(e.code);
  if (cmp) return `typeof ${cmp[1]} !== ${cmp[2]}`;
  if (e.prec === 0 && /^[\w.]+\([^()]*\)$/.test(e.code)) return `!${e.code}`;
  return `!(${e.code})`;
};

function renderGuards(model, ctx) {
  const { defs } = model;
  const guardName = (name) => `is${typeName(name)}`;
  const runtime = new Set();
  const helperByKey = new Map(); // canonical IR → function name (arrays and records)
  const helperNames = new Set();
  const helpers = [];

  const isAlias = (name) => !defs[name].properties && !defs[name].enum && !model.isUnionDef(name);
  /** The IR with everything that validates as a plain string spelled `string`: the key shared helpers are found by. */
  const canon = (ir) => {
    switch (ir.kind) {
      case 'enum':
      case 'enumRef':
      case 'string':
        return { kind: 'string' };
      case 'integer':
        return { kind: 'number' };
      case 'ref':
        return defs[ir.name].enum ? { kind: 'string' } : ir;
      case 'nullable':
        return { kind: 'nullable', inner: canon(ir.inner) };
      case 'union':
        return ctx.unionName(ir) ? ir : { kind: 'union', members: ir.members.map(canon) };
      case 'array':
        return { kind: 'array', items: canon(ir.items) };
      case 'tuple':
        return { kind: 'tuple', items: ir.items.map(canon) };
      case 'record':
        return { kind: 'record', values: canon(ir.values) };
      default:
        return ir;
    }
  };
  /** A name for a helper, from what it checks: `OrderItemArray`, `RecordOfStringOrNumberOrBoolean`. */
  const label = (ir) => {
    switch (ir.kind) {
      case 'ref':
        return typeName(ir.name);
      case 'string':
        return 'String';
      case 'number':
        return 'Number';
      case 'boolean':
        return 'Boolean';
      case 'unknown':
        return 'Unknown';
      case 'anyObject':
        return 'Object';
      case 'null':
        return 'Null';
      case 'literal':
        return `Literal${String(ir.value).replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _s, c) => c.toUpperCase())}`;
      case 'nullable':
        return `${label(ir.inner)}OrNull`;
      case 'union':
        return ctx.unionName(ir) ?? ir.members.map(label).join('Or');
      case 'array':
        return `${label(ir.items)}Array`;
      case 'tuple':
        return `TupleOf${ir.items.map(label).join('And')}`;
      case 'record':
        return `RecordOf${label(ir.values)}`;
      default:
        throw new Error(`guards: unhandled ${ir.kind}`);
    }
  };

  /** Whether zod's check of `ir` accepts undefined (then a required key must also be present). */
  const acceptsUndefined = (ir, seen = new Set()) => {
    switch (ir.kind) {
      case 'unknown':
        return true;
      case 'nullable':
        return acceptsUndefined(ir.inner, seen);
      case 'union':
        return ir.members.some((m) => acceptsUndefined(m, seen));
      case 'ref':
        if (seen.has(ir.name) || !isAlias(ir.name)) return false;
        seen.add(ir.name);
        return acceptsUndefined(model.defIR(ir.name), seen);
      default:
        return false;
    }
  };

  /**
   * The kind of a check the runtime has a named helper for (`isString`, `isNumberOrNull`,
   * `isOptionalBooleanOrNull`...): one short call per field keeps the bundle small, and the engine
   * inlines them.
   */
  const primitiveOf = (ir) => {
    switch (ir.kind) {
      case 'enum':
      case 'enumRef':
      case 'string':
        return 'String';
      case 'integer':
      case 'number':
        return 'Number';
      case 'boolean':
        return 'Boolean';
      case 'anyObject':
        return 'Object';
      case 'ref':
        if (defs[ir.name].enum) return 'String';
        return isAlias(ir.name) ? primitiveOf(model.defIR(ir.name)) : undefined;
      default:
        return undefined;
    }
  };
  const helperCall = (name, x) => {
    runtime.add(name);
    return expr(`${name}(${x})`);
  };

  /** The check of `ir` on the value `x` (an identifier or a property read: cheap to repeat). */
  const test = (ir, x) => {
    const primitive = primitiveOf(ir);
    if (primitive) return helperCall(`is${primitive}`, x);
    if (ir.kind === 'nullable' && primitiveOf(ir.inner)) return helperCall(`is${primitiveOf(ir.inner)}OrNull`, x);
    switch (ir.kind) {
      case 'ref': {
        // an alias of a literal, null or unknown is checked in place; primitives were handled above
        const inner = isAlias(ir.name) ? model.defIR(ir.name) : undefined;
        if (inner && ['literal', 'null', 'unknown'].includes(inner.kind)) return test(inner, x);
        return expr(`${guardName(ir.name)}(${x})`);
      }
      case 'unknown':
        return TRUE;
      case 'null':
        return expr(`${x} === null`);
      case 'literal':
        return expr(`${x} === ${typeof ir.value === 'string' ? quote(ir.value) : String(ir.value)}`);
      case 'nullable':
        return anyOf([expr(`${x} === null`), test(ir.inner, x)]);
      case 'union': {
        const named = ctx.unionName(ir);
        if (named) return expr(`is${named}(${x})`);
        return anyOf(ir.members.map((m) => test(m, x)));
      }
      case 'tuple':
        // no item of a generated tuple is optional, so zod wants exactly this length
        return allOf([
          expr(`Array.isArray(${x})`),
          expr(`${x}.length === ${ir.items.length}`),
          ...ir.items.map((item, i) => test(item, `${x}[${i}]`)),
        ]);
      case 'array':
      case 'record':
        return expr(`${helperFor(ir)}(${x})`);
      default:
        throw new Error(`guards: unhandled ${ir.kind}`);
    }
  };

  /** Statements of a function over `value` that checks an array or a record. */
  const loopBody = (ir) => {
    if (ir.kind === 'array') {
      const item = test(ir.items, 'item');
      if (item.code === 'true') return ['  return Array.isArray(value);'];
      return [
        '  if (!Array.isArray(value)) return false;',
        '  for (let i = 0; i < value.length; i++) {',
        '    const item: unknown = value[i];',
        `    if (${negate(item)}) return false;`,
        '  }',
        '  return true;',
      ];
    }
    runtime.add('isPlainObject');
    runtime.add('hasEnumerableSymbol');
    const item = test(ir.values, 'item');
    if (item.code === 'true') return ['  return isPlainObject(value) && !hasEnumerableSymbol(value);'];
    return [
      '  if (!isPlainObject(value)) return false;',
      '  for (const key in value) {',
      "    if (key === '__proto__') continue;",
      '    const item = value[key];',
      '    // zod looks at own keys only: an inherited one fails nothing',
      `    if (${negate(item)} && Object.hasOwn(value, key)) return false;`,
      '  }',
      '  return !hasEnumerableSymbol(value);',
    ];
  };

  function helperFor(ir) {
    const key = stable(canon(ir));
    const known = helperByKey.get(key);
    if (known) return known;
    let name = `is${label(canon(ir))}`;
    for (let n = 2; helperNames.has(name) || Object.hasOwn(defs, name.slice(2)); n++)
      name = `is${label(canon(ir))}${n}`;
    helperNames.add(name);
    helperByKey.set(key, name);
    const what = ir.kind === 'array' ? 'an array' : 'a record';
    helpers.push(
      '',
      `/** Whether \`value\` is ${what} zod accepts as \`${label(canon(ir))}\`. */`,
      `function ${name}(value: unknown): boolean {`,
      ...loopBody(ir),
      '}',
    );
    return name;
  }

  // aliases of arrays and records are the shared helper for that shape
  for (const name of ctx.order) {
    if (ctx.hoisted.has(name) || !isAlias(name)) continue;
    const ir = model.defIR(name);
    if (ir.kind === 'array' || ir.kind === 'record') helperByKey.set(stable(canon(ir)), guardName(name));
  }

  const body = [];
  const emit = (doc, signature, lines) => body.push('', ...docComment(doc), `${signature} {`, ...lines, '}');
  const exported = (id) => `export function is${id}(value: unknown): value is T.${id}`;
  const returnAll = (parts) => {
    const e = allOf(parts);
    if (e.prec < 1) return [`  return ${e.code};`];
    const terms = e.code.split(' && ');
    return ['  return (', ...terms.map((t, i) => `    ${t}${i === terms.length - 1 ? '' : ' &&'}`), '  );'];
  };

  const objectChecks = (fields) => {
    runtime.add('isObject');
    const parts = [expr('isObject(value)')];
    for (const field of fields) {
      if (field.name === '__proto__') throw new Error('guards: a property named __proto__ is not supported');
      const x = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(field.name) ? `value.${field.name}` : `value[${quote(field.name)}]`;
      const check = test(field.ir, x);
      const primitive =
        primitiveOf(field.ir) ??
        (field.ir.kind === 'nullable' && primitiveOf(field.ir.inner)
          ? `${primitiveOf(field.ir.inner)}OrNull`
          : undefined);
      if (!field.required) {
        if (primitive) parts.push(helperCall(`isOptional${primitive}`, x));
        else if (check.code !== 'true') parts.push(anyOf([expr(`${x} === undefined`), check]));
      } else if (acceptsUndefined(field.ir)) {
        parts.push(allOf([expr(`${quote(field.name)} in value`), check]));
      } else parts.push(check);
    }
    return parts;
  };

  /** The body of an open union: the tag picks the branch, as in src/events/zod-helpers.ts. */
  const openUnionBody = (dispatch, fallback) => {
    runtime.add('isObject');
    const lines = ['  if (!isObject(value)) return false;'];
    if (Array.isArray(dispatch.discriminator)) {
      const [outer, inner] = dispatch.discriminator;
      if (dispatch.discriminator.length !== 2)
        throw new Error('guards: discriminator paths longer than two keys are not supported');
      lines.push(
        `  const outer = value[${quote(outer)}];`,
        `  const tag = isObject(outer) ? outer[${quote(inner)}] : undefined;`,
      );
    } else lines.push(`  const tag = value[${quote(dispatch.discriminator)}];`);
    const table = dispatch.entries
      .flatMap(([leaf, keys]) => keys.map((k) => [k, leaf]))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const plain = new Map(table);
    if (dispatch.flag) {
      const prefix = `${dispatch.flag}:`;
      lines.push(
        `  if (value[${quote(dispatch.flag)}] === true) {`,
        "    switch (typeof tag === 'string' ? tag : String(tag)) {",
      );
      for (const [key, leaf] of table) {
        if (!key.startsWith(prefix)) continue;
        const bare = key.slice(prefix.length);
        lines.push(`      case ${quote(bare)}:`);
        // the flag picks the family; a value the plain tag's branch accepts is accepted too
        const second = plain.has(bare) ? ` || (tag === ${quote(bare)} && ${guardName(plain.get(bare))}(value))` : '';
        lines.push(`        return ${guardName(leaf)}(value)${second};`);
      }
      lines.push('    }', '  }');
    }
    lines.push('  switch (tag) {');
    const byLeaf = new Map();
    for (const [key, leaf] of table) byLeaf.set(leaf, [...(byLeaf.get(leaf) ?? []), key]);
    for (const [leaf, keys] of byLeaf) {
      for (const key of keys) lines.push(`    case ${quote(key)}:`);
      lines.push(`      return ${guardName(leaf)}(value);`);
    }
    lines.push('    default:', `      return ${fallback ? `${fallback}(value)` : 'false'};`, '  }');
    return lines;
  };

  const emitFallback = (id, dispatch, leaves) => {
    const name = `is${id}Fallback`;
    emit(
      [
        `Whether \`value\` has the fields every kind of ${id} shares: how a kind this version does not know is checked.`,
      ],
      `function ${name}(value: unknown): boolean`,
      returnAll(objectChecks(model.fallbackOf(leaves, dispatch))),
    );
    return name;
  };

  for (const [, entry] of model.namedEnums) {
    emit([`Whether \`value\` passes \`${entry.name}Schema\`: any string (the enum is open).`], exported(entry.name), [
      "  return typeof value === 'string';",
    ]);
  }

  for (const name of ctx.order) {
    const hoisted = ctx.hoisted.get(name);
    const id = hoisted ? hoisted.name : typeName(name);
    const doc = [`Whether \`value\` passes \`${id}Schema\`.`];
    if (hoisted) {
      if (hoisted.dispatch) {
        const fallback = emitFallback(id, hoisted.dispatch, hoisted.leaves);
        emit(doc, exported(id), openUnionBody(hoisted.dispatch, fallback));
      } else {
        emit(doc, exported(id), returnAll([anyOf(hoisted.ir.members.map((m) => test(m, 'value')))]));
      }
      continue;
    }
    const def = defs[name];
    const ir = model.defIR(name);
    if (def.properties) {
      emit(doc, exported(id), returnAll(objectChecks(fieldsOf(model, name))));
    } else if (def.enum) {
      emit([`Whether \`value\` passes \`${id}Schema\`: any string (the enum is open).`], exported(id), [
        "  return typeof value === 'string';",
      ]);
    } else if (ir.kind === 'union') {
      const dispatch = ctx.dispatch.get(name);
      if (dispatch) {
        const fallback = emitFallback(id, dispatch, model.leavesOf(ir.members));
        emit(doc, exported(id), openUnionBody(dispatch, fallback));
      } else {
        emit(doc, exported(id), returnAll([anyOf(ir.members.map((m) => test(m, 'value')))]));
      }
    } else if (
      (ir.kind === 'array' || ir.kind === 'record') &&
      helperByKey.get(stable(canon(ir))) === guardName(name)
    ) {
      emit(doc, exported(id), loopBody(ir));
    } else {
      emit(doc, exported(id), returnAll([test(ir, 'value')]));
    }
  }

  const out = [];
  const imports = [...runtime].sort();
  const importLine = `import { ${imports.join(', ')} } from '../guards-runtime';`;
  if (importLine.length <= WIDTH) out.push(importLine);
  else out.push('import {', ...imports.map((name) => `  ${name},`), "} from '../guards-runtime';");
  out.push("import type * as T from './types';");
  out.push(...body, ...helpers, '');
  out.push(
    ...docComment([
      'Event type → the guard of its whole payload: true exactly when the schema in `EVENT_SCHEMAS` accepts the value.',
    ]),
  );
  out.push(
    'export const EVENT_GUARDS: { readonly [K in keyof T.PolarWebhookEventMap]: (value: unknown) => value is T.PolarWebhookEventMap[K] } = {',
  );
  for (const [type, payload] of ctx.events) out.push(`  ${quote(type)}: ${guardName(payload)},`);
  out.push('};');
  return out;
}

// ───────────────────────────── catalogue ─────────────────────────────

function renderCatalogue(model, ctx) {
  const out = ["import type { z } from 'zod/v4';", ''];
  const events = ctx.events;
  out.push(`import {`);
  for (const [, payload] of [...events].sort(([, a], [, b]) => (a < b ? -1 : 1)))
    out.push(`  ${typeName(payload)}Schema,`);
  out.push(`} from './schemas';`);
  out.push("import type { PolarWebhookEventMap } from './types';", '');

  out.push(...docComment(['Every event type Polar sends, as listed by the spec (`x-event-types`).']));
  out.push('export const EVENT_TYPES = [');
  for (const [type] of events) out.push(`  ${quote(type)},`);
  out.push('] as const;', '');

  out.push(
    ...docComment(['Event type → the schema of its whole payload (`type`, `timestamp`, `api_version`, `data`).']),
  );
  out.push(
    'export const EVENT_SCHEMAS: { readonly [K in keyof PolarWebhookEventMap]: z.ZodType<PolarWebhookEventMap[K]> } = {',
  );
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
  const unionKey = (ir) =>
    ir.members
      .map((m) => (m.kind === 'ref' ? m.name : '?'))
      .sort()
      .join('|');
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
  const guards = renderGuards(model, ctx);
  return {
    'types.ts':
      [...header('TypeScript types of every Polar webhook payload and data model.'), ...trimLeading(types)].join('\n') +
      '\n',
    'schemas.ts':
      [...header('zod schemas of every Polar webhook payload and data model.'), ...schemas].join('\n') + '\n',
    'catalogue.ts':
      [
        ...header('The event catalogue: every event type, its payload schema, data model and description.'),
        ...catalogue,
      ].join('\n') + '\n',
    'guards.ts':
      [
        ...header('Guards: one plain function per schema, true exactly when that schema accepts the value.'),
        ...guards,
      ].join('\n') + '\n',
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
