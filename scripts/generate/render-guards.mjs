// @ts-check
// Guards: one plain function per declaration, shared by every API version, that accepts exactly
// what that version's zod schema accepts and, when asked, reports the same issues.
//
// `isX(value, v, c?)`: `v` is the bit of the API version (see VERSION_BITS); only the fields that
// differ between versions look at it. Without `c` the guard answers true or false and stops at the
// first problem: the fast path every delivery takes. With an issue sink `c` it walks on past each
// problem, records it (path and message) in the order zod would, and returns false only when the
// sink is full, which stops the walk: the work done for a rejected payload is bounded.
//
// Straight-line checks, no eval (Workers forbid it), no closures, nothing allocated on the fast
// path. Each rule mirrors what zod does for the same construct:
// - primitives: `typeof`; numbers must be finite (z.number() rejects NaN and ±Infinity);
// - loose objects: any non-null, non-array object; unknown keys are not looked at; a required field
//   must pass its check (and, when its check accepts undefined, exist: `key in value`); an optional
//   one may also be undefined;
// - records: a plain object (zod's isPlainObject) whose own enumerable keys are strings, other than
//   `__proto__` which zod skips, each holding an accepted value; a symbol key fails;
// - tuples: an array of exactly that length; arrays: every index, holes read as undefined;
// - open unions: the tag picks the branch (every table key, so a tag spelled `legacy:fixed` picks
//   what zod's table lookup picks); with a flag set, `${flag}:${String(tag)}` first, then the plain
//   tag's branch; an unknown tag goes to the fallback. Plain unions accept what any member accepts,
//   and explain a rejection by the member that came closest, as parseEvent flattens zod's issues.
import { typeName } from './ir.mjs';
import { canonical } from './versions.mjs';
import { WIDTH, docComment, quote } from './text.mjs';

/**
 * @typedef {import('./ir.mjs').Node} Node
 * @typedef {import('./ir.mjs').Decl} Decl
 * @typedef {import('./ir.mjs').Dispatch} Dispatch
 * @typedef {import('./versions.mjs').Merged} Merged
 * @typedef {import('./versions.mjs').GuardPlan} GuardPlan
 * @typedef {import('./versions.mjs').MergedField} MergedField
 * @typedef {import('./generate.mjs').Renderer} Renderer
 * @typedef {import('./generate.mjs').Events} Events
 */

/**
 * Where a check looks and where it reports: a field of `value`, an element, or `value` itself.
 *
 * @typedef {object} Place
 * @property {string} x The checked value, as an expression that is cheap to repeat.
 * @property {((expected: string) => string) | undefined} fail The call that records "expected …" there
 *   (none: the check only answers).
 * @property {string | undefined} sink The issue sink for a nested guard (`c`, or `c && at(c, key)`; none: no sink).
 * @property {string | undefined} key The key in `value`, when the place is a field.
 */

/** The primitive kinds the runtime has named checks for (`isString`, `isOptionalNumberOrNull`…). */
const PRIMITIVE = /** @type {Record<string, string>} */ ({
  string: 'String',
  number: 'Number',
  integer: 'Number',
  boolean: 'Boolean',
  anyObject: 'Object',
});

/** How an issue names what was expected. */
const EXPECTED = /** @type {Record<string, string>} */ ({
  String: 'string',
  Number: 'number',
  Boolean: 'boolean',
  Object: 'object',
});

/** @param {string} name */
const guardName = (name) => `is${typeName(name)}`;
/** @param {string} name */
const access = (name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `value.${name}` : `value[${quote(name)}]`);

/**
 * Alternatives joined with `||`, in parentheses when there are several.
 *
 * @param {string[]} alternatives
 */
const any = (alternatives) =>
  alternatives.length === 1 ? /** @type {string} */ (alternatives[0]) : `(${alternatives.join(' || ')})`;

/**
 * @param {Merged} merged
 * @param {Events} events
 * @returns {Renderer}
 */
