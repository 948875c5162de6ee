import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';

import { API_VERSIONS, type PolarApiVersion } from '../../src/events/api-version';
import { EVENT_DATA_MODELS, EVENT_TYPES } from '../../src/events/catalogue';
import { EVENT_SCHEMA_BY_VERSION, PolarWebhookEventSchema } from '../../src/events/event-schema';
import { EVENT_SCHEMAS, MODEL_SCHEMAS } from '../../src/events/generated/schemas';
import { WebhookPayloadError } from '../../src/errors';
import { safeParseEvent } from '../../src/events/parse';
import { openUnion, typed } from '../../src/events/zod-helpers';
import {
  AnyProductPriceSchema,
  BenefitGrantSchema,
  BenefitSchema,
  CustomerSchema,
  FilterSchema,
  MeterAggregationSchema,
  OrderSchema,
} from '../../src/schemas';
import { fixturesOf, requiredByHistory, specOf } from '../helpers/event-data';

const NEWEST = API_VERSIONS[API_VERSIONS.length - 1]!;
const OLDEST = API_VERSIONS[0];

// ── each version's spec as an independent oracle (ajv, JSON Schema 2020-12) ──
// The spec's oneOfs overlap (a legacy recurring price also matches the current price shape, a
// repeating discount also matches the once/forever one), so a strict oneOf rejects genuine payloads:
// the oracle reads them as anyOf.
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const asAnyOf = (node: Json): Json =>
  Array.isArray(node)
    ? node.map(asAnyOf)
    : node && typeof node === 'object'
      ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k === 'oneOf' ? 'anyOf' : k, asAnyOf(v)]))
      : node;

type Path = (string | number)[];
interface Site {
  path: Path;
  kind: 'required' | 'enum' | 'primitive' | 'model' | 'record';
  primitive?: string;
  /** For a required field: the model it belongs to; for a model: its name. */
  model?: string;
  /** For a model: the properties its spec declares. */
  known?: string[];
}

/** One version's spec, ready to answer "does the spec accept this?" and "where are the fields?". */
function oracleFor(version: PolarApiVersion) {
  const spec = specOf(version);
  const oracleSpec = asAnyOf(spec as Json) as Record<string, any>;
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addFormat('uuid4', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
  ajv.addFormat('ipvanyaddress', true);
  const id = `https://example.invalid/polar/${version}.json`;
  ajv.addSchema({ ...oracleSpec, $id: id });
  const validator = (pointer: string) => {
    const validate = ajv.getSchema(`${id}#${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    return validate;
  };
  /** Whether the spec accepts a payload: the schema its `type` names. */
  const accepts = (payload: unknown): boolean => {
    const def = spec['x-event-types'][(payload as { type?: unknown }).type as string];
    return typeof def === 'string' && (validator(`/$defs/${def}`)(payload) as boolean);
  };

  const resolve = (pointer: string): { node: any; pointer: string } => {
    let node: any = oracleSpec;
    for (const part of pointer.split('/').slice(1)) node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node.$ref) return resolve(node.$ref.replace('#', ''));
    return { node, pointer };
  };

  function walk(value: unknown, pointer: string, path: Path, sites: Site[]): void {
    const { node, pointer: at } = resolve(pointer);
    if (node.anyOf) {
      const index = node.anyOf.findIndex((_: unknown, i: number) => validator(`${at}/anyOf/${i}`)(value));
      if (index >= 0) walk(value, `${at}/anyOf/${index}`, path, sites);
      return;
    }
    if (value === null) return;
    if (node.enum && typeof value === 'string') sites.push({ path, kind: 'enum' });
    else if (['string', 'integer', 'number', 'boolean'].includes(node.type) && node.const === undefined) {
      sites.push({ path, kind: 'primitive', primitive: node.type });
    }
    if (Array.isArray(value) && node.items) value.forEach((item, i) => walk(item, `${at}/items`, [...path, i], sites));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const object = value as Record<string, unknown>;
      if (node.properties) {
        const model = /^\/\$defs\/([^/]+)$/.exec(at)?.[1];
        sites.push({ path, kind: 'model', model, known: Object.keys(node.properties) });
        for (const key of node.required ?? [])
          if (key in object) sites.push({ path: [...path, key], kind: 'required', model });
        for (const [key, child] of Object.entries(object)) {
          if (node.properties[key])
            walk(child, `${at}/properties/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, [...path, key], sites);
        }
      } else {
        sites.push({ path, kind: 'record' });
        if (node.additionalProperties && typeof node.additionalProperties === 'object') {
          for (const [key, child] of Object.entries(object))
            walk(child, `${at}/additionalProperties`, [...path, key], sites);
        }
      }
    }
  }
  const sitesOf = (payload: Record<string, unknown>): Site[] => {
    const sites: Site[] = [];
    walk(payload, `/$defs/${spec['x-event-types'][payload.type as string]}`, [], sites);
    return sites;
  };
  return { spec, accepts, sitesOf };
}

