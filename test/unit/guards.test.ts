/**
 * The generated guards against zod, the single source of truth: for every API version and every
 * declaration, `isX(value, VERSION_BITS[version])` must equal that version's `XSchema.safeParse(value).success`,
 * and the issues the guard reports must sit at the paths zod reports (as parseEvent flattens them),
 * in the same order — on the fixtures, on values built from the spec, and on tens of thousands of
 * mutations of both, under each zod line the package supports. parseEvent returns what the guard
 * accepts as is, so the tests also prove that zod's output for an accepted payload equals the payload.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';

import { API_VERSIONS, type PolarApiVersion } from '../../src/events/api-version';
import { EVENT_TYPES, type PolarWebhookEventType } from '../../src/events/catalogue';
import * as guards from '../../src/events/generated/guards';
import { EVENT_GUARDS, VERSION_BITS } from '../../src/events/generated/guards';
import { EVENT_SCHEMAS, MODEL_SCHEMAS } from '../../src/events/generated/schemas';
import { createIssueSink, MAX_ISSUES, type Guard } from '../../src/events/guard-issues';
import { hasEnumerableSymbol, isObject, isPlainObject } from '../../src/events/guards-runtime';
import { flattenZodIssues, parseEvent, safeParseEvent } from '../../src/events/parse';
import { fixturesOf, fixtureText, ROOT, SPEC_VERSIONS, specOf } from '../helpers/event-data';
import {
  inspect,
  JSON_MUTATION_KINDS,
  MUTATION_KINDS,
  mutated,
  mutationArb,
  ODD_COUNT,
  odd,
  type MutationKind,
  type MutationPools,
} from '../helpers/mutations';
import { specArbitraries, specStrings } from '../helpers/spec-values';
import { ZOD_LINES, schemasOnLine, type SchemasOnLine } from '../helpers/zod-lines';

type Schema = z.ZodType;
const guardExports = guards as unknown as Record<string, Guard | undefined>;

// ── what zod and the guards say about a value ──
type Verdict = { accepted: true } | { accepted: false; paths: string[] } | { accepted: 'throws' };

const zodVerdict = (schema: { safeParse(value: unknown): z.ZodSafeParseResult<unknown> }, value: unknown): Verdict => {
  try {
    const result = schema.safeParse(value);
    if (result.success) return { accepted: true };
    const issues = flattenZodIssues(result.error.issues, []).slice(0, MAX_ISSUES);
    return { accepted: false, paths: issues.map((i) => JSON.stringify(i.path)) };
  } catch {
    return { accepted: 'throws' };
  }
};

const guardVerdict = (guard: Guard, bit: number, value: unknown): Verdict => {
  try {
    if (guard(value, bit)) return { accepted: true };
    const sink = createIssueSink();
    guard(value, bit, sink);
    return { accepted: false, paths: sink.list.issues.map((i) => JSON.stringify(i.path)) };
  } catch {
    return { accepted: 'throws' };
  }
};

interface Tally {
  accepted: number;
  rejected: number;
  issues: number;
}
const newTally = (): Tally => ({ accepted: 0, rejected: 0, issues: 0 });

/**
 * The differential itself: the guard answers exactly as zod does, and explains a rejection with
 * issues at zod's paths. Where zod itself throws (a symbol tag under a set `legacy` flag), the
 * guard must throw too, so that parseEvent behaves as zod alone did.
 */
function agree(guard: Guard, bit: number, schema: Schema, value: unknown, tally?: Tally, issues = true): void {
  const expected = zodVerdict(schema, value);
  const actual = guardVerdict(guard, bit, value);
  if (actual.accepted !== expected.accepted) {
    throw new Error(`guard says ${actual.accepted}, zod says ${expected.accepted} for ${inspect(value)}`);
  }
  if (issues && expected.accepted === false && actual.accepted === false) {
    if (JSON.stringify(actual.paths) !== JSON.stringify(expected.paths)) {
      throw new Error(
        `guard reports ${actual.paths.join(' ')}, zod reports ${expected.paths.join(' ')} for ${inspect(value)}`,
      );
    }
    if (tally) tally.issues += expected.paths.length;
  }
  if (tally && expected.accepted !== 'throws') tally[expected.accepted ? 'accepted' : 'rejected'] += 1;
}