export function createGuardsRenderer(merged, events) {
  /** @type {Set<string>} */
  const runtime = new Set();
  /** @type {Set<string>} */
  const issueHelpers = new Set(['type IssueSink']);
  /** @type {string[]} */
  const body = [];
  /** @type {string[]} */
  const helpers = [];
  /** @type {Map<string, string>} canonical tree → name of the helper that checks it */
  const helperByKey = new Map();
  /** @type {Set<string>} */
  const helperNames = new Set();
  /** @type {Set<string>} */
  const emitted = new Set();

  /** @param {string} name */
  const use = (name) => {
    runtime.add(name);
    return name;
  };
  /** @param {string} name */
  const issue = (name) => {
    issueHelpers.add(name);
    return name;
  };

  /**
   * The tree as the guard of `version` checks it: enums are strings, and an alias of a primitive,
   * a literal, null or unknown is checked in place.
   *
   * @param {Node} ir
   * @param {string} version
   * @returns {Node}
   */
  const resolve = (ir, version) => {
    const lookup = (/** @type {string} */ name) => merged.declOf(name, version);
    const inline = (/** @type {Node} */ node) => {
      /** @type {Node} */
      let current = canonical(node, lookup);
      for (let depth = 0; current.kind === 'ref' && depth < 20; depth++) {
        const decl = lookup(current.name);
        if (decl?.kind !== 'alias') break;
        const inner = canonical(decl.ir, lookup);
        if (!['string', 'number', 'boolean', 'anyObject', 'literal', 'null', 'unknown', 'ref'].includes(inner.kind))
          break;
        current = inner;
      }
      return current;
    };
    /** @param {Node} node @returns {Node} */
    const walk = (node) => {
      const n = inline(node);
      switch (n.kind) {
        case 'nullable':
          return { kind: 'nullable', inner: walk(n.inner) };
        case 'union':
          return { kind: 'union', members: n.members.map(walk) };
        case 'array':
          return { kind: 'array', items: walk(n.items) };
        case 'tuple':
          return { kind: 'tuple', items: n.items.map(walk) };
        case 'record':
          return { kind: 'record', values: walk(n.values) };
        default:
          return n;
      }
    };
    return walk(ir);
  };

  /** @param {Node} ir */
  const primitiveOf = (ir) => PRIMITIVE[ir.kind];
  /** @param {Node} ir @returns {boolean} */
  const simple = (ir) =>
    Boolean(primitiveOf(ir)) || ir.kind === 'literal' || ir.kind === 'null' || ir.kind === 'unknown';
  /** @param {Node} ir @returns {string} */
  const describeSimple = (ir) => {
    if (ir.kind === 'literal') return typeof ir.value === 'string' ? quote(ir.value) : String(ir.value);
    if (ir.kind === 'null') return 'null';
    if (ir.kind === 'unknown') return 'anything';
    return EXPECTED[/** @type {string} */ (primitiveOf(ir))] ?? 'value';
  };
  /** @param {Node} ir @param {string} x @returns {string} */
  const simpleTest = (ir, x) => {
    const p = primitiveOf(ir);
    if (p) return `${use(`is${p}`)}(${x})`;
    if (ir.kind === 'literal') return `${x} === ${typeof ir.value === 'string' ? quote(ir.value) : String(ir.value)}`;
    if (ir.kind === 'null') return `${x} === null`;
    return 'true';
  };
  /** @param {string[]} words */
  const orList = (words) =>
    words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;

  /**
   * The check of a resolved tree at a place, as `||`-alternatives: true when it passes; when it does
   * not, the last alternative records the issue (true unless the sink is full; false without a sink).
   *
   * @param {Node} ir
   * @param {Place} place
   * @param {boolean} required
   * @returns {string[]}
   */
  const check = (ir, place, required) => {
    const { x } = place;
    /** @param {string} expected */
    const fail = (expected) => (place.fail ? [place.fail(expected)] : []);
    /** @param {string} guard */
    const call = (guard) => `${guard}(${x}, v${place.sink ? `, ${place.sink}` : ''})`;
    const p = primitiveOf(ir);
    if (p) {
      return [`${use(`is${required ? '' : 'Optional'}${p}`)}(${x})`, ...fail(quote(EXPECTED[p] ?? 'value'))];
    }
    if (ir.kind === 'nullable' && primitiveOf(ir.inner)) {
      const q = /** @type {string} */ (primitiveOf(ir.inner));
      return [`${use(`is${required ? '' : 'Optional'}${q}OrNull`)}(${x})`, ...fail(quote(`${EXPECTED[q]} or null`))];
    }
    const optional = required ? [] : [`${x} === undefined`];
    switch (ir.kind) {
      case 'unknown':
        return required && place.key !== undefined ? [`${place.key} in value`, ...fail(quote('a value'))] : ['true'];
      case 'literal':
      case 'null':
        return [...optional, simpleTest(ir, x), ...fail(quote(describeSimple(ir)))];
      case 'ref':
        return [...optional, call(guardName(ir.name))];
      case 'nullable':
        return [...optional, `${x} === null`, ...check(ir.inner, place, true)];
      case 'union': {
        if (!ir.members.every(simple)) {
          throw new Error('guards: an inline union that mixes references with other kinds is not supported');
        }
        const words = ir.members.map(describeSimple);
        return [...optional, ...ir.members.map((m) => simpleTest(m, x)), ...fail(quote(orList(words)))];
      }
      case 'array':
      case 'record':
      case 'tuple':
        return [...optional, call(helperFor(ir))];
      default:
        throw new Error(`guards: unhandled ${ir.kind}`);
    }
  };

  /**
   * The same check without issues: the fast form, for loops that must test before they explain.
   *
   * @param {Node} ir
   * @param {string} x
   * @returns {string}
   */
  const fastCheck = (ir, x) => any(check(ir, { x, fail: undefined, sink: undefined, key: undefined }, true));

  /** A name for a helper, from what it checks: `OrderItemArray`, `RecordOfStringOrNumberOrBoolean`. */
  /** @param {Node} ir @returns {string} */
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
        return ir.members.map(label).join('Or');
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

  /**
   * Statements of a guard over `value` (at the sink's own path) for an array, record or tuple.
   *
   * @param {Node} ir
   * @returns {string[]}
   */
  const containerBody = (ir) => {
    if (ir.kind === 'array') {
      const item = ir.items;
      const head = `  if (!Array.isArray(value)) return ${issue('failHere')}(c, value, 'array');`;
      if (item.kind === 'unknown') return [head, '  return true;'];
      const test = any(check(item, itemPlace('i'), true));
      return [
        head,
        '  for (let i = 0; i < value.length; i++) {',
        `    if (!${test}) return false;`,
        '  }',
        '  return true;',
      ];
    }
    if (ir.kind === 'record') {
      use('isPlainObject');
      use('hasEnumerableSymbol');
      const head = `  if (!isPlainObject(value)) return ${issue('failHere')}(c, value, 'record');`;
      const tail = `  return !hasEnumerableSymbol(value) || ${issue('failSymbols')}(c, value);`;
      if (ir.values.kind === 'unknown') return [head, tail];
      const fast = fastCheck(ir.values, 'value[key]');
      const full = any(check(ir.values, itemPlace('key'), true));
      return [
        head,
        '  for (const key in value) {',
        "    if (key === '__proto__') continue;",
        '    // zod looks at own keys only: an inherited one fails nothing',
        `    if (!${fast} && Object.hasOwn(value, key) && (c === undefined || !${full})) return false;`,
        '  }',
        tail,
      ];
    }
    if (ir.kind === 'tuple') {
      const n = ir.items.length;
      const lines = [
        `  if (!Array.isArray(value)) return ${issue('failHere')}(c, value, 'array');`,
        // as zod: too short stops there; too long is reported, then the items are checked
        `  if (value.length < ${n}) return ${issue('failLength')}(c, value, ${n});`,
        `  if (value.length > ${n} && !${issue('failLength')}(c, value, ${n})) return false;`,
      ];
      const terms = ir.items.map((item, i) => any(check(item, itemPlace(String(i)), true)));
      return [...lines, ...returnAll(terms)];
    }
    throw new Error(`guards: no container body for ${ir.kind}`);
  };

  /**
   * @param {string} key An expression: an index, a loop variable.
   * @returns {Place}
   */
  const itemPlace = (key) => ({
    x: `value[${key}]`,
    fail: (expected) => `${issue('fail')}(c, value, ${key}, ${expected})`,
    sink: `c && ${issue('at')}(c, ${key})`,
    key: undefined,
  });

  /** @param {Node} ir */
  function helperFor(ir) {
    const key = JSON.stringify(ir);
    const known = helperByKey.get(key);
    if (known) return known;
    let name = `is${label(ir)}`;
    for (let n = 2; helperNames.has(name) || merged.variants.has(name.slice(2)); n++) name = `is${label(ir)}${n}`;
    helperNames.add(name);
    helperByKey.set(key, name);
    const what = ir.kind === 'array' ? 'an array' : ir.kind === 'record' ? 'a record' : 'a tuple';
    helpers.push(
      '',
      `/** Whether \`value\` is ${what} zod accepts as \`${label(ir)}\`. */`,
      `function ${name}(value: unknown, v: number, c?: IssueSink): boolean {`,
      ...containerBody(ir),
      '}',
    );
    return name;
  }

  /**
   * `return a && b && …;`, one term per line when long.
   *
   * @param {string[]} terms
   * @returns {string[]}
   */
  const returnAll = (terms) => {
    const kept = terms.filter((t) => t !== 'true');
    if (kept.length === 0) return ['  return true;'];
    const line = `  return ${kept.join(' && ')};`;
    if (line.length <= WIDTH && kept.length <= 2) return [line];
    return ['  return (', ...kept.map((t, i) => `    ${t}${i === kept.length - 1 ? '' : ' &&'}`), '  );'];
  };

  /**
   * @param {string[]} versions
   * @returns {number}
   */
  const maskOf = (versions) => versions.reduce((m, v) => m | (merged.bits[v] ?? 0), 0);

  /**
   * The term of one field, whichever versions check it how.
   *
   * @param {MergedField} field
   * @returns {string}
   */
  const fieldTerm = (field) => {
    if (field.name === '__proto__') throw new Error('guards: a property named __proto__ is not supported');
    const key = quote(field.name);
    /** @type {Place} */
    const place = {
      x: access(field.name),
      fail: (expected) => `${issue('fail')}(c, value, ${key}, ${expected})`,
      sink: `c && ${issue('at')}(c, ${key})`,
      key,
    };
    /** @type {Map<string, { ir: Node, versions: string[], optional: string[] }>} */
    const byShape = new Map();
    for (const { version, ir, required } of field.checks) {
      const resolved = resolve(ir, version);
      const id = JSON.stringify(resolved);
      const entry = byShape.get(id) ?? { ir: resolved, versions: [], optional: [] };
      entry.versions.push(version);
      if (!required) entry.optional.push(version);
      byShape.set(id, entry);
    }
    const shapes = [...byShape.values()];
    const termOf = (/** @type {{ ir: Node, versions: string[], optional: string[] }} */ s) => {
      if (s.optional.length === s.versions.length) return check(s.ir, place, false);
      const strict = check(s.ir, place, true);
      if (s.optional.length === 0) return strict;
      return [`(${place.x} === undefined && (v & ${maskOf(s.optional)}) !== 0)`, ...strict];
    };
    /** @type {string[]} */
    let alternatives;
    if (shapes.length === 1) alternatives = termOf(/** @type {typeof shapes[number]} */ (shapes[0]));
    else {
      // the field's type changed between versions: each version checks its own
      const last = /** @type {typeof shapes[number]} */ (shapes[shapes.length - 1]);
      let expr = any(termOf(last));
      for (const s of shapes.slice(0, -1).reverse())
        expr = `((v & ${maskOf(s.versions)}) !== 0 ? ${any(termOf(s))} : ${expr})`;
      alternatives = [expr];
    }
    if (field.absent.length > 0) alternatives = [`(v & ${maskOf(field.absent)}) !== 0`, ...alternatives];
    return any(alternatives.filter((a, i, all) => !(a === 'true' && all.length > 1 && i > 0)));
  };

  /**
   * @param {string} id
   * @param {string[]} doc
   * @param {string[]} lines
   * @param {boolean} exported
   */
  const emit = (id, doc, lines, exported) => {
    body.push(
      '',
      ...docComment(doc),
      `${exported ? 'export ' : ''}function is${id}(value: unknown, v: number, c?: IssueSink): boolean {`,
      ...lines,
      '}',
    );
  };

  /**
   * The body of an object guard.
   *
   * @param {MergedField[]} fields
   * @returns {string[]}
   */
  const objectBody = (fields) => {
    use('isObject');
    const terms = fields.map(fieldTerm);
    const kept = terms.filter((t) => t !== 'true');
    if (kept.length === 0) return [`  return isObject(value) || ${issue('failHere')}(c, value, 'object');`];
    return [`  if (!isObject(value)) return ${issue('failHere')}(c, value, 'object');`, ...returnAll(kept)];
  };

  /**
   * The body of an open union: the tag picks the branch, as in src/events/zod-helpers.ts.
   *
   * @param {Dispatch} dispatch
   * @param {string | undefined} fallback
   * @returns {string[]}
   */
  const openUnionBody = (dispatch, fallback) => {
    use('isObject');
    const lines = [`  if (!isObject(value)) return ${issue('failHere')}(c, value, 'object');`];
    if (Array.isArray(dispatch.discriminator)) {
      if (dispatch.discriminator.length !== 2)
        throw new Error('guards: discriminator paths longer than two keys are not supported');
      const [outer, inner] = dispatch.discriminator;
      lines.push(
        `  const outer = value[${quote(outer)}];`,
        `  const tag = isObject(outer) ? outer[${quote(inner)}] : undefined;`,
      );
    } else lines.push(`  const tag = value[${quote(dispatch.discriminator)}];`);
    const table = dispatch.entries
      .flatMap(([leaf, keys]) => keys.map((k) => /** @type {[string, string]} */ ([k, leaf])))
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
        const other = plain.get(bare);
        lines.push(`      case ${quote(bare)}:`);
        // the flag picks the family; a value the plain tag's branch accepts is accepted too, and a
        // value neither accepts is explained by the flagged branch
        const second = other ? ` || (tag === ${quote(bare)} && ${guardName(other)}(value, v))` : '';
        lines.push(
          `        return ${guardName(leaf)}(value, v)${second} || (c !== undefined && ${guardName(leaf)}(value, v, c));`,
        );
      }
      lines.push('    }', '  }');
    }
    lines.push('  switch (tag) {');
    /** @type {Map<string, string[]>} */
    const byLeaf = new Map();
    for (const [key, leaf] of table) byLeaf.set(leaf, [...(byLeaf.get(leaf) ?? []), key]);
    for (const [leaf, keys] of byLeaf) {
      for (const key of keys) lines.push(`    case ${quote(key)}:`);
      lines.push(`      return ${guardName(leaf)}(value, v, c);`);
    }
    lines.push('    default:');
    if (fallback) lines.push(`      return ${guardName(fallback)}(value, v, c);`);
    else {
      const path = Array.isArray(dispatch.discriminator) ? dispatch.discriminator : [dispatch.discriminator];
      lines.push(`      return ${issue('failAt')}(c, [${path.map(quote).join(', ')}], tag, 'a known kind');`);
    }
    lines.push('  }');
    return lines;
  };

  /**
   * The body of a guard for one declaration as one group of versions has it.
   *
   * @param {Decl} decl
   * @param {string} version
   * @returns {string[]}
   */
  const bodyOf = (decl, version) => {
    switch (decl.kind) {
      case 'object':
        return objectBody(
          decl.fields.map((f) => ({ name: f.name, checks: [{ version, ir: f.ir, required: f.required }], absent: [] })),
        );
      case 'enum':
        return [`  return ${use('isString')}(value) || ${issue('failHere')}(c, value, 'string');`];
      case 'union': {
        if (decl.dispatch) return openUnionBody(decl.dispatch, decl.fallback);
        const members = decl.members.map((m) => resolve(m, version));
        if (members.every(simple)) {
          const words = members.map(describeSimple);
          return [
            `  return ${[...members.map((m) => simpleTest(m, 'value')), `${issue('failHere')}(c, value, ${quote(orList(words))})`].join(' || ')};`,
          ];
        }
        if (!members.every((m) => m.kind === 'ref')) {
          throw new Error(`guards: the union ${decl.name} mixes references with other kinds, which is not supported`);
        }
        const names = members.map((m) => guardName(/** @type {{ name: string }} */ (m).name));
        return [
          '  return (',
          ...names.map((n) => `    ${n}(value, v) ||`),
          `    (c !== undefined && ${issue('explainUnion')}(c, value, v, [${names.join(', ')}]))`,
          '  );',
        ];
      }
      case 'alias': {
        const ir = resolve(decl.ir, version);
        if (ir.kind === 'array' || ir.kind === 'record' || ir.kind === 'tuple') {
          const key = JSON.stringify(ir);
          if (!helperByKey.has(key)) {
            helperByKey.set(key, guardName(decl.name));
            helperNames.add(guardName(decl.name));
            return containerBody(ir);
          }
          return [`  return ${helperByKey.get(key)}(value, v, c);`];
        }
        const place = {
          x: 'value',
          fail: (/** @type {string} */ e) => `${issue('failHere')}(c, value, ${e})`,
          sink: 'c',
          key: undefined,
        };
        return [`  return ${check(ir, place, true).join(' || ')};`];
      }
    }
  };

  /** @param {GuardPlan} plan */
  const emitPlan = (plan) => {
    const id = typeName(plan.name);
    const first = plan.kind === 'same' ? plan.decl : plan.kind === 'split' ? plan.groups[0]?.decl : undefined;
    const internal = first?.kind === 'object' && first.internal;
    if (first?.kind === 'enum') return; // call sites check a plain string
    const doc = internal
      ? [
          `Whether \`value\` has the fields every kind of ${id.replace(/Fallback$/, '')} shares: how a kind this version does not know is checked.`,
        ]
      : [`Whether \`value\` passes \`${id}Schema\` of API version \`v\`; with \`c\`, why not.`];
    if (plan.kind === 'same') {
      emit(id, doc, bodyOf(plan.decl, /** @type {string} */ (plan.versions[plan.versions.length - 1])), !internal);
    } else if (plan.kind === 'fields') {
      emit(id, doc, objectBody(plan.fields), !internal);
    } else {
      const groups = plan.groups;
      let expr = `is${groups[groups.length - 1]?.id}(value, v, c)`;
      for (const g of groups.slice(0, -1).reverse())
        expr = `(v & ${maskOf(g.versions)}) !== 0 ? is${g.id}(value, v, c) : ${expr}`;
      emit(id, doc, [`  return ${expr};`], !internal);
      for (const g of groups) {
        emit(
          g.id,
          [`\`${id}\` as API versions ${g.versions.join(', ')} check it.`],
          bodyOf(g.decl, /** @type {string} */ (g.versions[g.versions.length - 1])),
          false,
        );
      }
    }
  };

  return {
    declaration(variant) {
      if (emitted.has(variant.name)) return;
      emitted.add(variant.name);
      const plan = merged.guards.get(variant.name);
      if (plan) emitPlan(plan);
    },

    lines() {
      const out = [];
      const imports = [...runtime].sort();
      const importLine = `import { ${imports.join(', ')} } from '../guards-runtime';`;
      if (importLine.length <= WIDTH) out.push(importLine);
      else out.push('import {', ...imports.map((name) => `  ${name},`), "} from '../guards-runtime';");
      const issueImports = [...issueHelpers].sort((a, b) =>
        a.replace('type ', '').localeCompare(b.replace('type ', '')),
      );
      const issueLine = `import { ${issueImports.join(', ')} } from '../guard-issues';`;
      if (issueLine.length <= WIDTH) out.push(issueLine);
      else out.push('import {', ...issueImports.map((name) => `  ${name},`), "} from '../guard-issues';");
      out.push("import type * as T from './types';");
      out.push(...body, ...helpers, '');
      out.push(...docComment(['API version → its bit in the `v` argument of every guard.']));
      out.push('export const VERSION_BITS = {');
      for (const version of merged.versions) out.push(`  ${quote(version)}: ${merged.bits[version]},`);
      out.push('} as const;', '');
      out.push(
        ...docComment([
          'Event type → the guard of its whole payload: `EVENT_GUARDS[type](payload, VERSION_BITS[version])` is true ' +
            'exactly when `EVENT_SCHEMAS[version][type]` accepts the payload; given an issue sink, it records why not.',
        ]),
      );
      out.push(
        'export const EVENT_GUARDS: {',
        '  readonly [K in keyof T.PolarWebhookEventMap]: (value: unknown, v: number, c?: IssueSink) => boolean;',
        '} = {',
      );
      for (const [type, payload] of events.all) out.push(`  ${quote(type)}: ${guardName(payload)},`);
      out.push('};');
      return out;
    },
  };
}
