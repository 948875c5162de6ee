/**
 * The generated guards against zod, the single source of truth: for every schema, `isX(value)` must
 * equal `XSchema.safeParse(value).success`, in both directions, on the fixtures, on values built
 * from the spec, and on thousands of mutations of both. parseEvent returns what the guard accepts as
 * is, so the tests also prove that zod's output for an accepted payload equals the payload.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod/v4';

import { EVENT_SCHEMAS, EVENT_TYPES } from '../../src/events/catalogue';
import * as guards from '../../src/events/generated/guards';
import * as schemas from '../../src/events/generated/schemas';
import { hasEnumerableSymbol, isObject, isPlainObject } from '../../src/events/guards-runtime';
import { parseEvent, safeParseEvent } from '../../src/events/parse';

const ROOT = join(__dirname, '..', '..');
const spec = JSON.parse(readFileSync(join(ROOT, 'spec', 'webhook-schemas.json'), 'utf8'));
const fixtureText = (type: string) => readFileSync(join(ROOT, 'fixtures', `${type}.json`), 'utf8');
const fixtures: Record<string, unknown> = Object.fromEntries(
  readdirSync(join(ROOT, 'fixtures'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(ROOT, 'fixtures', f), 'utf8'))]),
);

type Guard = (value: unknown) => boolean;
type Schema = z.ZodType;
type Node = Record<string, unknown> | unknown[];

// ── the pairs: every exported schema has a guard of the same name, and the other way round ──
const schemaExports = schemas as unknown as Record<string, Schema>;
const guardExports = guards as unknown as Record<string, Guard>;
const PAIRS = Object.keys(schemaExports)
  .filter((name) => name.endsWith('Schema'))
  .sort()
  .map((name) => {
    const base = name.slice(0, -'Schema'.length);
    return { base, schema: schemaExports[name]!, guard: guardExports[`is${base}`]! };
  });
const nameOfSchema = new Map<unknown, string>(PAIRS.map((p) => [p.schema, p.base]));
const accepts = (schema: Schema, value: unknown): boolean => schema.safeParse(value).success;

// What the open unions dispatch on, read from the schemas themselves.
interface OpenUnionDef {
  discriminator: string | string[];
  flag?: string;
  options: Record<string, Schema>;
}
const openUnionOf = (schema: Schema): OpenUnionDef | undefined =>
  (schema as unknown as { _zod: { def: { openUnion?: OpenUnionDef } } })._zod.def.openUnion;
const OPEN_UNIONS = PAIRS.map((p) => openUnionOf(p.schema)).filter((u): u is OpenUnionDef => u !== undefined);
const TAG_KEYS = [
  ...new Set(OPEN_UNIONS.map((u) => (Array.isArray(u.discriminator) ? u.discriminator.at(-1)! : u.discriminator))),
].sort();
const FLAG_KEYS = [...new Set(OPEN_UNIONS.flatMap((u) => (u.flag ? [u.flag] : [])))].sort();

// Strings worth trying wherever a string is: every enum value and constant of the spec, and every
// key of an open union's table (`legacy:fixed` included).
const specStrings = new Set<string>();
const collectStrings = (node: unknown): void => {
  if (Array.isArray(node)) return node.forEach(collectStrings);
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.enum)) for (const v of record.enum) if (typeof v === 'string') specStrings.add(v);
  if (typeof record.const === 'string') specStrings.add(record.const);
  for (const [key, value] of Object.entries(record))
    if (key !== 'examples' && key !== 'description') collectStrings(value);
};
collectStrings(spec.$defs);
for (const union of OPEN_UNIONS) for (const key of Object.keys(union.options)) specStrings.add(key);
const STRING_POOL = [...specStrings].sort();
const TAG_POOL = [...new Set(OPEN_UNIONS.flatMap((u) => Object.keys(u.options)))].sort();

// ── values built from the spec (an independent reading of the same source the schemas come from) ──
const SPEC_DEFS: Record<string, Record<string, unknown>> = spec.$defs;
const jsonLeaf = fc.jsonValue({ maxDepth: 1 });
const specArbitraries = fc.letrec<Record<string, unknown>>((tie) => {
  const of = (node: unknown): fc.Arbitrary<unknown> => {
    if (node === true || node === undefined || node === null || typeof node !== 'object') return jsonLeaf;
    const n = node as Record<string, any>;
    if (typeof n.$ref === 'string') return tie(n.$ref.replace('#/$defs/', ''));
    if (n.const !== undefined) return fc.constant(n.const);
    if (Array.isArray(n.enum)) return fc.constantFrom(...n.enum);
    const members = n.oneOf ?? n.anyOf;
    if (Array.isArray(members)) return fc.oneof({ maxDepth: 2 }, ...members.map(of));
    switch (n.type) {
      case 'string':
        return fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...STRING_POOL));
      case 'integer':
        return fc.integer({ min: -10, max: 100_000 });
      case 'number':
        return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        if (Array.isArray(n.prefixItems)) return fc.tuple(...n.prefixItems.map(of));
        return fc.array(of(n.items), { maxLength: 2 });
      case 'object':
        if (n.properties) {
          const shape = Object.fromEntries(
            Object.entries(n.properties as Record<string, unknown>).map(([k, v]) => [k, of(v)]),
          );
          return fc.record(shape, { requiredKeys: (n.required ?? []) as string[] });
        }
        return fc.dictionary(
          fc.string({ maxLength: 4 }),
          n.additionalProperties === undefined ? jsonLeaf : of(n.additionalProperties),
          {
            maxKeys: 3,
          },
        );
      default:
        return jsonLeaf;
    }
  };
  return Object.fromEntries(Object.keys(SPEC_DEFS).map((name) => [name, of(SPEC_DEFS[name])]));
});

/** Values for a schema: from its spec $def, or (for the unions the generator names) from its branches. */
function valuesFor(base: string, schema: Schema): fc.Arbitrary<unknown> {
  if (SPEC_DEFS[base]) return specArbitraries[base]!;
  const options = (schema as unknown as { _zod: { def: { options?: Schema[] } } })._zod.def.options ?? [];
  const known = options
    .map((o) => nameOfSchema.get(o))
    .filter((n): n is string => n !== undefined && SPEC_DEFS[n] !== undefined);
  if (known.length > 0) return fc.oneof(...known.map((n) => specArbitraries[n]!));
  return fc.oneof(fc.constantFrom(...STRING_POOL), jsonLeaf);
}

