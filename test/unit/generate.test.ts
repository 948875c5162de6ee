import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { EVENT_HANDLER_NAMES, EVENT_TYPES, isPolarWebhookEventType } from '../../src/events/catalogue';
import { ROOT, SPEC_VERSIONS } from '../helpers/event-data';

const SCRIPT = join(ROOT, 'scripts', 'generate-schemas.mjs');
const GENERATED = join(ROOT, 'src', 'events', 'generated');
const SPEC = join(ROOT, 'spec');
const scratch = mkdtempSync(join(tmpdir(), 'polar-webhooks-generate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
const generateInto = (dir: string, spec = SPEC) =>
  execFileSync(process.execPath, [SCRIPT, '--out', dir, '--spec', spec], { encoding: 'utf8' });

/** A copy of spec/ (snapshots and history) to change. */
function specCopy(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'api'), { recursive: true });
  for (const version of SPEC_VERSIONS)
    cpSync(join(SPEC, 'api', `${version}.json`), join(dir, 'api', `${version}.json`));
  cpSync(join(SPEC, 'field-history.json'), join(dir, 'field-history.json'));
  return dir;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const writeJson = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value, null, 2));

describe('scripts/generate-schemas.mjs', () => {
  it('regenerating from the unchanged specs reproduces the committed files byte for byte', () => {
    const out = join(scratch, 'same');
    generateInto(out);
    const files = readdirSync(GENERATED).sort();
    expect(files).toEqual(['catalogue.ts', 'guards.ts', 'schemas.ts', 'types.ts']);
    expect(readdirSync(out).sort()).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(out, file), 'utf8') === readFileSync(join(GENERATED, file), 'utf8'), file).toBe(true);
    }
  });

  it('--check passes on the committed files and fails, naming the file, when one is stale', () => {
    expect(run(['--check']).status).toBe(0);
    const out = join(scratch, 'stale');
    generateInto(out);
    writeFileSync(join(out, 'types.ts'), readFileSync(join(out, 'types.ts'), 'utf8') + '// edited by hand\n');
    const result = run(['--check', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/types\.ts is out of date/);
    expect(result.stderr).not.toMatch(/guards\.ts/);
    writeFileSync(
      join(out, 'guards.ts'),
      readFileSync(join(out, 'guards.ts'), 'utf8').replace("=== 'string'", "!== 'string'"),
    );
    const guards = run(['--check', '--out', out]);
    expect(guards.status).toBe(1);
    expect(guards.stderr).toMatch(/guards\.ts is out of date/);
  });

  it("the output does not depend on the order of the specs' $defs", () => {
    const dir = specCopy('reordered');
    for (const version of SPEC_VERSIONS) {
      const path = join(dir, 'api', `${version}.json`);
      const spec = readJson(path);
      writeJson(path, { ...spec, $defs: Object.fromEntries(Object.entries(spec.$defs).reverse()) });
    }
    const out = join(scratch, 'reordered-out');
    generateInto(out, dir);
    // the header names the specs' hashes, which changed with the bytes; everything below it is the same
    const body = (text: string) => text.split('\n').slice(5).join('\n');
    for (const file of ['guards.ts', 'types.ts', 'schemas.ts']) {
      expect(
        body(readFileSync(join(out, file), 'utf8')) === body(readFileSync(join(GENERATED, file), 'utf8')),
        file,
      ).toBe(true);
    }
  });

  it('every generated file says which script made it, from which specs and history, and not to edit it', () => {
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
    for (const file of readdirSync(GENERATED)) {
      const head = readFileSync(join(GENERATED, file), 'utf8').split('\n').slice(0, 5).join('\n');
      expect(head).toContain('scripts/generate-schemas.mjs');
      expect(head).toMatch(/do not\n?\/?\/? ?edit by hand/);
      for (const version of SPEC_VERSIONS) {
        expect(head).toContain(`${version} sha256 ${sha(join(SPEC, 'api', `${version}.json`))}`);
      }
      expect(head).toContain(`field history sha256 ${sha(join(SPEC, 'field-history.json'))}`);
    }
  });

  it('follows the specs: a new event type and a new enum value in the newest version appear in the output', () => {
    const dir = specCopy('changed');
    const newest = SPEC_VERSIONS[SPEC_VERSIONS.length - 1]!;
    const path = join(dir, 'api', `${newest}.json`);
    const spec = readJson(path);
    spec['x-event-types']['order.disputed'] = 'WebhookOrderDisputedPayload';
    spec.$defs.WebhookOrderDisputedPayload = {
      ...spec.$defs.WebhookOrderPaidPayload,
      properties: {
        ...spec.$defs.WebhookOrderPaidPayload.properties,
        type: { type: 'string', const: 'order.disputed' },
      },
      description: 'Sent when an order is disputed.',
    };
    spec.$defs.OrderStatus.enum.push('disputed');
    writeJson(path, spec);
    const history = readJson(join(dir, 'field-history.json'));
    const models = history.versions[newest].models;
    models.WebhookOrderDisputedPayload = models.WebhookOrderPaidPayload;
    writeJson(join(dir, 'field-history.json'), history);
    const out = join(scratch, 'changed-out');
    generateInto(out, dir);
    const types = readFileSync(join(out, 'types.ts'), 'utf8');
    const catalogue = readFileSync(join(out, 'catalogue.ts'), 'utf8');
    const guards = readFileSync(join(out, 'guards.ts'), 'utf8');
    const schemas = readFileSync(join(out, 'schemas.ts'), 'utf8');
    expect(guards).toContain("'order.disputed': isWebhookOrderDisputedPayload,");
    expect(guards).toMatch(
      /export function isWebhookOrderDisputedPayload\(value: unknown, v: number, c\?: IssueSink\): boolean \{\n {2}if \(!isObject\(value\)\) return failHere\(c, value, 'object'\);\n {2}return \(\n {4}\(value\.type === 'order\.disputed' \|\|/,
    );
    expect(types).toMatch(/'void' \| 'disputed'\s*\| \(string & \{\}\);/);
    expect(types).toContain("'order.disputed': WebhookOrderDisputedPayload;");
    expect(schemas).toContain("'order.disputed': WebhookOrderDisputedPayloadSchema,");
    expect(catalogue).toContain("'order.disputed': 'Sent when an order is disputed.',");
  });

  it('refuses a spec whose x-event-types names a payload that does not exist', () => {
    const dir = specCopy('broken');
    const path = join(dir, 'api', `${SPEC_VERSIONS[0]}.json`);
    const spec = readJson(path);
    spec['x-event-types']['order.lost'] = 'WebhookNowherePayload';
    writeJson(path, spec);
    const result = run(['--out', join(scratch, 'broken-out'), '--spec', dir]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('WebhookNowherePayload');
  });
});

/**
 * A spec folder made up for the rules: two versions of one small API. `Thing.note` was added on
 * 2026-05-14 (after the baseline), `Thing.id` has always been there; `Shared` is the same in both
 * versions; `Price` gains a kind in the newer one.
 */
function syntheticSpec(name: string, change?: (specs: Record<string, any>, history: any) => void): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'api'), { recursive: true });
  const payload = {
    type: 'object',
    properties: {
      type: { type: 'string', const: 'thing.created' },
      timestamp: { type: 'string', format: 'date-time' },
      api_version: { type: 'string' },
      data: { $ref: '#/$defs/Thing' },
    },
    required: ['type', 'timestamp', 'api_version', 'data'],
    description: 'Sent when a thing is created.',
  };
  const base = {
    $defs: {
      WebhookThingCreatedPayload: payload,
      Thing: {
        type: 'object',
        description: 'A thing.',
        properties: {
          id: { type: 'string', description: 'The ID of the thing.' },
          note: { type: 'string', description: 'A note.' },
          shared: { $ref: '#/$defs/Shared' },
          price: { $ref: '#/$defs/Price' },
        },
        required: ['id', 'note', 'shared', 'price'],
      },
      Shared: { type: 'object', properties: { x: { type: 'integer' } }, required: ['x'], description: 'Shared.' },
      Price: {
        oneOf: [{ $ref: '#/$defs/PriceFixed' }, { $ref: '#/$defs/PriceCustom' }],
        discriminator: { propertyName: 'kind' },
      },
      PriceFixed: {
        type: 'object',
        properties: { kind: { type: 'string', const: 'fixed' }, amount: { type: 'integer' } },
        required: ['kind', 'amount'],
      },
      PriceCustom: {
        type: 'object',
        properties: { kind: { type: 'string', const: 'custom' }, minimum: { type: 'integer' } },
        required: ['kind', 'minimum'],
      },
    },
    'x-event-types': { 'thing.created': 'WebhookThingCreatedPayload' },
  };
  const newer = structuredClone(base) as any;
  newer.$defs.PriceTiered = {
    type: 'object',
    properties: { kind: { type: 'string', const: 'tiered' }, tiers: { type: 'array', items: { type: 'integer' } } },
    required: ['kind', 'tiers'],
  };
  newer.$defs.Price.oneOf.push({ $ref: '#/$defs/PriceTiered' });
  const specs: Record<string, any> = { '2026-04': base, '2026-10': newer };
  const models = (spec: any, since: string, dates: Record<string, string> = {}) =>
    Object.fromEntries(
      Object.entries(spec.$defs as Record<string, any>)
        .filter(([, def]) => def.properties)
        .map(([model, def]) => [
          model,
          {
            since,
            fields: Object.fromEntries(Object.keys(def.properties).map((f) => [f, dates[`${model}.${f}`] ?? since])),
          },
        ]),
    );
  const history = {
    baseline: '2025-06-01',
    versions: {
      '2026-04': { models: models(base, '2025-02-10', { 'Thing.note': '2026-05-14' }) },
      '2026-10': { models: models(newer, '2026-09-04') },
    },
  };
  change?.(specs, history);
  for (const [version, spec] of Object.entries(specs)) writeJson(join(dir, 'api', `${version}.json`), spec);
  writeJson(join(dir, 'field-history.json'), history);
  return dir;
}