const VERSIONS = API_VERSIONS.map((version) => {
  const oracle = oracleFor(version);
  const fixtures = fixturesOf(version);
  const allSites = Object.values(fixtures).flatMap((payload) =>
    oracle.sitesOf(payload).map((site) => ({ payload, site })),
  );
  return { version, oracle, fixtures, allSites };
});

const clone = <T>(value: T): T => structuredClone(value);
const parentOf = (root: unknown, path: Path): any => path.slice(0, -1).reduce((node: any, key) => node[key], root);
const at = (root: unknown, path: Path): any => path.reduce((node: any, key) => node?.[key], root);
/** The issues of a failed parse, which must be a WebhookPayloadError. */
const issuesOf = (error: unknown) => {
  expect(error).toBeInstanceOf(WebhookPayloadError);
  return (error as WebhookPayloadError).issues;
};
const samePath = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
  a.length === b.length && a.every((key, i) => key === b[i]);

describe.each(VERSIONS)(
  'the generated schemas of $version against its fixtures and spec',
  ({ version, oracle, fixtures, allSites }) => {
    const sitesOfKind = (kind: Site['kind']) => allSites.filter((s) => s.site.kind === kind);

    it('has a fixture for every event type of the catalogue', () => {
      expect(Object.keys(fixtures).sort()).toEqual([...EVENT_TYPES].sort());
    });

    it.each(EVENT_TYPES)('parses %s and gives back exactly the data it was given', (type) => {
      const payload = fixtures[type]!;
      const result = EVENT_SCHEMAS[version][type].safeParse(payload);
      expect(result.error?.issues).toBeUndefined();
      expect(result.data).toEqual(payload);
      expect(JSON.parse(JSON.stringify(result.data))).toEqual(payload);
    });

    it('the spec oracle can say no (a fixture missing data.total_amount is rejected)', () => {
      const payload = clone(fixtures['order.paid']!) as any;
      delete payload.data.total_amount;
      expect(oracle.accepts(payload)).toBe(false);
    });

    it('the catalogue matches the spec: types, payload schemas and data models', () => {
      const { spec } = oracle;
      expect([...EVENT_TYPES].sort()).toEqual(Object.keys(spec['x-event-types']).sort());
      expect([...EVENT_TYPES].sort()).toEqual([...spec.$defs.WebhookEventType.enum].sort());
      expect(Object.keys(EVENT_SCHEMAS[version]).sort()).toEqual([...EVENT_TYPES].sort());
      for (const type of EVENT_TYPES) {
        const payloadDef = spec.$defs[spec['x-event-types'][type]];
        expect(payloadDef.properties.type.const).toBe(type);
        expect(EVENT_DATA_MODELS[type]).toBe(
          payloadDef.properties.data.$ref.replace('#/$defs/', '').replace(/[^A-Za-z0-9_]/g, ''),
        );
      }
    });

    it('has a schema for every $def of the spec', () => {
      const names = Object.keys(MODEL_SCHEMAS[version]);
      for (const def of Object.keys(oracle.spec.$defs)) expect(names).toContain(def.replace(/[^A-Za-z0-9_]/g, ''));
    });

    it('accepts date-times with microseconds and with a +00:00 offset (both occur in the fixtures)', () => {
      const text = Object.values(fixtures)
        .map((f) => JSON.stringify(f))
        .join('');
      expect(text).toMatch(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"/);
      expect(text).toMatch(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"/);
    });

    it('found enough places to mutate (the walker reaches deep into every payload)', () => {
      expect(sitesOfKind('required').length).toBeGreaterThan(2000);
      expect(sitesOfKind('enum').length).toBeGreaterThan(200);
      expect(sitesOfKind('model').length).toBeGreaterThan(300);
      expect(allSites.some(({ site }) => site.path.join('.').includes('prices.1.legacy'))).toBe(true);
    });
  },
);

describe.each(VERSIONS)(
  'mutations of $version derived from the fixtures and the spec (fast-check)',
  ({ version, oracle, fixtures, allSites }) => {
    const sitesOfKind = (kind: Site['kind']) => allSites.filter((s) => s.site.kind === kind);
    const required = sitesOfKind('required');
    const enums = sitesOfKind('enum');
    const models = sitesOfKind('model');
    const primitives = sitesOfKind('primitive');
    const readAs = (payload: unknown) => safeParseEvent(payload, { apiVersion: version });

    it('dropping a field the spec requires: rejected, at that path, exactly when the history says Polar always sent it', () => {
      const seen = { required: 0, optional: 0 };
      fc.assert(
        fc.property(fc.constantFrom(...required), ({ payload, site }) => {
          const mutated = clone(payload);
          const field = site.path[site.path.length - 1] as string;
          delete parentOf(mutated, site.path)[field];
          const result = readAs(mutated);
          if (site.model && !requiredByHistory(version, site.model, field)) {
            seen.optional += 1;
            // optional by history: older events lack it
            expect(result.success, `${site.model}.${field}`).toBe(true);
            return;
          }
          seen.required += 1;
          expect(result.success).toBe(oracle.accepts(mutated));
          if (!result.success) {
            expect(result.error.code).toBe('invalid_payload');
            expect(issuesOf(result.error).map((i) => i.path)).toContainEqual(site.path);
          }
        }),
        { numRuns: 400 },
      );
      expect(seen.required).toBeGreaterThan(100);
    });

    it('every required field of order.paid, dropped in turn, is reported at its path', () => {
      const payload = fixtures['order.paid']!;
      let reported = 0;
      for (const { path, model } of oracle.sitesOf(payload).filter((s) => s.kind === 'required')) {
        const mutated = clone(payload);
        const field = path[path.length - 1] as string;
        delete parentOf(mutated, path)[field];
        if (oracle.accepts(mutated) || (model && !requiredByHistory(version, model, field))) continue;
        const result = readAs(mutated);
        expect(result.success, path.join('.')).toBe(false);
        if (!result.success) {
          expect(
            issuesOf(result.error).some((i) => samePath(i.path, path)),
            path.join('.'),
          ).toBe(true);
          reported += 1;
        }
      }
      expect(reported).toBeGreaterThan(30);
    });

    it('unknown keys added to any object are accepted and kept', () => {
      const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__');
      fc.assert(
        fc.property(
          fc.constantFrom(...models),
          key,
          fc.jsonValue({ maxDepth: 2 }),
          ({ payload, site }, name, value) => {
            const mutated = clone(payload);
            const target = at(mutated, site.path);
            // unknown: neither there nor a property the model declares (an absent optional one is checked)
            fc.pre(!(name in target) && !(site.known ?? []).includes(name));
            target[name] = value;
            const result = readAs(mutated);
            expect(result.success && result.event).toBeTruthy();
            if (result.success) {
              // as sent, less any own "__proto__" key (never handed on; see src/events/proto-keys.ts)
              const clean = (x: unknown): unknown =>
                Array.isArray(x)
                  ? x.map(clean)
                  : x && typeof x === 'object'
                    ? Object.fromEntries(
                        Object.entries(x)
                          .filter(([k]) => k !== '__proto__')
                          .map(([k, v]) => [k, clean(v)]),
                      )
                    : x;
              expect(at(result.event, site.path)[name]).toStrictEqual(clean(value));
              expect(JSON.parse(JSON.stringify(result.event))).toEqual(JSON.parse(JSON.stringify(clean(mutated))));
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('an enum value Polar has not documented yet is accepted and kept', () => {
      fc.assert(
        fc.property(fc.constantFrom(...enums), fc.string({ maxLength: 20 }), ({ payload, site }, value) => {
          const mutated = clone(payload);
          parentOf(mutated, site.path)[site.path[site.path.length - 1]!] = value;
          const result = readAs(mutated);
          expect(result.success).toBe(true);
          if (result.success) expect(at(result.event, site.path)).toBe(value);
        }),
        { numRuns: 300 },
      );
    });

    it('a present field of the wrong primitive type: rejected when the spec rejects it, at that path', () => {
      const wrong = (primitive: string) =>
        primitive === 'string'
          ? fc.oneof(fc.integer(), fc.boolean(), fc.constant({}))
          : fc.oneof(fc.string(), fc.constant([]));
      const site = fc.constantFrom(...primitives).chain((s) => fc.tuple(fc.constant(s), wrong(s.site.primitive!)));
      let rejected = 0;
      fc.assert(
        fc.property(site, ([{ payload, site }, value]) => {
          const mutated = clone(payload);
          parentOf(mutated, site.path)[site.path[site.path.length - 1]!] = value;
          const result = readAs(mutated);
          expect(result.success).toBe(oracle.accepts(mutated));
          if (!result.success) {
            rejected++;
            expect(issuesOf(result.error).map((i) => i.path)).toContainEqual(site.path);
          }
        }),
        { numRuns: 300 },
      );
      expect(rejected).toBeGreaterThan(200);
    });

    it('a string where order.paid has an amount is rejected: amounts are numbers', () => {
      const payload = clone(fixtures['order.paid']!) as any;
      payload.data.total_amount = '3625';
      const result = readAs(payload);
      expect(result.success).toBe(false);
      if (!result.success)
        expect(issuesOf(result.error)).toEqual([
          { path: ['data', 'total_amount'], message: expect.stringMatching(/number/) },
        ]);
    });

    it('a missing id is rejected, wherever the id is', () => {
      const ids = required.filter(({ site }) => site.path[site.path.length - 1] === 'id');
      expect(ids.length).toBeGreaterThan(50);
      for (const { payload, site } of ids) {
        const mutated = clone(payload);
        delete parentOf(mutated, site.path).id;
        if (oracle.accepts(mutated)) continue;
        expect(readAs(mutated).success, site.path.join('.')).toBe(false);
      }
    });
  },
);

describe('tagged unions stay open', () => {
  const fixtures = VERSIONS[VERSIONS.length - 1]!.fixtures;
  const benefit = () => clone((fixtures['benefit.created'] as any).data);

  it('a benefit of a type this version does not know is accepted with the shared fields checked', () => {
    const value = { ...benefit(), type: 'crypto_airdrop', properties: { chain: 'ethereum', amount: 5 } };
    expect(BenefitSchema.parse(value)).toEqual(value);
    const { organization_id: _dropped, ...incomplete } = value;
    const result = BenefitSchema.safeParse(incomplete);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['organization_id']]);
  });

  it('a benefit of a known type is checked by that type alone, with precise issues', () => {
    const value = benefit();
    delete value.properties.prefix;
    const result = BenefitSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual(['properties', 'prefix']);
  });

  it('a benefit grant whose benefit is of a new type is accepted', () => {
    const grant = clone((fixtures['benefit_grant.created'] as any).data);
    grant.benefit.type = 'crypto_airdrop';
    grant.properties = { wallet: '0xabc' };
    expect(BenefitGrantSchema.parse(grant)).toEqual(grant);
    const event = clone(fixtures['benefit_grant.created']!) as any;
    event.data = grant;
    expect(safeParseEvent(event).success).toBe(true);
  });

  it('prices: `legacy: true` selects the legacy shape, a new amount_type falls back', () => {
    const product = (fixtures['product.updated'] as any).data;
    const legacy = clone(product.prices.find((p: any) => p.legacy === true));
    expect(AnyProductPriceSchema.parse(legacy)).toEqual(legacy);
    // a flagged price that lacks a legacy-only field still matches the current fixed shape: accepted
    const { recurring_interval: _interval, ...withoutInterval } = legacy;
    expect(AnyProductPriceSchema.safeParse(withoutInterval).success).toBe(true);
    // one that fits neither is reported by the legacy shape, the one its flag names
    legacy.recurring_interval = 5;
    delete legacy.price_amount;
    expect(AnyProductPriceSchema.safeParse(legacy).error?.issues.map((i) => i.path)).toEqual([
      ['recurring_interval'],
      ['price_amount'],
    ]);
    // a kind no version knows: the shared fields are checked, the rest is kept
    const banded = {
      ...clone(product.prices[0]),
      amount_type: 'usage_bands',
      bands: [{ up_to: 1000, unit_amount: '0.01' }],
    };
    delete banded.price_amount;
    expect(AnyProductPriceSchema.parse(banded)).toEqual(banded);
    const { product_id: _product, ...unowned } = banded;
    expect(AnyProductPriceSchema.safeParse(unowned).error?.issues.map((i) => i.path)).toEqual([['product_id']]);
    // a kind Polar added since (tiers): checked by its own shape
    const tiered = { ...clone(product.prices[0]), amount_type: 'metered_tiers', tiers: [] };
    expect(AnyProductPriceSchema.safeParse(tiered).success).toBe(false);
  });

  it('customers, custom fields and meter aggregations of a new kind are accepted too', () => {
    const customer = { ...clone((fixtures['customer.created'] as any).data), type: 'organization' };
    expect(CustomerSchema.parse(customer)).toEqual(customer);
    expect(MeterAggregationSchema.parse({ func: 'p99', property: 'latency_ms' })).toEqual({
      func: 'p99',
      property: 'latency_ms',
    });
    expect(MeterAggregationSchema.parse({ func: 'sum', property: 'tokens' })).toEqual({
      func: 'sum',
      property: 'tokens',
    });
    expect(MeterAggregationSchema.safeParse({ func: 'sum' }).error?.issues.map((i) => i.path)).toEqual([['property']]);
  });

  it('keeps dispatching after zod clones the schema (.describe, .refine)', () => {
    const broken = benefit();
    delete broken.properties.prefix;
    expect(BenefitSchema.describe('a benefit').safeParse(broken).success).toBe(false);
    expect(BenefitSchema.refine(() => true).safeParse(broken).success).toBe(false);
    expect(BenefitSchema.describe('a benefit').safeParse(benefit()).success).toBe(true);
  });

  it('rejects a value that is not an object, and an unknown tag when there is no fallback', () => {
    expect(BenefitSchema.safeParse('license_keys').error?.issues[0]?.code).toBe('invalid_type');
    const closed = openUnion<{ kind: 'a' }>({
      discriminator: 'kind',
      options: { a: z.looseObject({ kind: z.literal('a') }) },
    });
    const result = closed.safeParse({ kind: 'b' });
    expect(result.error?.issues[0]).toMatchObject({ code: 'invalid_value', path: ['kind'] });
    expect(closed.parse({ kind: 'a', extra: 1 })).toEqual({ kind: 'a', extra: 1 });
  });

  it('the union schema picks the version by api_version (none: the oldest), then the payload schema by type', () => {
    for (const { version, fixtures: own } of VERSIONS) {
      for (const type of EVENT_TYPES) {
        expect(PolarWebhookEventSchema.safeParse(own[type]).success).toBe(true);
        expect(EVENT_SCHEMA_BY_VERSION[version].safeParse(own[type]).success).toBe(true);
      }
    }
    const unknown = { ...fixtures['order.paid'], type: 'order.teleported' };
    expect(PolarWebhookEventSchema.safeParse(unknown).error?.issues[0]).toMatchObject({
      code: 'invalid_value',
      path: ['type'],
    });
    // a 2027-01 product with a tiered metered price: read by 2027-01, also as a newer version, and
    // by the oldest version too (a price kind it does not know falls back to the shared fields)
    const product = VERSIONS[VERSIONS.length - 1]!.fixtures['product.updated']!;
    expect(PolarWebhookEventSchema.safeParse({ ...product, api_version: '2099-01' }).success).toBe(true);
    expect(EVENT_SCHEMAS[OLDEST]['product.updated'].safeParse(product).success).toBe(true);
  });

  it('2027-01 types its new price kinds: a tiered price without its tiers is rejected there', () => {
    const product = clone(VERSIONS[VERSIONS.length - 1]!.fixtures['product.updated']!) as any;
    const tiered = product.data.prices.find((p: any) => p.amount_type === 'metered_tiers');
    expect(tiered).toBeDefined();
    delete tiered.tiers;
    const result = EVENT_SCHEMAS[NEWEST]['product.updated'].safeParse(product);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(
      `data.prices.${product.data.prices.indexOf(tiered)}.tiers`,
    );
  });
});

describe('other shapes', () => {
  const fixtures = VERSIONS[0]!.fixtures;
  it('meter filters nest (a recursive schema) and report issues deep inside', () => {
    const leaf = { property: 'status', operator: 'eq', value: 200 };
    const filter = {
      conjunction: 'and',
      clauses: [leaf, { conjunction: 'or', clauses: [leaf, { conjunction: 'and', clauses: [leaf] }] }],
    };
    expect(FilterSchema.parse(filter)).toEqual(filter);
    const broken = structuredClone(filter) as any;
    broken.clauses[1].clauses[1].clauses[0] = { property: 'status', operator: 'eq', value: { nested: true } };
    const result = FilterSchema.safeParse(broken);
    expect(result.success).toBe(false);
  });

  it('nullable and optional follow the spec: null billing_address is fine, a missing one is not', () => {
    const order = clone((fixtures['order.paid'] as any).data);
    expect(OrderSchema.safeParse({ ...order, billing_address: null }).success).toBe(true);
    delete order.billing_address;
    expect(OrderSchema.safeParse(order).error?.issues.map((i) => i.path)).toEqual([['billing_address']]);
    const optional = clone((fixtures['order.paid'] as any).data);
    delete optional.seats;
    expect(OrderSchema.safeParse(optional).success).toBe(true);
  });

  it('typed() is checked at compile time and changes nothing at run time', () => {
    const schema = z.looseObject({ a: z.number() });
    expect(typed<{ a: number }>(schema)).toBe(schema);
    // @ts-expect-error: the schema's output (a: string) does not fit the interface (a: number)
    typed<{ a: number }>(z.looseObject({ a: z.string() }));
  });
});