// ── mutations ──
const ODD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1.5,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  true,
  false,
  [],
  {},
  ['fixed'],
  ['custom'],
];
/** A fresh copy each time: a later mutation may change the object it was written into. */
const odd = (n: number): unknown => structuredClone(ODD_VALUES[n % ODD_VALUES.length]);
const MUTATION_KINDS = [
  'drop', // delete a key (required or optional), or an element of an array
  'null',
  'odd', // a wrong primitive, undefined, NaN, ±Infinity, an empty array or object
  'json', // any JSON value
  'addKey', // an unknown key, anywhere
  'string', // another string: a known enum value or tag, or a random one
  'retag', // a union tag set to a known, a known-but-wrong, an unknown or a non-string value
  'flag', // a legacy flag set, cleared, removed or made a non-boolean
  'emptyArray',
  'badElement', // one element of an array replaced
  'hole', // an element of an array deleted, leaving a hole
  'graft', // a node replaced by another node of the same value (a known shape in the wrong place)
  'exotic', // a symbol key, a non-enumerable key, a null prototype
] as const;
type MutationKind = (typeof MUTATION_KINDS)[number];
interface Mutation {
  kind: MutationKind;
  pick: number;
  other: number;
  json: unknown;
  text: string;
}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...MUTATION_KINDS),
  pick: fc.nat(),
  other: fc.nat(),
  json: fc.jsonValue({ maxDepth: 2 }),
  text: fc.oneof(
    fc.constantFrom(...STRING_POOL),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', ...FLAG_KEYS),
  ),
});

