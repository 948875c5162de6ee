// Checks on the committed spec data: spec/api/<version>.json and spec/field-history.json, held
// against Polar's own models (the installed @polar-sh/sdk, read here with the TypeScript compiler,
// not through the build's code) and against the facts the data must carry.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const BUILD = join(ROOT, 'scripts', 'spec', 'build-versions.mjs');
const VERSIONS = ['2026-04', '2026-10', '2027-01'] as const;
const scratch = mkdtempSync(join(tmpdir(), 'polar-webhooks-spec-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema documents are untyped data
type Json = Record<string, any>;
const readJson = (...path: string[]): Json => JSON.parse(readFileSync(join(ROOT, ...path), 'utf8'));
const specOf = (version: string) => readJson('spec', 'api', `${version}.json`);
const history = readJson('spec', 'field-history.json');
const overlay = readJson('spec', 'overlays', '2027-01.json');

/** Polar's generated models of one version, as the SDK ships them in its source map. */
function sdkSources(version: string): { models: ts.SourceFile; webhooks: ts.SourceFile } {
  const map = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', '@polar-sh', 'sdk', 'dist', version, 'index.mjs.map'), 'utf8'),
  ) as { sources: string[]; sourcesContent: string[] };
  const file = (name: string) => {
    const i = map.sources.findIndex((s) => s.endsWith(`src/${version}/${name}`));
    return ts.createSourceFile(name, map.sourcesContent[i] ?? '', ts.ScriptTarget.Latest, true);
  };
  return { models: file('models.ts'), webhooks: file('webhooks.ts') };
}

/**
 * The SDK's interfaces the webhook payloads reach, with their fields and which are required; models
 * in `replaced` (a newer source's) are neither listed nor followed.
 */
function sdkPayloadInterfaces(
  version: string,
  replaced: Set<string>,
): Map<string, { fields: string[]; required: string[] }> {
  const { models, webhooks } = sdkSources(version);
  const declarations = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
  for (const file of [models, webhooks])
    for (const s of file.statements)
      if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) declarations.set(s.name.text, s);
  const queue = [...declarations.keys()].filter((n) => /^Webhook\w+Payload$/.test(n) && n !== 'WebhookPayload');
  const seen = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && declarations.has(node.typeName.text))
      queue.push(node.typeName.text);
    ts.forEachChild(node, visit);
  };
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name) || replaced.has(normal(name))) continue;
    seen.add(name);
    visit(declarations.get(name)!);
  }
  const out = new Map<string, { fields: string[]; required: string[] }>();
  for (const name of seen) {
    const decl = declarations.get(name)!;
    if (!ts.isInterfaceDeclaration(decl)) continue;
    const members = decl.members.filter(ts.isPropertySignature);
    out.set(name, {
      fields: members.map((m) => m.name.getText()),
      required: members.filter((m) => !m.questionToken).map((m) => m.name.getText()),
    });
  }
  return out;
}

/** The event types the SDK's own dispatcher knows (its `knownEventTypes` set). */
function sdkEventTypes(version: string): string[] {
  const text = sdkSources(version).webhooks.getFullText();
  const list = /knownEventTypes = new Set<string>\(\[([^\]]*)\]\)/.exec(text)?.[1] ?? '';
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).sort();
}

const normal = (name: string) => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/** Every `$ref` of a JSON document. */
function refsOf(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, found));
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsOf(value, found);
    }
  return found;
}