// ── per version: the fixtures, the spec, the pools of strings and tags ──
interface OpenUnionDef {
  discriminator: string | string[];
  flag?: string;
  options: Record<string, Schema>;
}
const openUnionOf = (schema: Schema): OpenUnionDef | undefined =>
  (schema as unknown as { _zod: { def: { openUnion?: OpenUnionDef } } })._zod.def.openUnion;

interface VersionData {
  version: PolarApiVersion;
  bit: number;
  fixtures: Record<string, Record<string, unknown>>;
  spec: ReturnType<typeof specOf>;
  arbitraries: ReturnType<typeof specArbitraries>;
  pools: MutationPools;
  /** Declaration name → its schema (from MODEL_SCHEMAS) and guard; enums have no guard. */
  pairs: { name: string; schema: Schema; guard: Guard | undefined }[];
}

function versionData(version: PolarApiVersion): VersionData {
  const spec = specOf(version);
  const models = MODEL_SCHEMAS[version] as unknown as Record<string, Schema>;
  const pairs = Object.entries(models)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, schema]) => ({ name, schema, guard: guardExports[`is${name}`] }));
  const unions = pairs.map((p) => openUnionOf(p.schema)).filter((u): u is OpenUnionDef => u !== undefined);
  const strings = new Set(specStrings(spec));
  for (const union of unions) for (const key of Object.keys(union.options)) strings.add(key);
  const pools: MutationPools = {
    strings: [...strings].sort(),
    tags: [...new Set(unions.flatMap((u) => Object.keys(u.options)))].sort(),
    tagKeys: [
      ...new Set(unions.map((u) => (Array.isArray(u.discriminator) ? u.discriminator.at(-1)! : u.discriminator))),
    ].sort(),
    flagKeys: [...new Set(unions.flatMap((u) => (u.flag ? [u.flag] : [])))].sort(),
  };
  return {
    version,
    bit: VERSION_BITS[version],
    fixtures: fixturesOf(version),
    spec,
    arbitraries: specArbitraries(spec, pools.strings),
    pools,
    pairs,
  };
}
const DATA = Object.fromEntries(API_VERSIONS.map((v) => [v, versionData(v)])) as Record<PolarApiVersion, VersionData>;

/** Runs the differential on `values`, each with up to three mutations. */
function differential(
  data: VersionData,
  guard: Guard,
  schema: Schema,
  values: fc.Arbitrary<unknown>,
  numRuns: number,
  options: { seed?: number; kinds?: readonly MutationKind[]; skip?: (value: unknown) => boolean } = {},
): Tally {
  const tally = newTally();
  fc.assert(
    fc.property(
      values,
      fc.array(mutationArb(data.pools, options.kinds), { minLength: 0, maxLength: 3 }),
      (value, mutations) => {
        const input = mutated(value, mutations, data.pools);
        if (options.skip?.(input)) return;
        agree(guard, data.bit, schema, input, tally);
      },
    ),
    { numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  return tally;
}

/** A payload of any event type: its fixture, or one built from the spec. */
function anyPayload(data: VersionData): fc.Arbitrary<[PolarWebhookEventType, unknown]> {
  return fc.constantFrom(...EVENT_TYPES).chain((type) => {
    const def = data.spec['x-event-types'][type] as string;
    return fc.tuple(
      fc.constant(type),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(data.fixtures[type]) },
        { weight: 1, arbitrary: data.arbitraries[def]! },
      ),
    );
  });
}