interface Slot {
  parent: Node;
  key: string | number;
}
/** Every place in a tree a value sits, the root (in its holder) included. */
function slotsOf(holder: { root: unknown }): Slot[] {
  const slots: Slot[] = [{ parent: holder as unknown as Node, key: 'root' }];
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        slots.push({ parent: value, key: i });
        visit(item);
      });
    } else {
      for (const key of Object.keys(value)) {
        slots.push({ parent: value as Record<string, unknown>, key });
        visit((value as Record<string, unknown>)[key]);
      }
    }
  };
  visit(holder.root);
  return slots;
}
const read = (slot: Slot): unknown => (slot.parent as Record<string | number, unknown>)[slot.key];
const write = (slot: Slot, value: unknown): void => {
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
};
const cloneJson = <T>(value: T): T => structuredClone(value);

function applyMutation(holder: { root: unknown }, m: Mutation): void {
  const slots = slotsOf(holder);
  const slot = slots[m.pick % slots.length]!;
  const objects = slots.map(read).filter((v): v is Record<string, unknown> => isObject(v));
  const arrays = slots.map(read).filter((v): v is unknown[] => Array.isArray(v));
  const pickFrom = <T>(list: T[]): T | undefined => (list.length ? list[m.other % list.length] : undefined);
  switch (m.kind) {
    case 'drop':
      if (slot.parent === (holder as unknown)) return;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete (slot.parent as Record<string, unknown>)[slot.key];
      return;
    case 'null':
      return write(slot, null);
    case 'odd':
      return write(slot, odd(m.other));
    case 'json':
      return write(slot, m.json);
    case 'addKey': {
      const target = pickFrom(objects);
      // defined, not assigned: an own "__proto__" key, as JSON.parse makes it
      if (target)
        Object.defineProperty(target, m.text, { value: m.json, enumerable: true, writable: true, configurable: true });
      return;
    }
    case 'string': {
      const strings = slots.filter((s) => typeof read(s) === 'string');
      const target = pickFrom(strings);
      if (target) write(target, m.text);
      return;
    }
    case 'retag': {
      const tagged = slots.filter((s) => !Array.isArray(s.parent) && TAG_KEYS.includes(String(s.key)));
      const target = pickFrom(tagged);
      const choice = m.pick % 3;
      if (target)
        write(target, choice === 0 ? m.text : choice === 1 ? TAG_POOL[m.other % TAG_POOL.length] : odd(m.other));
      return;
    }
    case 'flag': {
      const priced = objects.filter((o) => TAG_KEYS.some((k) => k in o));
      const target = pickFrom(priced);
      if (!target) return;
      const flag = FLAG_KEYS[m.pick % Math.max(FLAG_KEYS.length, 1)] ?? 'legacy';
      const choice = m.pick % 5;
      if (choice === 0) delete target[flag];
      else target[flag] = [true, false, 'true', null][choice - 1];
      return;
    }
    case 'emptyArray': {
      const target = pickFrom(arrays);
      if (target) target.length = 0;
      return;
    }
    case 'badElement': {
      const target = pickFrom(arrays);
      if (target && target.length) target[m.pick % target.length] = m.pick % 2 ? m.json : odd(m.pick);
      else if (target) target.push(m.json);
      return;
    }
    case 'hole': {
      const target = pickFrom(arrays.filter((a) => a.length > 0));
      if (target) delete target[m.pick % target.length];
      return;
    }
    case 'graft': {
      const source = slots[m.other % slots.length]!;
      return write(slot, cloneJson(read(source)));
    }
    case 'exotic': {
      const target = pickFrom(objects);
      if (!target) return;
      const choice = m.pick % 4;
      if (choice === 0) (target as Record<symbol, unknown>)[Symbol('extra')] = m.json;
      else if (choice === 1)
        Object.defineProperty(target, m.text || 'hidden', {
          value: { odd: true },
          enumerable: false,
          writable: true,
          configurable: true,
        });
      else if (choice === 2) Object.setPrototypeOf(target, null);
      else Object.setPrototypeOf(target, { [m.text || 'inherited']: { odd: true } }); // an enumerable inherited key
      return;
    }
  }
}