describe.each(VERSIONS)('spec/api/%s.json', (version) => {
  const spec = specOf(version);
  const defs: Record<string, Json> = spec.$defs;

  it("names the 42 event types the SDK's dispatcher knows, each with a payload whose `type` is that type", () => {
    const types = Object.keys(spec['x-event-types']);
    expect(types).toHaveLength(42);
    expect(types).toEqual(sdkEventTypes(version));
    for (const [type, payload] of Object.entries<string>(spec['x-event-types'])) {
      expect(defs[payload]?.properties?.type?.const, payload).toBe(type);
      expect(spec.discriminator.mapping[type]).toBe(`#/$defs/${payload}`);
    }
    expect(spec.oneOf).toHaveLength(42);
  });

  it('resolves every $ref, and compiles as JSON Schema 2020-12', () => {
    for (const ref of refsOf(spec)) {
      expect(ref).toMatch(/^#\/\$defs\//);
      expect(defs[ref.slice('#/$defs/'.length)], ref).toBeDefined();
    }
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addFormat('uuid4', true);
    ajv.addFormat('ipvanyaddress', true);
    expect(() => ajv.compile(spec)).not.toThrow();
  });

  it("has every field of the SDK's models of this version, required exactly where the SDK requires it", () => {
    const replaced = new Set(version === '2027-01' ? Object.keys(overlay.schemas).map(normal) : []);
    const byNormal = new Map(Object.keys(defs).map((n) => [normal(n), n]));
    const sdk = sdkPayloadInterfaces(version, replaced);
    expect(sdk.size).toBeGreaterThan(100);
    for (const [sdkName, model] of sdk) {
      const name = byNormal.get(normal(sdkName));
      expect(name, `${sdkName} has no $def`).toBeDefined();
      const def = defs[name!]!;
      expect(Object.keys(def.properties ?? {}).sort(), name).toEqual([...model.fields].sort());
      expect([...(def.required ?? [])].sort(), name).toEqual([...model.required].sort());
    }
  });

  it('has `api_version` in every envelope, and `provider` fields in subscription.migrated', () => {
    for (const payload of Object.values<string>(spec['x-event-types']))
      expect(defs[payload]!.properties.api_version, payload).toMatchObject({ type: 'string' });
    const migrated = defs[spec['x-event-types']['subscription.migrated']]!;
    expect(migrated.required).toEqual(expect.arrayContaining(['provider', 'provider_subscription_id']));
  });

  it('no longer has BenefitDiscordProperties.guild_token, nor any guild_token', () => {
    expect(Object.keys(defs.BenefitDiscordProperties!.properties)).toEqual(['guild_id', 'role_id', 'kick_member']);
    expect(JSON.stringify(spec)).not.toMatch(/guild_token/);
  });

  it('has the unit-based and metered-tiers price kinds, and the seat-based prices of its version', () => {
    expect(Object.keys(defs.ProductPrice!.discriminator.mapping)).toEqual(
      expect.arrayContaining(['fixed', 'custom', 'seat_based', 'unit_based', 'metered_unit', 'metered_tiers']),
    );
    const seat = Object.keys(defs.ProductPriceSeatBased!.properties);
    if (version === '2027-01') {
      expect(seat).toEqual(expect.arrayContaining(['tiers', 'minimum_units', 'maximum_units']));
      expect(seat).not.toContain('seat_tiers');
    } else {
      expect(seat).toContain('seat_tiers');
      expect(seat).not.toContain('minimum_units');
    }
  });

  it("keeps Polar's values where the SDK mixed up two enums of the same name", () => {
    // the SDK types CustomerStateSubscription.status with another enum also called `Status`
    const document = readJson('spec', 'sources', 'openapi', `${version === '2027-01' ? '2026-10' : version}.json`);
    const expected = document.schemas.CustomerStateSubscription.properties.status.enum;
    expect(expected).toEqual(['active', 'trialing']);
    expect(defs.CustomerStateSubscription!.properties.status.enum).toEqual(expected);
    expect(spec['x-polar-corrections']).toEqual([
      expect.objectContaining({ model: 'CustomerStateSubscription', field: 'status' }),
    ]);
  });

  it('says where each model came from', () => {
    const sources = Object.keys(spec['x-polar-sources']);
    for (const [name, def] of Object.entries(defs)) {
      const source = String(def['x-polar-source']).replace(/^sdk \+ /, '');
      expect(sources, name).toContain(source);
    }
  });
});

describe('spec/field-history.json', () => {
  it.each(VERSIONS)('%s: covers every model and field of the newest schema, with dates inside its chain', (version) => {
    const defs: Record<string, Json> = specOf(version).$defs;
    const { snapshots, models } = history.versions[version];
    expect(Object.keys(models).sort()).toEqual(Object.keys(defs).sort());
    for (const [name, def] of Object.entries(defs)) {
      const model = models[name];
      expect(model.since >= snapshots.first && model.since <= snapshots.last, `${name} since ${model.since}`).toBe(
        true,
      );
      expect(Object.keys(model.fields), name).toEqual(Object.keys(def.properties ?? {}));
      for (const [field, date] of Object.entries<string>(model.fields))
        expect(date >= model.since && date <= snapshots.last, `${name}.${field} ${date}`).toBe(true);
    }
  });

  it('carries the unversioned past only in the oldest version', () => {
    // 2026-04 validates every delivery made before deliveries were versioned (2026-09-04): its chain
    // reaches back past the baseline; a newer version's starts with the snapshot in force that day
    expect(history.versions['2026-04'].snapshots.first <= history.baseline).toBe(true);
    expect(history.baseline <= '2025-06-01').toBe(true);
    for (const version of ['2026-10', '2027-01']) {
      const { snapshots } = history.versions[version];
      expect(snapshots.count).toBeLessThan(history.versions['2026-04'].snapshots.count / 10);
    }
  });

  /** Whether the generator's rule keeps a field required. */
  const staysRequired = (version: string, model: string, field: string) => {
    const entry = history.versions[version].models[model];
    const required: string[] = specOf(version).$defs[model].required ?? [];
    const limit = entry.since > history.baseline ? entry.since : history.baseline;
    return required.includes(field) && entry.fields[field] <= limit;
  };

  it('2026-04: the fields real 2026 deliveries lacked come out optional', () => {
    const lacking: [string, string[]][] = [
      ['BenefitCustom', ['is_deleted', 'visibility', 'visibility_configurable']],
      ['CustomerIndividual', ['first_user_event_at', 'billing_name']],
      ['Product', ['meter_interval', 'meter_interval_count']],
      [
        'Subscription',
        [
          'current_meter_period_start',
          'current_meter_period_end',
          'pause_at_period_end',
          'paused_at',
          'resumes_at',
          'trial_start',
          'trial_end',
        ],
      ],
      ['Checkout', ['tax_behavior', 'payment_method_type', 'trial_end']],
      ['Order', ['receipt_number', 'refundable_amount', 'refundable_tax_amount']],
    ];
    for (const [model, fields] of lacking)
      for (const field of fields) expect(staysRequired('2026-04', model, field), `${model}.${field}`).toBe(false);
  });

  it('2026-04: the fields handlers rely on stay required', () => {
    const relied: [string, string[]][] = [
      [
        'Order',
        [
          'id',
          'status',
          'total_amount',
          'net_amount',
          'customer_id',
          'product_id',
          'subscription_id',
          'billing_reason',
          'metadata',
        ],
      ],
      [
        'Subscription',
        [
          'id',
          'status',
          'amount',
          'customer_id',
          'product_id',
          'current_period_start',
          'current_period_end',
          'metadata',
        ],
      ],
      ['CustomerIndividual', ['id', 'email', 'metadata']],
      ['Refund', ['id', 'status', 'amount', 'order_id', 'customer_id']],
      ['WebhookOrderPaidPayload', ['type', 'data']],
    ];
    for (const [model, fields] of relied)
      for (const field of fields) expect(staysRequired('2026-04', model, field), `${model}.${field}`).toBe(true);
  });
});

describe('scripts/spec/build-versions.mjs', () => {
  it('rebuilds the committed files byte for byte (--check), and names a file that differs', () => {
    expect(spawnSync(process.execPath, [BUILD, '--check'], { encoding: 'utf8' }).status).toBe(0);
    const out = join(scratch, 'api');
    execFileSync(process.execPath, [BUILD, '--out', out]);
    for (const version of VERSIONS)
      expect(
        readFileSync(join(out, `${version}.json`), 'utf8') ===
          readFileSync(join(ROOT, 'spec', 'api', `${version}.json`), 'utf8'),
      ).toBe(true);
    const stale = join(scratch, 'stale');
    cpSync(out, stale, { recursive: true });
    const edited = JSON.parse(readFileSync(join(stale, '2026-10.json'), 'utf8'));
    delete edited.$defs.Order.required;
    writeFileSync(join(stale, '2026-10.json'), JSON.stringify(edited, null, 2) + '\n');
    const result = spawnSync(process.execPath, [BUILD, '--check', '--out', stale], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/2026-10\.json is out of date/);
    expect(result.stderr).not.toMatch(/2026-04/);
  });
});
