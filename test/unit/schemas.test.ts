import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';

import { EVENT_DATA_MODELS, EVENT_SCHEMAS, EVENT_TYPES, PolarWebhookEventSchema } from '../../src/events/catalogue';
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

const ROOT = join(__dirname, '..', '..');
const spec = JSON.parse(readFileSync(join(ROOT, 'spec', 'webhook-schemas.json'), 'utf8'));
const fixtures: Record<string, Record<string, unknown>> = Object.fromEntries(
  readdirSync(join(ROOT, 'fixtures'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(ROOT, 'fixtures', f), 'utf8'))]),
);

// ── the spec as an independent oracle (ajv, JSON Schema 2020-12) ──
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
const oracleSpec = asAnyOf(spec) as Record<string, any>;
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
ajv.addFormat('uuid4', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
ajv.addFormat('ipvanyaddress', true);
ajv.addSchema(oracleSpec);
const SPEC_ID = oracleSpec.$id as string;
const oracle = (pointer: string) => {
  const validate = ajv.getSchema(`${SPEC_ID}#${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return validate;
};
const specRoot = ajv.getSchema(SPEC_ID)!;
/** Whether the spec accepts a payload: the schema its `type` names, or the whole spec (any of the 42). */
const specAccepts = (payload: unknown): boolean => {
  const def = spec['x-event-types'][(payload as { type?: string }).type ?? ''];
  return (typeof def === 'string' ? oracle(`/$defs/${def}`) : specRoot)(payload) as boolean;
};

// ── walking a payload alongside the spec: where are required fields, enums, primitives, objects ──
type Path = (string | number)[];
interface Site {
  path: Path;
  kind: 'required' | 'enum' | 'primitive' | 'model' | 'record';
  primitive?: string;
}

const resolve = (pointer: string): { node: any; pointer: string } => {
  let node: any = oracleSpec;
  for (const part of pointer.split('/').slice(1)) node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node.$ref) return resolve(node.$ref.replace('#', ''));
  return { node, pointer };
};

function walk(value: unknown, pointer: string, path: Path, sites: Site[]): void {
  const { node, pointer: at } = resolve(pointer);
  if (node.anyOf) {
    const index = node.anyOf.findIndex((_: unknown, i: number) => oracle(`${at}/anyOf/${i}`)(value));
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
      sites.push({ path, kind: 'model' });
      for (const key of node.required ?? []) if (key in object) sites.push({ path: [...path, key], kind: 'required' });
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
const allSites = Object.values(fixtures).flatMap((payload) => sitesOf(payload).map((site) => ({ payload, site })));
const sitesOfKind = (kind: Site['kind']) => allSites.filter((s) => s.site.kind === kind);

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

describe('the generated schemas against the fixtures', () => {
  it('has a fixture for every event type of the catalogue', () => {
    expect(Object.keys(fixtures).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES)('parses %s and gives back exactly the data it was given', (type) => {
    const payload = fixtures[type]!;
    const result = EVENT_SCHEMAS[type].safeParse(payload);
    expect(result.error?.issues).toBeUndefined();
    expect(result.data).toEqual(payload);
    expect(JSON.parse(JSON.stringify(result.data))).toEqual(payload);
  });

  it.each(EVENT_TYPES)('%s fixture is valid against the spec snapshot (ajv, 2020-12)', (type) => {
    const validate = oracle(`/$defs/${spec['x-event-types'][type]}`);
    expect(validate(fixtures[type]), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('the spec oracle can say no (a fixture missing data.total_amount is rejected)', () => {
    const payload = clone(fixtures['order.paid']!) as any;
    delete payload.data.total_amount;
    expect(specAccepts(payload)).toBe(false);
  });

  it('the catalogue matches the spec: types, payload schemas and data models', () => {
    expect([...EVENT_TYPES].sort()).toEqual(Object.keys(spec['x-event-types']).sort());
    expect([...EVENT_TYPES].sort()).toEqual([...spec.$defs.WebhookEventType.enum].sort());
    for (const type of EVENT_TYPES) {
      const payloadDef = spec.$defs[spec['x-event-types'][type]];
      expect(payloadDef.properties.type.const).toBe(type);
      expect(EVENT_DATA_MODELS[type]).toBe(payloadDef.properties.data.$ref.replace('#/$defs/', ''));
    }
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
});

describe('mutations derived from the fixtures and the spec (fast-check)', () => {
  const required = sitesOfKind('required');
  const enums = sitesOfKind('enum');
  const models = sitesOfKind('model');
  const primitives = sitesOfKind('primitive');

  it('dropping a required field: rejected exactly when the spec rejects it, and the issue names that path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...required), ({ payload, site }) => {
        const mutated = clone(payload);
        delete parentOf(mutated, site.path)[site.path[site.path.length - 1]!];
        const result = safeParseEvent(mutated);
        expect(result.success).toBe(specAccepts(mutated));
        if (!result.success) {
          expect(result.error.code).toBe('invalid_payload');
          expect(issuesOf(result.error).map((i) => i.path)).toContainEqual(site.path);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('every required field of order.paid, dropped in turn, is reported at its path', () => {
    const payload = fixtures['order.paid']!;
    for (const { path } of sitesOf(payload).filter((s) => s.kind === 'required')) {
      const mutated = clone(payload);
      delete parentOf(mutated, path)[path[path.length - 1]!];
      if (specAccepts(mutated)) continue;
      const result = safeParseEvent(mutated);
      expect(result.success, path.join('.')).toBe(false);
      if (!result.success)
        expect(
          issuesOf(result.error).some((i) => samePath(i.path, path)),
          path.join('.'),
        ).toBe(true);
    }
  });

  it('unknown keys added to any object are accepted and kept', () => {
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__');
    fc.assert(
      fc.property(fc.constantFrom(...models), key, fc.jsonValue({ maxDepth: 2 }), ({ payload, site }, name, value) => {
        const mutated = clone(payload);
        const target = at(mutated, site.path);
        fc.pre(!(name in target));
        target[name] = value;
        const result = safeParseEvent(mutated);
        expect(result.success && result.event).toBeTruthy();
        if (result.success) {
          expect(at(result.event, site.path)[name]).toEqual(value);
          expect(JSON.parse(JSON.stringify(result.event))).toEqual(JSON.parse(JSON.stringify(mutated)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an enum value Polar has not documented yet is accepted and kept', () => {
    fc.assert(
      fc.property(fc.constantFrom(...enums), fc.string({ maxLength: 20 }), ({ payload, site }, value) => {
        const mutated = clone(payload);
        parentOf(mutated, site.path)[site.path[site.path.length - 1]!] = value;
        const result = safeParseEvent(mutated);
        expect(result.success).toBe(true);
        if (result.success) expect(at(result.event, site.path)).toBe(value);
      }),
      { numRuns: 300 },
    );
  });

  it('a value of the wrong primitive type: rejected when the spec rejects it, at that path', () => {
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
        const result = safeParseEvent(mutated);
        expect(result.success).toBe(specAccepts(mutated));
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
    const result = safeParseEvent(payload);
    expect(result.success).toBe(false);
    if (!result.success)
      expect(issuesOf(result.error)).toEqual([
        { path: ['data', 'total_amount'], message: expect.stringMatching(/number/) },
      ]);
  });
});

describe('tagged unions stay open', () => {
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
    const tiered = {
      ...clone(product.prices[0]),
      amount_type: 'metered_tiers',
      tiers: [{ up_to: 1000, unit_amount: '0.01' }],
    };
    delete tiered.price_amount;
    expect(AnyProductPriceSchema.parse(tiered)).toEqual(tiered);
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

  it('the union schema picks the payload schema by type', () => {
    for (const type of EVENT_TYPES) expect(PolarWebhookEventSchema.safeParse(fixtures[type]).success).toBe(true);
    const unknown = { ...fixtures['order.paid'], type: 'order.teleported' };
    expect(PolarWebhookEventSchema.safeParse(unknown).error?.issues[0]).toMatchObject({
      code: 'invalid_value',
      path: ['type'],
    });
  });
});

describe('other shapes', () => {
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