const mutated = (value: unknown, mutations: Mutation[]): unknown => {
  const holder = { root: cloneJson(value) };
  for (const m of mutations) applyMutation(holder, m);
  return holder.root;
};

/** What a differential run saw: a run that only ever rejects (or accepts) proves little. */
interface Tally {
  accepted: number;
  rejected: number;
}
type Outcome = boolean | 'throws';
const outcome = (decide: () => boolean): Outcome => {
  try {
    return decide();
  } catch {
    return 'throws';
  }
};
/**
 * The differential itself: the guard answers exactly as zod does. Where zod itself throws (a tag
 * without a string form under a set `legacy` flag), the guard must throw too, so that parseEvent
 * behaves as zod alone did.
 */
const agree = (guard: Guard, schema: Schema, value: unknown, tally?: Tally): void => {
  const expected = outcome(() => accepts(schema, value));
  const actual = outcome(() => guard(value));
  if (actual !== expected) {
    throw new Error(`guard says ${actual}, zod says ${expected} for ${inspect(value)}`);
  }
  if (tally && expected !== 'throws') tally[expected ? 'accepted' : 'rejected'] += 1;
};
const inspect = (value: unknown): string => {
  try {
    const text = JSON.stringify(value, (_k, v) =>
      v === undefined ? '<undefined>' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    );
    return text.length > 600 ? `${text.slice(0, 600)}…` : text;
  } catch {
    return String(value);
  }
};

