// @ts-check
// One API version's snapshot → its declarations: the tree of every $def, the inline enums and
// unions that get names of their own, how each tagged union is told apart, the fields its unknown
// kinds are checked against, and which fields are required.
//
// Required: a field is required only when the snapshot requires it AND the history says Polar has
// sent it since max(baseline, the model's `since`). Polar stores each event's payload when the
// event happens and redelivers that string unchanged, so a field added later is missing from
// older events; the types say so too (`?`), so that they stay true at run time.
import { UNION_NAMES, describe } from './docs.mjs';
import { stable, typeName } from './ir.mjs';

/**
 * @typedef {import('./ir.mjs').Node} Node
 * @typedef {import('./ir.mjs').Decl} Decl
 * @typedef {import('./ir.mjs').Field} Field
 * @typedef {import('./ir.mjs').Dispatch} Dispatch
 * @typedef {import('./ir.mjs').ObjectDecl} ObjectDecl
 * @typedef {import('./ir.mjs').UnionDecl} UnionDecl
 * @typedef {import('./read-snapshots.mjs').SchemaNode} SchemaNode
 * @typedef {import('./read-snapshots.mjs').Snapshot} Snapshot
 * @typedef {import('./read-snapshots.mjs').VersionHistory} VersionHistory
 */

/**
 * One version, ready to render.
 *
 * @typedef {object} VersionModel
 * @property {string} version
 * @property {Map<string, Decl>} decls Every declaration by name, in a stable order.
 * @property {[string, string][]} events Event type → payload declaration, as the snapshot lists them.
 * @property {Record<string, string>} descriptions Event type → the payload's description.
 */

/**
 * Fields required by the snapshot that stay optional whatever the history says, and why.
 * `api_version` only exists since Polar versioned its webhooks, and an older event redelivered
 * today still lacks it; such an event is validated by the oldest version, but anyone validating
 * with a newer version's schema directly must get it through too.
 */
const ALWAYS_OPTIONAL = [
  {
    model: /^Webhook\w+Payload$/,
    field: 'api_version',
    why: 'Absent from events created before Polar versioned its webhooks (they are redelivered unchanged).',
  },
];

/** @param {SchemaNode} node */
const refOf = (node) => String(node.$ref).replace('#/$defs/', '');

/**
 * @param {SchemaNode} node
 * @returns {boolean}
 */
const isDateTime = (node) =>
  node.format === 'date-time' ||
  (node.anyOf ?? []).some((/** @type {SchemaNode} */ m) => m.format === 'date-time' && node.anyOf.length <= 2);

/**
 * @param {Snapshot} snapshot
 * @param {VersionHistory} history
 * @param {string} baseline
 * @returns {VersionModel}
 */