describe('the rules, on a made-up spec', () => {
  const out = join(scratch, 'synthetic-out');
  generateInto(out, syntheticSpec('synthetic'));
  const types = readFileSync(join(out, 'types.ts'), 'utf8');
  const schemas = readFileSync(join(out, 'schemas.ts'), 'utf8');
  const guards = readFileSync(join(out, 'guards.ts'), 'utf8');
  const interfaceOf = (name: string) =>
    new RegExp(`export interface ${name} \\{[\\s\\S]*?\\n\\}`).exec(types)?.[0] ?? '';

  it('a field Polar added after the baseline is optional, says why; one always sent is required', () => {
    const old = interfaceOf('Thing_2026_04');
    expect(old).toMatch(/ {2}id: string;/);
    expect(old).toMatch(/Sent since 2026-05-14: older events lack it\.[\s*/]*\n {2}note\?: string;/);
    // in the newer version the note has been there since its deliveries began
    expect(interfaceOf('Thing_2026_10')).toMatch(/ {2}note: string;/);
    expect(schemas).toMatch(/export const Thing_2026_04Schema[^;]*note: \$string\.optional\(\),/s);
  });

  it("the envelope's api_version is optional in every version", () => {
    for (const v of ['2026_04', '2026_10']) {
      expect(interfaceOf(`WebhookThingCreatedPayload_${v}`)).toMatch(/ {2}api_version\?: string;/);
    }
  });

  it('what the versions share is emitted once; what differs is named after its first version, the plain name is the union', () => {
    expect(types.match(/export interface Shared \{/g)).toHaveLength(1);
    expect(types).not.toMatch(/Shared_20/);
    expect(schemas.match(/export const SharedSchema\b/g)).toHaveLength(1);
    expect(types).toMatch(/export type Thing = Thing_2026_04 \| Thing_2026_10;/);
    expect(types).toMatch(/export type Price = Price_2026_04 \| Price_2026_10;/);
    expect(schemas).toMatch(
      /export const ThingSchema: z\.ZodType<T\.Thing> = closestOf<T\.Thing>\(\[\s*Thing_2026_04Schema,\s*Thing_2026_10Schema,?\s*\]\);/,
    );
  });

  it('guards: one per declaration, the differing field checked by version, the new price kind in its own version', () => {
    expect(guards.match(/export function isThing\(/g)).toHaveLength(1);
    expect(guards).not.toMatch(/function isThing_20/);
    // note: optional for 2026-04 (bit 1) only
    expect(guards).toMatch(/\(value\.note === undefined && \(v & 1\) !== 0\) \|\| isString\(value\.note\)/);
    expect(guards).toMatch(/function isPrice_2026_10\([\s\S]*case 'tiered':/);
    expect(guards).not.toMatch(/function isPrice_2026_04\([^}]*case 'tiered':/);
  });

  it('a required field without a date in the history is an error that names it', () => {
    const dir = syntheticSpec('no-date', (_specs, history) => {
      delete history.versions['2026-10'].models.Thing.fields.note;
    });
    const result = run(['--out', join(scratch, 'no-date-out'), '--spec', dir]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Thing.note');
  });

  it('a model that appeared after the baseline has its fields required from its own start', () => {
    const dir = syntheticSpec('late-model', (_specs, history) => {
      const thing = history.versions['2026-04'].models.Thing;
      thing.since = '2026-01-01';
      thing.fields = { id: '2026-01-01', note: '2026-01-01', shared: '2026-01-01', price: '2026-03-01' };
    });
    const late = join(scratch, 'late-model-out');
    generateInto(late, dir);
    const text = readFileSync(join(late, 'types.ts'), 'utf8');
    const thing = /export interface Thing_2026_04 \{[\s\S]*?\n\}/.exec(text)?.[0] ?? '';
    expect(thing).toMatch(/ {2}note: string;/);
    expect(thing).toMatch(/ {2}price\?: /);
  });
});

describe('what derives from the catalogue', () => {
  it('handler names: "on" + PascalCase of the type, dots and underscores removed', () => {
    expect(Object.keys(EVENT_HANDLER_NAMES).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const expected = `on${type
        .split(/[._]/)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('')}`;
      expect(EVENT_HANDLER_NAMES[type]).toBe(expected);
    }
    expect(EVENT_HANDLER_NAMES['benefit_grant.cycled']).toBe('onBenefitGrantCycled');
    expect(EVENT_HANDLER_NAMES['customer.state_changed']).toBe('onCustomerStateChanged');
    expect(new Set(Object.values(EVENT_HANDLER_NAMES)).size).toBe(EVENT_TYPES.length);
    expect(Object.isFrozen(EVENT_HANDLER_NAMES)).toBe(true);
  });

  it('isPolarWebhookEventType knows the 42 types and nothing else', () => {
    expect(EVENT_TYPES).toHaveLength(42);
    for (const type of EVENT_TYPES) expect(isPolarWebhookEventType(type)).toBe(true);
    for (const value of [
      'order.teleported',
      'toString',
      '__proto__',
      '',
      42,
      null,
      undefined,
      { type: 'order.paid' },
    ]) {
      expect(isPolarWebhookEventType(value)).toBe(false);
    }
  });
});