/** Runs the differential on `values`, each with up to three mutations; returns what zod answered. */
const differential = (
  guard: Guard,
  schema: Schema,
  values: fc.Arbitrary<unknown>,
  numRuns: number,
  seed?: number,
): Tally => {
  const tally: Tally = { accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(values, fc.array(mutationArb, { minLength: 0, maxLength: 3 }), (value, mutations) => {
      agree(guard, schema, mutated(value, mutations), tally);
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
  return tally;
};

describe('the generated guards', () => {
  it('exist for every exported schema, and every guard has its schema', () => {
    expect(PAIRS.length).toBeGreaterThan(200);
    for (const pair of PAIRS) expect(typeof pair.guard, `is${pair.base}`).toBe('function');
    const guardNames = Object.keys(guardExports).filter((n) => n !== 'EVENT_GUARDS');
    expect(guardNames.sort()).toEqual(PAIRS.map((p) => `is${p.base}`).sort());
    expect(Object.keys(guards.EVENT_GUARDS).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      expect(guards.EVENT_GUARDS[type]).toBe(guardExports[`is${nameOfSchema.get(EVENT_SCHEMAS[type])}`]);
    }
  });

  it('the generated code uses no eval, Function or closures made per call', () => {
    const text = readFileSync(join(ROOT, 'src', 'events', 'generated', 'guards.ts'), 'utf8');
    const code = text.replace(/^export const EVENT_GUARDS: .*$/m, ''); // its type annotation holds the one arrow
    expect(code).not.toMatch(/\beval\b|\bFunction\(|=>|\bfunction\s*\(/);
    expect(code).toMatch(/^export function isOrder\(value: unknown\): value is T\.Order \{$/m);
  });

  it.each(EVENT_TYPES)('accept the %s fixture, and so does zod', (type) => {
    const payload = fixtures[type];
    expect(guards.EVENT_GUARDS[type](payload)).toBe(true);
    expect(EVENT_SCHEMAS[type].safeParse(payload).success).toBe(true);
  });

  it.each(EVENT_TYPES)('%s: agree with zod on mutations of the fixture', (type) => {
    const payload = fixtures[type];
    const tally = differential(guards.EVENT_GUARDS[type], EVENT_SCHEMAS[type], fc.constant(payload), 120);
    expect(tally.accepted).toBeGreaterThan(10);
    expect(tally.rejected).toBeGreaterThan(10);
  });

  it('agree with zod on payloads of every event type built from the spec, as they are and mutated', () => {
    const total: Tally = { accepted: 0, rejected: 0 };
    for (const type of EVENT_TYPES) {
      const base = nameOfSchema.get(EVENT_SCHEMAS[type])!;
      const tally = differential(guards.EVENT_GUARDS[type], EVENT_SCHEMAS[type], specArbitraries[base]!, 25);
      total.accepted += tally.accepted;
      total.rejected += tally.rejected;
    }
    expect(total.accepted).toBeGreaterThan(200);
    expect(total.rejected).toBeGreaterThan(200);
  });

  it('agree with zod for every model on its own (every branch, the recursive filter, the legacy prices)', () => {
    const total: Tally = { accepted: 0, rejected: 0 };
    for (const { base, schema, guard } of PAIRS) {
      try {
        const tally = differential(guard, schema, valuesFor(base, schema), 25);
        total.accepted += tally.accepted;
        total.rejected += tally.rejected;
      } catch (error) {
        throw new Error(`${base}: ${(error as Error).message}`);
      }
    }
    expect(total.accepted).toBeGreaterThan(1000);
    expect(total.rejected).toBeGreaterThan(1000);
  });

  it('agree with zod for every model on values of the wrong kind', () => {
    for (const { guard, schema } of PAIRS) for (let i = 0; i < ODD_VALUES.length; i++) agree(guard, schema, odd(i));
  });

  it('agree on the corners of each rule', () => {
    const { isAnyProductPrice, isMetadataOutputType, isMeterAggregation, isFilter, isBenefitGrantWebhook } = guards;
    const price = (fixtures['subscription.updated'] as any).data.product.prices[0];
    const legacy = (fixtures['subscription.updated'] as any).data.product.prices.find((p: any) => p.legacy === true);
    expect(legacy, 'a fixture with a legacy price').toBeDefined();
    const deep = (depth: number): unknown =>
      depth === 0
        ? { property: 'p', operator: 'eq', value: 1 }
        : { conjunction: 'and', clauses: [deep(depth - 1), { property: 'q', operator: 'ne', value: true }] };
    const cases: [Guard, Schema, unknown][] = [
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, { a: 1, b: 'x', c: false }],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, { a: Number.NaN }],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, { a: null }],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, JSON.parse('{"__proto__": {"polluted": true}}')],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, Object.create(null)],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, { [Symbol('s')]: 1 }],
      [
        isMetadataOutputType,
        schemas.MetadataOutputTypeSchema,
        Object.defineProperty({}, 'hidden', { value: {}, enumerable: false }),
      ],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, new Date()],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, { constructor: 'a string' }],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, Object.create({ inherited: { odd: true } })],
      [
        isMetadataOutputType,
        schemas.MetadataOutputTypeSchema,
        Object.assign(Object.create({ a: 1 }), { a: { odd: true } }),
      ],
      [isMetadataOutputType, schemas.MetadataOutputTypeSchema, []],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, price],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, legacy],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...legacy, legacy: false }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...legacy, legacy: undefined }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...price, legacy: true }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...legacy, amount_type: 'legacy:fixed' }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...price, amount_type: 'legacy:fixed' }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...legacy, amount_type: [legacy.amount_type] }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...price, amount_type: 'tiered' }],
      [isAnyProductPrice, schemas.AnyProductPriceSchema, { ...price, amount_type: 7 }],
      [isMeterAggregation, schemas.MeterAggregationSchema, {}],
      [isMeterAggregation, schemas.MeterAggregationSchema, { func: 'sum' }],
      [isMeterAggregation, schemas.MeterAggregationSchema, { func: 'sum', property: 'tokens' }],
      [isMeterAggregation, schemas.MeterAggregationSchema, { func: 'median' }],
      [isFilter, schemas.FilterSchema, deep(6)],
      [
        isFilter,
        schemas.FilterSchema,
        { conjunction: 'and', clauses: [deep(3), { property: 'p', operator: 'eq', value: Number.POSITIVE_INFINITY }] },
      ],
      [isFilter, schemas.FilterSchema, { conjunction: 'and', clauses: [, deep(1)] }],
      [
        isBenefitGrantWebhook,
        schemas.BenefitGrantWebhookSchema,
        { ...(fixtures['benefit_grant.created'] as any).data, benefit: null },
      ],
    ];
    const tally: Tally = { accepted: 0, rejected: 0 };
    for (const [guard, schema, value] of cases) agree(guard, schema, value, tally);
    expect(tally.accepted).toBeGreaterThan(5);
    expect(tally.rejected).toBeGreaterThan(5);
  });
});