describe('the generated guards', () => {
  it('cover every version of the specs, one bit each', () => {
    expect([...API_VERSIONS]).toEqual([...SPEC_VERSIONS]);
    const bits = API_VERSIONS.map((v) => VERSION_BITS[v]);
    expect(new Set(bits).size).toBe(API_VERSIONS.length);
    for (const bit of bits) expect(bit & (bit - 1)).toBe(0);
  });

  it.each(API_VERSIONS)('%s: every declaration has a guard (enums are checked as strings in place)', (version) => {
    const { pairs } = DATA[version];
    expect(pairs.length).toBeGreaterThan(200);
    for (const { name, schema, guard } of pairs) {
      if (guard) continue;
      // an enum: any string
      expect(schema.safeParse('anything').success, name).toBe(true);
      expect(schema.safeParse(1).success, name).toBe(false);
    }
    expect(pairs.filter((p) => !p.guard).length).toBeLessThan(pairs.length / 4);
    expect(Object.keys(EVENT_GUARDS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('the generated code uses no eval, Function or closures made per call', () => {
    const text = readFileSync(join(ROOT, 'src', 'events', 'generated', 'guards.ts'), 'utf8');
    const code = text.replace(/^export const EVENT_GUARDS: \{[\s\S]*?\n\} = \{/m, ''); // its type annotation holds the one arrow
    expect(code).not.toMatch(/\beval\b|\bFunction\(|=>|\bfunction\s*\(/);
    expect(code).toMatch(/^export function isOrder\(value: unknown, v: number, c\?: IssueSink\): boolean \{$/m);
  });

  it('declarations the versions share are emitted once: one guard per declaration, whatever the versions', () => {
    const text = readFileSync(join(ROOT, 'src', 'events', 'generated', 'guards.ts'), 'utf8');
    const names = [...text.matchAll(/^export function (is\w+)\(/gm)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    expect(names.some((n) => /_20\d\d_\d\d$/.test(n!))).toBe(false);
  });

  describe.each(API_VERSIONS)('API version %s', (version) => {
    const data = DATA[version];

    it.each(EVENT_TYPES)('accept the %s fixture, and so does zod', (type) => {
      const payload = data.fixtures[type];
      expect(EVENT_GUARDS[type](payload, data.bit)).toBe(true);
      expect(EVENT_SCHEMAS[version][type].safeParse(payload).success).toBe(true);
    });

    it('agree with zod for every model on its own (every branch, the recursive filter, the legacy prices)', () => {
      const total = newTally();
      for (const { name, schema, guard } of data.pairs) {
        if (!guard) continue;
        const values = data.arbitraries[name] ?? fc.oneof(fc.constantFrom(...data.pools.strings), fc.jsonValue());
        try {
          const tally = differential(data, guard, schema, values, 20);
          total.accepted += tally.accepted;
          total.rejected += tally.rejected;
        } catch (error) {
          throw new Error(`${name}: ${(error as Error).message}`);
        }
      }
      expect(total.accepted).toBeGreaterThan(1000);
      expect(total.rejected).toBeGreaterThan(1000);
    });

    it('agree with zod for every model on values of the wrong kind', () => {
      for (const { guard, schema } of data.pairs) {
        if (guard) for (let i = 0; i < ODD_COUNT; i++) agree(guard, data.bit, schema, odd(i));
      }
    });
  });
});

describe.each(ZOD_LINES)('the differential under $name', (line) => {
  let onLine: SchemasOnLine;
  beforeAll(async () => {
    onLine = await schemasOnLine(line);
  }, 120_000);
  const newest = line.package === 'zod';

  /**
   * What the older zod lines decide differently from the newest on input JSON can carry: a record
   * with an own `constructor` key is not a plain object to them (they read `constructor.prototype`),
   * so they reject `metadata: {"constructor": "x"}`, which the newest zod and the guards accept.
   */
  const olderLineDiffers = (value: unknown): boolean => {
    const seen = new Set<unknown>();
    const visit = (node: unknown): boolean => {
      if (!node || typeof node !== 'object' || seen.has(node)) return false;
      seen.add(node);
      if (!Array.isArray(node) && Object.hasOwn(node, 'constructor')) return true;
      return Object.values(node).some(visit);
    };
    return visit(value);
  };

  /**
   * Where the older lines report other issues (never another verdict): a tuple of the wrong length.
   * The newest zod reports a short tuple at the tuple, and a long one there and at its items; 3.25
   * and 4.0 report nothing at the tuple for one item short, only the missing item. The guards
   * report as the newest does.
   */
  const tupleLengths = (version: PolarApiVersion): Map<string, number> => {
    const found = new Map<string, number>();
    const visit = (node: unknown, key?: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (key && Array.isArray(n.prefixItems)) found.set(key, n.prefixItems.length);
      for (const [k, v] of Object.entries(n)) {
        if (k === 'properties' && v && typeof v === 'object')
          for (const [prop, child] of Object.entries(v)) visit(child, prop);
        else if (Array.isArray(v)) v.forEach((item) => visit(item, key));
        else visit(v, k === 'anyOf' || k === 'oneOf' ? key : undefined);
      }
    };
    visit(specOf(version).$defs);
    return found;
  };
  const wrongLengthTuple = (value: unknown, lengths: Map<string, number>): boolean => {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(value).some(
      ([key, child]) =>
        (Array.isArray(child) && lengths.has(key) && child.length !== lengths.get(key)) ||
        wrongLengthTuple(child, lengths),
    );
  };

  it.each(API_VERSIONS)(
    '%s: guards and zod agree on 10,000 mutated payloads of every event type (accepted, rejected, issue paths)',
    (version) => {
      const data = DATA[version];
      const schemas = onLine.schemas.EVENT_SCHEMAS[version] as unknown as Record<string, Schema>;
      const tally = newTally();
      const lengths = tupleLengths(version);
      expect(lengths.size).toBeGreaterThan(0);
      let skipped = 0;
      fc.assert(
        fc.property(
          anyPayload(data),
          fc.array(mutationArb(data.pools, newest ? MUTATION_KINDS : JSON_MUTATION_KINDS), {
            minLength: 0,
            maxLength: 3,
          }),
          ([type, payload], mutations) => {
            const input = mutated(payload, mutations, data.pools);
            if (!newest && olderLineDiffers(input)) {
              skipped += 1;
              return;
            }
            agree(
              EVENT_GUARDS[type],
              data.bit,
              schemas[type]!,
              input,
              tally,
              newest || !wrongLengthTuple(input, lengths),
            );
          },
        ),
        { numRuns: 10_000 },
      );
      expect(tally.accepted + tally.rejected + skipped).toBe(10_000);
      expect(skipped).toBeLessThan(500);
      expect(tally.accepted).toBeGreaterThan(1000);
      expect(tally.rejected).toBeGreaterThan(3000);
      expect(tally.issues).toBeGreaterThan(tally.rejected);
    },
    180_000,
  );

  it.each(API_VERSIONS)('%s: an own "__proto__" key anywhere is treated alike by the guards and by zod', (version) => {
    const data = DATA[version];
    const schemas = onLine.schemas.EVENT_SCHEMAS[version] as unknown as Record<string, Schema>;
    let placed = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_TYPES),
        fc.nat(),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
        (type, pick, value, escaped) => {
          // the key as a JSON body spells it (escaped or not), so JSON.parse makes it an own property
          const text = withProtoKeyAt(fixtureText(version, type), pick, value, escaped);
          const input: unknown = JSON.parse(text);
          if (!hasOwnProtoKey(input)) return;
          placed += 1;
          if (!newest && olderLineDiffers(input)) return;
          agree(EVENT_GUARDS[type], data.bit, schemas[type]!, input);
          const verdict = zodVerdict(schemas[type]!, input);
          const parsed = safeParseEvent(text);
          expect(parsed.success).toBe(verdict.accepted === true);
          const result = parsed.success ? parsed.event : (parsed.error as { payload: unknown }).payload;
          // what parseEvent hands on has no own __proto__ anywhere, and its prototypes are intact
          expect(hasOwnProtoKey(result)).toBe(false);
          expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
          if (parsed.success && newest) {
            // and it is what zod returns for the same payload, less the own __proto__ keys zod passes
            // through inside values it does not look at (the unknown keys of loose objects)
            const fromZod = schemas[type]!.parse(JSON.parse(text));
            const clean = JSON.parse(JSON.stringify(fromZod), (key, v) => (key === '__proto__' ? undefined : v));
            expect(parsed.event).toStrictEqual(clean);
          }
        },
      ),
      { numRuns: 400 },
    );
    expect(placed).toBeGreaterThan(200);
  });
});

/** Places `"__proto__": value` into the pick-th object of a JSON text, optionally escaped. */
function withProtoKeyAt(text: string, pick: number, value: unknown, escaped: boolean): string {
  const openings: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') openings.push(i);
  }
  const at = openings[pick % openings.length]!;
  const key = escaped ? '"\\u005f_proto__"' : '"__proto__"';
  const closes = /^\{\s*\}/.test(text.slice(at));
  return `${text.slice(0, at + 1)}${key}: ${JSON.stringify(value)}${closes ? '' : ','}${text.slice(at + 1)}`;
}

function hasOwnProtoKey(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some(hasOwnProtoKey);
}

describe('the corners of each rule', () => {
  const data = DATA[API_VERSIONS[API_VERSIONS.length - 1]!];
  const models = MODEL_SCHEMAS[data.version] as unknown as Record<string, Schema>;
  const guardOf = (name: string) => guardExports[`is${name}`]!;
  const sub = data.fixtures['subscription.updated'] as any;

  it('agree on records, prices, aggregations, filters and grants', () => {
    const price = sub.data.product.prices[0];
    const legacy = sub.data.product.prices.find((p: any) => p.legacy === true);
    expect(legacy, 'a fixture with a legacy price').toBeDefined();
    const deep = (depth: number): unknown =>
      depth === 0
        ? { property: 'p', operator: 'eq', value: 1 }
        : { conjunction: 'and', clauses: [deep(depth - 1), { property: 'q', operator: 'ne', value: true }] };
    const cases: [string, unknown][] = [
      ['MetadataOutputType', { a: 1, b: 'x', c: false }],
      ['MetadataOutputType', { a: Number.NaN }],
      ['MetadataOutputType', { a: null, b: {}, c: [] }],
      ['MetadataOutputType', JSON.parse('{"__proto__": {"polluted": true}}')],
      ['MetadataOutputType', Object.create(null)],
      ['MetadataOutputType', { [Symbol('s')]: 1 }],
      ['MetadataOutputType', Object.defineProperty({}, 'hidden', { value: {}, enumerable: false })],
      ['MetadataOutputType', new Date()],
      ['MetadataOutputType', { constructor: 'a string' }],
      ['MetadataOutputType', Object.create({ inherited: { odd: true } })],
      ['MetadataOutputType', Object.assign(Object.create({ a: 1 }), { a: { odd: true } })],
      ['MetadataOutputType', []],
      ['AnyProductPrice', price],
      ['AnyProductPrice', legacy],
      ['AnyProductPrice', { ...legacy, legacy: false }],
      ['AnyProductPrice', { ...legacy, legacy: undefined }],
      ['AnyProductPrice', { ...price, legacy: true }],
      ['AnyProductPrice', { ...legacy, amount_type: 'legacy:fixed' }],
      ['AnyProductPrice', { ...price, amount_type: 'legacy:fixed' }],
      ['AnyProductPrice', { ...legacy, amount_type: [legacy.amount_type] }],
      ['AnyProductPrice', { ...price, amount_type: 'tiered' }],
      ['AnyProductPrice', { ...price, amount_type: 7 }],
      ['AnyProductPrice', { ...legacy, price_amount: 'x', recurring_interval: 3 }],
      ['MeterAggregation', {}],
      ['MeterAggregation', { func: 'sum' }],
      ['MeterAggregation', { func: 'sum', property: 'tokens' }],
      ['MeterAggregation', { func: 'median' }],
      ['Filter', deep(6)],
      [
        'Filter',
        { conjunction: 'and', clauses: [deep(3), { property: 'p', operator: 'eq', value: Number.POSITIVE_INFINITY }] },
      ],
      ['Filter', { conjunction: 'and', clauses: [, deep(1)] }],
      ['Filter', { conjunction: 'or', clauses: [{ property: 1, operator: 'eq' }, { conjunction: 'and' }] }],
      ['BenefitGrantWebhook', { ...(data.fixtures['benefit_grant.created'] as any).data, benefit: null }],
      ['Discount', { ...(sub.data.discount as object), basis_points: 'x', duration_in_months: 'y' }],
      ['Discount', { type: 'percentage' }],
      ['Discount', 'a string'],
    ];
    const tally = newTally();
    for (const [name, value] of cases) {
      try {
        agree(guardOf(name), data.bit, models[name]!, value, tally);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
    expect(tally.accepted).toBeGreaterThan(5);
    expect(tally.rejected).toBeGreaterThan(10);
    expect(tally.issues).toBeGreaterThan(tally.rejected);
  });

  it('a payload with more problems than the sink holds stops at the limit and says there were more', () => {
    const order = structuredClone(data.fixtures['order.paid']) as any;
    order.data.items = Array.from({ length: 10_000 }, () => ({}));
    const sink = createIssueSink();
    EVENT_GUARDS['order.paid'](order, data.bit, sink);
    expect(sink.list.issues).toHaveLength(MAX_ISSUES);
    expect(sink.list.more).toBe(true);
    // the walk stopped: the last issue is in one of the first few items, not in the 10,000th
    expect(sink.list.issues.at(-1)!.path[2]).toBeLessThan(20);
    const small = createIssueSink(3);
    EVENT_GUARDS['order.paid'](order, data.bit, small);
    expect(small.list.issues).toHaveLength(3);
  });
});

describe('the differential can fail', () => {
  // Guards with the bugs a hand-written checker typically has; the same harness must catch each.
  const data = DATA[API_VERSIONS[0]];
  const order = {
    guard: EVENT_GUARDS['order.paid'],
    schema: EVENT_SCHEMAS[data.version]['order.paid'] as unknown as Schema,
    payload: data.fixtures['order.paid'],
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
      differential(data, guard, schema, values, 3000, { seed: 7 });
      return undefined;
    } catch (error) {
      return String((error as Error).cause ?? error);
    }
  };

  it('catches a guard that takes typeof "number" for z.number() (NaN and Infinity slip through)', () => {
    const sloppy: Guard = (v, bit, c) =>
      order.guard(v, bit, c) ||
      order.guard(
        replaceDeep(v, (x) => (typeof x === 'number' && !Number.isFinite(x) ? 0 : x)),
        bit,
      );
    expect(disagreement(sloppy, order.schema, fc.constant(order.payload))).toMatch(/guard says true, zod says false/);
  });

  it('catches a guard stricter than zod (an optional field present but undefined)', () => {
    const strict: Guard = (v, bit, c) => (c ? order.guard(v, bit, c) : order.guard(v, bit) && !hasUndefined(v));
    expect(disagreement(strict, order.schema, fc.constant(order.payload))).toMatch(/guard says false, zod says true/);
  });

  it('catches a guard that explains a rejection at the wrong place (the first issue only)', () => {
    const terse: Guard = (v, bit, c) => {
      if (!c) return order.guard(v, bit);
      order.guard(v, bit, c);
      c.list.issues.splice(1);
      return true;
    };
    expect(disagreement(terse, order.schema, fc.constant(order.payload))).toMatch(/guard reports .* zod reports/);
  });

  it('catches an open union that sends a `legacy:` tag to the fallback', () => {
    const models = MODEL_SCHEMAS[data.version] as unknown as Record<string, Schema>;
    const price = guardExports.isAnyProductPrice!;
    const naive: Guard = (v, bit, c) =>
      isObject(v) && typeof v.amount_type === 'string' && v.amount_type.startsWith('legacy:') ? true : price(v, bit, c);
    const prices = fc.constantFrom(...(data.fixtures['subscription.updated'] as any).data.product.prices);
    expect(disagreement(naive, models.AnyProductPrice!, prices)).toMatch(/guard says true, zod says false/);
  });

  it('finds nothing to report on the real guards with the same runs', () => {
    expect(disagreement(order.guard, order.schema, fc.constant(order.payload))).toBeUndefined();
  });
});

describe('parseEvent on the fast path', () => {
  describe.each(API_VERSIONS)('%s', (version) => {
    it.each(EVENT_TYPES)('%s: the event is the parsed JSON itself, equal to what zod would return', (type) => {
      const text = fixtureText(version, type);
      const json = JSON.parse(text);
      const zodOutput = EVENT_SCHEMAS[version][type].parse(JSON.parse(text));
      // the schemas transform nothing: zod's output is the input, key for key
      expect(zodOutput).toStrictEqual(json);
      expect(parseEvent(text)).toStrictEqual(json);
      const given = JSON.parse(text);
      expect(parseEvent(given)).toBe(given);
    });
  });

  it('parses without loading zod: the guards decide and explain', () => {
    const text = readFileSync(join(ROOT, 'src', 'events', 'parse.ts'), 'utf8');
    expect(text).not.toMatch(/^import (?!type)[^;]*'zod/m);
    expect(text).not.toMatch(/generated\/schemas/);
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