export function buildVersionModel(snapshot, history, baseline) {
  const defs = snapshot.defs;
  const names = Object.keys(defs).sort();

  // ── inline enums: one that appears more than once under the same title gets a name ──
  /** @type {Map<string, { name: string | undefined, values: string[], count: number }>} */
  const inlineEnums = new Map();
  /**
   * @param {unknown} node
   * @param {boolean} isRoot
   */
  const collectInlineEnums = (node, isRoot) => {
    if (Array.isArray(node)) return node.forEach((n) => collectInlineEnums(n, false));
    if (!node || typeof node !== 'object') return;
    const n = /** @type {SchemaNode} */ (node);
    if (n.enum && !isRoot) {
      const id = stable(n.enum);
      const entry = inlineEnums.get(id) ?? { name: n.title ? typeName(n.title) : undefined, values: n.enum, count: 0 };
      entry.count += 1;
      inlineEnums.set(id, entry);
    }
    for (const [key, value] of Object.entries(n)) {
      if (key === 'enum' || key === 'examples' || key === 'required' || key.startsWith('x-')) continue;
      if (key === 'properties') for (const child of Object.values(value)) collectInlineEnums(child, false);
      else collectInlineEnums(value, false);
    }
  };
  for (const name of names) collectInlineEnums(defs[name], true);
  /** @type {Map<string, { name: string, values: string[] }>} */
  const namedEnums = new Map();
  for (const [id, entry] of inlineEnums) {
    if (entry.count > 1 && entry.name && !defs[entry.name])
      namedEnums.set(id, { name: entry.name, values: entry.values });
  }

  // ── JSON Schema → tree ──
  /**
   * @param {SchemaNode | true | undefined} node
   * @returns {Node}
   */
  const toIR = (node) => {
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
        return node.format ? { kind: 'string', format: node.format } : { kind: 'string' };
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
        if (node.properties) throw new Error(`${snapshot.file}: inline objects with properties are not supported`);
        return {
          kind: 'record',
          values: node.additionalProperties === undefined ? { kind: 'unknown' } : toIR(node.additionalProperties),
        };
      default:
        return { kind: 'unknown' };
    }
  };

  /**
   * Flattens nested unions and nullables, drops duplicates, and pulls `null` out as `nullable`.
   *
   * @param {Node[]} parts
   * @returns {Node}
   */
  const unionIR = (parts) => {
    /** @type {Node[]} */
    const flat = [];
    for (const part of parts) {
      if (part.kind === 'nullable') flat.push(part.inner, { kind: 'null' });
      else if (part.kind === 'union') flat.push(...part.members);
      else flat.push(part);
    }
    const seen = new Set();
    /** @type {Node[]} */
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
    /** @type {Node} */
    const inner = members.length === 1 ? /** @type {Node} */ (members[0]) : { kind: 'union', members };
    return nullable ? { kind: 'nullable', inner } : inner;
  };

  /** @param {string} name */
  const isObjectDef = (name) => Boolean(defs[name]?.properties);
  /** @param {string} name */
  const isUnionDef = (name) => Boolean(defs[name]?.oneOf ?? defs[name]?.anyOf);
  /** @param {Node} ir */
  const unionMembers = (ir) => (ir.kind === 'union' ? ir.members : [ir]);

  /** @type {Map<string, Node>} */
  const irCache = new Map();
  /**
   * @param {string} name
   * @returns {Node}
   */
  const defIR = (name) => {
    let ir = irCache.get(name);
    if (!ir) {
      const def = defs[name];
      const members = def.oneOf ?? def.anyOf;
      ir = def.properties ? { kind: 'ref', name } : members ? unionIR(members.map(toIR)) : toIR(def);
      irCache.set(name, ir);
    }
    return ir;
  };

  /**
   * Object defs a union ultimately consists of, nested unions flattened (undefined if not all objects).
   *
   * @param {Node[]} members
   * @returns {string[] | undefined}
   */
  const leavesOf = (members) => {
    /** @type {string[]} */
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
  };

  /**
   * Values a leaf's property can take as a tag: its const or its enum, else undefined.
   *
   * @param {string} leaf
   * @param {string} prop
   * @returns {string[] | undefined}
   */
  const tagValues = (leaf, prop) => {
    const node = defs[leaf].properties?.[prop];
    if (!node) return undefined;
    if (node.const !== undefined) return typeof node.const === 'string' ? [node.const] : undefined;
    if (node.enum) return node.enum;
    if (node.$ref && defs[refOf(node)]?.enum) return defs[refOf(node)].enum;
    return undefined;
  };

  /** @param {[string, string[] | undefined][]} entries */
  const disjoint = (entries) => {
    const seen = new Set();
    for (const [, keys] of entries)
      for (const k of keys ?? []) {
        if (seen.has(k)) return false;
        seen.add(k);
      }
    return true;
  };

  /**
   * How a union of object defs can be told apart; undefined means "first match".
   *
   * @param {string[]} leaves
   * @param {string | undefined} [preferred]
   * @returns {Dispatch | undefined}
   */
  const dispatchOf = (leaves, preferred) => {
    const props = [
      ...new Set(
        [preferred, ...leaves.flatMap((l) => Object.keys(defs[l].properties))].filter(
          /** @returns {p is string} */ (p) => Boolean(p),
        ),
      ),
    ];
    // 1. one property whose values tell every branch apart
    for (const prop of props) {
      /** @type {[string, string[] | undefined][]} */
      const entries = leaves.map((l) => [l, tagValues(l, prop)]);
      if (entries.every(([, v]) => v) && disjoint(entries))
        return { discriminator: prop, flag: undefined, entries: /** @type {[string, string[]][]} */ (entries) };
    }
    // 2. the same, with a `const: true` flag splitting the families (legacy prices)
    for (const prop of props) {
      if (!leaves.every((l) => tagValues(l, prop))) continue;
      for (const flag of props) {
        const flagged = leaves.filter((l) => defs[l].properties[flag]?.const === true);
        if (flagged.length === 0 || flagged.length === leaves.length) continue;
        /** @type {[string, string[]][]} */
        const entries = leaves.map((l) => [
          l,
          (tagValues(l, prop) ?? []).map((v) => (flagged.includes(l) ? `${flag}:${v}` : v)),
        ]);
        if (disjoint(entries)) return { discriminator: prop, flag, entries };
      }
    }
    // 3. a property that holds a tagged object in every branch (benefit grants: `benefit.type`)
    for (const outer of props) {
      const refs = leaves.map((l) => defs[l].properties[outer]);
      if (!refs.every((r) => r?.$ref && isObjectDef(refOf(r)))) continue;
      const inner = refs.map(refOf);
      for (const prop of Object.keys(defs[inner[0] ?? ''].properties)) {
        /** @type {[string, string[] | undefined][]} */
        const entries = leaves.map((l, i) => [l, tagValues(inner[i] ?? '', prop)]);
        if (
          entries.every(([, v]) => v) &&
          defs[inner[0] ?? ''].properties[prop].const !== undefined &&
          disjoint(entries)
        ) {
          return {
            discriminator: [outer, prop],
            flag: undefined,
            entries: /** @type {[string, string[]][]} */ (entries),
          };
        }
      }
    }
    return undefined;
  };

  // ── hoisting: inline unions of refs become named declarations shared by every property ──
  /** @type {Map<string, { name: string, ir: import('./ir.mjs').UnionNode, owner: string }>} */
  const hoisted = new Map();
  /** @param {import('./ir.mjs').UnionNode} ir */
  const unionKey = (ir) =>
    ir.members
      .map((m) => (m.kind === 'ref' ? m.name : '?'))
      .sort()
      .join('|');
  /**
   * @param {Node} ir
   * @param {string} owner
   */
  const collectHoisted = (ir, owner) => {
    if (ir.kind === 'union' && ir.members.every((m) => m.kind === 'ref')) {
      const key = unionKey(ir);
      if (!hoisted.has(key)) {
        const name =
          UNION_NAMES[key] ?? ir.members.map((m) => typeName(/** @type {{ name: string }} */ (m).name)).join('Or');
        if (defs[name])
          throw new Error(`${snapshot.file}: the shared union ${key} would be named ${name}, which is a $def`);
        hoisted.set(key, { name, ir, owner });
      }
      return;
    }
    if (ir.kind === 'nullable') collectHoisted(ir.inner, owner);
    else if (ir.kind === 'union') ir.members.forEach((m) => collectHoisted(m, owner));
    else if (ir.kind === 'array' || ir.kind === 'record')
      collectHoisted(ir.kind === 'array' ? ir.items : ir.values, owner);
    else if (ir.kind === 'tuple') ir.items.forEach((m) => collectHoisted(m, owner));
  };
  for (const name of names) {
    if (defs[name].properties)
      for (const node of Object.values(defs[name].properties)) collectHoisted(toIR(node), name);
  }
  /**
   * The tree with every hoisted union replaced by a reference to its declaration.
   *
   * @param {Node} ir
   * @returns {Node}
   */
  const withHoisted = (ir) => {
    switch (ir.kind) {
      case 'union': {
        const h = ir.members.every((m) => m.kind === 'ref') ? hoisted.get(unionKey(ir)) : undefined;
        return h ? { kind: 'ref', name: h.name } : { kind: 'union', members: ir.members.map(withHoisted) };
      }
      case 'nullable':
        return { kind: 'nullable', inner: withHoisted(ir.inner) };
      case 'array':
        return { kind: 'array', items: withHoisted(ir.items) };
      case 'record':
        return { kind: 'record', values: withHoisted(ir.values) };
      case 'tuple':
        return { kind: 'tuple', items: ir.items.map(withHoisted) };
      default:
        return ir;
    }
  };

  // ── required by history ──
  const missing = /** @type {Set<string>} */ (new Set());
  /**
   * @param {string} model
   * @param {string} field
   * @param {boolean} specRequired
   * @returns {{ required: boolean, why: string | undefined }}
   */
  const requiredness = (model, field, specRequired) => {
    if (!specRequired) return { required: false, why: undefined };
    const forced = ALWAYS_OPTIONAL.find((rule) => rule.field === field && rule.model.test(model));
    if (forced) return { required: false, why: forced.why };
    const record = history.models[model];
    const date = record?.fields?.[field];
    if (!record || !date) {
      missing.add(`${model}.${field}`);
      return { required: false, why: "Not in every snapshot of Polar's schema: older events may lack it." };
    }
    const threshold = record.since > baseline ? record.since : baseline;
    if (date <= threshold) return { required: true, why: undefined };
    return { required: false, why: `Sent since ${date}: older events lack it.` };
  };

  // ── null by history ──
  /**
   * The date until which Polar could send `null` for a field the newest spec says is never null: a
   * change of its type after max(baseline, the model's `since`) from a type with `null` to one without.
   * Events made before that date are redelivered as they were, so the field stays nullable.
   *
   * @param {string} model
   * @param {string} field
   * @returns {string | undefined}
   */
  const nullUntil = (model, field) => {
    const record = history.models[model];
    const changes = (record?.typeChanges ?? {})[field];
    if (!record || changes === undefined) return undefined;
    const threshold = record.since > baseline ? record.since : baseline;
    let until;
    for (const change of /** @type {{ date?: string, from?: string, to?: string }[]} */ ([changes].flat())) {
      const { date, from = '', to = '' } = change;
      if (date === undefined || date <= threshold) continue;
      if (/\bnull\b/.test(from) && !/\bnull\b/.test(to) && (until === undefined || date > until)) until = date;
    }
    return until;
  };

  /**
   * @param {string} name
   * @returns {Field[]}
   */
  const fieldsOf = (name) => {
    const def = defs[name];
    const required = new Set(def.required ?? []);
    return Object.entries(/** @type {Record<string, SchemaNode>} */ (def.properties)).map(([prop, node]) => {
      const nested = (node.anyOf ?? node.oneOf ?? []).find((/** @type {SchemaNode} */ m) => m.description);
      const { required: isRequired, why } = requiredness(name, prop, required.has(prop));
      const wasNull = nullUntil(name, prop);
      const ir = withHoisted(toIR(node));
      /** @type {Node} */
      const nullable = { kind: 'nullable', inner: ir };
      return {
        name: prop,
        ir: wasNull === undefined || ir.kind === 'nullable' ? ir : nullable,
        required: isRequired,
        description: node.description ?? nested?.description,
        deprecated: Boolean(node.deprecated),
        dateTime: isDateTime(node),
        optionalWhy: why,
        nullUntil: wasNull,
      };
    });
  };

  /**
   * Several different object refs in one field (a per-branch `properties`): the union declaration
   * they form, or any object.
   *
   * @param {Node} ir
   * @returns {Node}
   */
  const widenObjects = (ir) => {
    const nullable = ir.kind === 'nullable';
    const core = ir.kind === 'nullable' ? ir.inner : ir;
    if (core.kind !== 'union') return ir;
    const refNames = core.members.map((m) => (m.kind === 'ref' && isObjectDef(m.name) ? m.name : undefined));
    if (refNames.some((n) => !n)) return ir;
    const wanted = [...refNames].sort().join('|');
    const owner =
      names.find((d) => isUnionDef(d) && (leavesOf(unionMembers(defIR(d))) ?? []).sort().join('|') === wanted) ??
      [...hoisted.values()].find((h) => (leavesOf(h.ir.members) ?? []).sort().join('|') === wanted)?.name;
    /** @type {Node} */
    const widened = owner ? { kind: 'ref', name: owner } : { kind: 'anyObject' };
    return nullable ? { kind: 'nullable', inner: widened } : widened;
  };

  /**
   * The fields every leaf shares: what a branch of an unknown tag is checked against.
   *
   * @param {string} name
   * @param {string[]} leaves
   * @param {Dispatch} dispatch
   * @returns {ObjectDecl}
   */
  const fallbackOf = (name, leaves, dispatch) => {
    const leafFields = new Map(leaves.map((l) => [l, new Map(fieldsOf(l).map((f) => [f.name, f]))]));
    const first = /** @type {Map<string, Field>} */ (leafFields.get(/** @type {string} */ (leaves[0])));
    const tagProp = Array.isArray(dispatch.discriminator) ? undefined : dispatch.discriminator;
    /** @type {Field[]} */
    const fields = [];
    for (const prop of first.keys()) {
      const all = leaves.map((l) => leafFields.get(l)?.get(prop));
      if (all.some((f) => !f)) continue;
      const present = /** @type {Field[]} */ (all);
      const required = present.every((f) => f.required);
      // The tag as any string (a kind this version does not know), or null where Polar once sent that.
      const tagWasNull = present.some((f) => f.nullUntil !== undefined);
      /** @type {Node} */
      const ir =
        prop === tagProp
          ? tagWasNull
            ? { kind: 'nullable', inner: { kind: 'string' } }
            : { kind: 'string' }
          : withHoisted(
              widenObjects(
                unionIR(
                  leaves.map((l) => {
                    const own = toIR(defs[l].properties[prop]);
                    /** @type {Node} */
                    const widened = { kind: 'nullable', inner: own };
                    return leafFields.get(l)?.get(prop)?.nullUntil === undefined ? own : widened;
                  }),
                ),
              ),
            );
      const why = required ? undefined : present.find((f) => f.optionalWhy)?.optionalWhy;
      fields.push({
        name: prop,
        required,
        ir,
        description: undefined,
        deprecated: false,
        dateTime: false,
        optionalWhy: why,
      });
    }
    return { kind: 'object', name: `${typeName(name)}Fallback`, description: '', fields, internal: true };
  };

  // ── the declarations ──
  /** @type {Map<string, Decl>} */
  const decls = new Map();
  /** @param {Decl} decl */
  const add = (decl) => {
    if (decls.has(decl.name)) throw new Error(`${snapshot.file}: two declarations named ${decl.name}`);
    decls.set(decl.name, decl);
  };
  for (const [, entry] of [...namedEnums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    add({ kind: 'enum', name: entry.name, description: `Known ${entry.name} values.`, values: entry.values });
  }
  /**
   * @param {string} name
   * @param {string} description
   * @param {Node[]} members
   * @param {string | undefined} preferred
   */
  const addUnion = (name, description, members, preferred) => {
    const leaves = leavesOf(members);
    const dispatch = leaves ? dispatchOf(leaves, preferred) : undefined;
    let fallback;
    if (dispatch && leaves) {
      const decl = fallbackOf(name, leaves, dispatch);
      add(decl);
      fallback = decl.name;
    }
    add({ kind: 'union', name, description, members: members.map(withHoisted), dispatch, fallback });
  };
  for (const name of names) {
    const def = defs[name];
    const description = describe(name, def);
    if (def.properties) add({ kind: 'object', name, description, fields: fieldsOf(name), internal: false });
    else if (def.enum) add({ kind: 'enum', name, description, values: def.enum });
    else {
      const ir = defIR(name);
      if (isUnionDef(name) && ir.kind === 'union')
        addUnion(name, description, ir.members, def.discriminator?.propertyName);
      else add({ kind: 'alias', name, description, ir: withHoisted(ir) });
    }
  }
  for (const h of [...hoisted.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const doc = `One of: ${h.ir.members.map((m) => `{@link ${typeName(/** @type {{ name: string }} */ (m).name)}}`).join(', ')}.`;
    addUnion(h.name, doc, h.ir.members, undefined);
  }

  if (missing.size > 0) {
    const list = [...missing];
    throw new Error(
      `field-history.json has no date for ${list.length} required field(s) of ${snapshot.version}: ` +
        `${list.slice(0, 8).join(', ')}${list.length > 8 ? ', …' : ''}. Rebuild the history from the same snapshots.`,
    );
  }

  const events = /** @type {[string, string][]} */ (Object.entries(snapshot.eventTypes));
  const descriptions = Object.fromEntries(
    events.map(([type, payload]) => [
      type,
      String(defs[payload].description ?? '')
        .split('\n\n')[0]
        ?.replace(/\s+/g, ' ')
        .trim() ?? '',
    ]),
  );
  return { version: snapshot.version, decls, events, descriptions };
}