describe('the differential can fail', () => {
  // Guards with the bugs a hand-written checker typically has; the same harness must catch each.
  const order = {
    guard: guards.EVENT_GUARDS['order.paid'],
    schema: EVENT_SCHEMAS['order.paid'],
    payload: fixtures['order.paid'],
  };
  const replaceDeep = (value: unknown, fix: (v: unknown) => unknown): unknown => {
    const fixed = fix(value);
    if (Array.isArray(fixed)) return fixed.map((v) => replaceDeep(v, fix));
    if (isObject(fixed)) return Object.fromEntries(Object.entries(fixed).map(([k, v]) => [k, replaceDeep(v, fix)]));
    return fixed;
  };
  const hasUndefined = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(hasUndefined)
      : isObject(value)
        ? Object.values(value).some((v) => v === undefined || hasUndefined(v))
        : false;

  /** The disagreement the differential reports for a guard, or undefined when it finds none. */
  const disagreement = (guard: Guard, schema: Schema, values: fc.Arbitrary<unknown>): string | undefined => {
    try {
      differential(guard, schema, values, 3000, 7);
      return undefined;
    } catch (error) {
      return String((error as Error).cause ?? error);
    }
  };

  it('catches a guard that takes typeof "number" for z.number() (NaN and Infinity slip through)', () => {
    const sloppy: Guard = (v) =>
      order.guard(v) || order.guard(replaceDeep(v, (x) => (typeof x === 'number' && !Number.isFinite(x) ? 0 : x)));
    expect(disagreement(sloppy, order.schema, fc.constant(order.payload))).toMatch(/guard says true, zod says false/);
  });

  it('catches a guard stricter than zod (an optional field present but undefined)', () => {
    const strict: Guard = (v) => order.guard(v) && !hasUndefined(v);
    expect(disagreement(strict, order.schema, fc.constant(order.payload))).toMatch(/guard says false, zod says true/);
  });

  it('catches an open union that sends a `legacy:` tag to the fallback', () => {
    const price = guards.isAnyProductPrice;
    const naive: Guard = (v) =>
      isObject(v) && typeof v.amount_type === 'string' && v.amount_type.startsWith('legacy:') ? true : price(v);
    const prices = fc.constantFrom(...(fixtures['subscription.updated'] as any).data.product.prices);
    expect(disagreement(naive, schemas.AnyProductPriceSchema, prices)).toMatch(/guard says true, zod says false/);
  });

  it('finds nothing to report on the real guards with the same runs', () => {
    expect(disagreement(order.guard, order.schema, fc.constant(order.payload))).toBeUndefined();
  });
});

describe('parseEvent on the fast path', () => {
  it.each(EVENT_TYPES)('%s: the event is the parsed JSON itself, equal to what zod would return', (type) => {
    const text = fixtureText(type);
    const json = JSON.parse(text);
    const zodOutput = EVENT_SCHEMAS[type].parse(JSON.parse(text));
    // the schemas transform nothing: zod's output is the input, key for key
    expect(zodOutput).toStrictEqual(json);
    expect(parseEvent(text)).toStrictEqual(json);
    expect(parseEvent(text)).toStrictEqual(zodOutput);
    const given = JSON.parse(text);
    expect(parseEvent(given)).toBe(given);
  });

  it("an invalid payload still gets zod's issues", () => {
    const payload = structuredClone(fixtures['order.paid']) as any;
    payload.data.total_amount = 'ten';
    const result = safeParseEvent(payload);
    expect(result.success).toBe(false);
    if (!result.success)
      expect(result.error).toMatchObject({ code: 'invalid_payload', issues: [{ path: ['data', 'total_amount'] }] });
  });
});

describe('parseEvent when a guard turns a payload down', () => {
  afterEach(() => {
    vi.doUnmock('../../src/events/generated/guards');
    vi.resetModules();
  });

  const withGuards = async (replace: (guard: Guard) => Guard) => {
    vi.resetModules();
    vi.doMock('../../src/events/generated/guards', async (importOriginal) => {
      const original = await importOriginal<typeof guards>();
      const replaced = Object.fromEntries(
        Object.entries(original.EVENT_GUARDS).map(([type, guard]) => [type, replace(guard)]),
      );
      return { ...original, EVENT_GUARDS: replaced };
    });
    return import('../../src/events/parse');
  };

  it('zod has the last word: what the guard rejects but zod accepts is accepted (as zod returns it)', async () => {
    const calls: string[] = [];
    const { parseEvent: parse } = await withGuards(() => (value) => {
      calls.push((value as { type: string }).type);
      return false;
    });
    for (const type of EVENT_TYPES) {
      const given = JSON.parse(fixtureText(type));
      const event = parse(given);
      expect(event).toStrictEqual(given);
      expect(event).not.toBe(given);
    }
    expect(calls).toEqual([...EVENT_TYPES]);
  });

  it('a guard that throws leaves the decision to zod', async () => {
    const { safeParseEvent: safeParse } = await withGuards(() => () => {
      throw new TypeError('a getter threw');
    });
    expect(safeParse(fixtureText('customer.created')).success).toBe(true);
    expect(safeParse('{"type":"customer.created"}').success).toBe(false);
  });
});

describe('the runtime helpers match zod on their own', () => {
  it('isObject and isPlainObject decide as zod does', () => {
    class Thing {}
    const values: unknown[] = [
      {},
      Object.create(null),
      [],
      null,
      undefined,
      'x',
      1,
      new Thing(),
      new Date(),
      new Map(),
      { constructor: 1 },
      { constructor: null },
      { constructor: () => {} },
      { constructor: function named() {} },
      { constructor: Object.assign(function bare() {}, { prototype: null }) },
      Object.create({ constructor: { prototype: 1 } }),
      Object.create(Object.create(null)),
    ];
    const answers = new Set<string>();
    for (const value of values) {
      expect(isObject(value)).toBe(z.core.util.isObject(value));
      expect(isPlainObject(value)).toBe(z.core.util.isPlainObject(value));
      answers.add(`${isObject(value)}/${isPlainObject(value)}`);
    }
    expect([...answers].sort()).toEqual(['false/false', 'true/false', 'true/true']);
  });

  it('hasEnumerableSymbol: own enumerable symbol keys only', () => {
    const hidden = Symbol('hidden');
    const shown = Symbol('shown');
    expect(hasEnumerableSymbol({ [shown]: 1 })).toBe(true);
    expect(hasEnumerableSymbol(Object.defineProperty({}, hidden, { value: 1, enumerable: false }))).toBe(false);
    expect(hasEnumerableSymbol(Object.create({ [shown]: 1 }))).toBe(false);
    expect(hasEnumerableSymbol({ shown: 1 })).toBe(false);
    expect(hasEnumerableSymbol(Object.defineProperty({ [shown]: 1 }, hidden, { value: 1, enumerable: false }))).toBe(
      true,
    );
  });
});
