import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { EVENT_HANDLER_NAMES, EVENT_TYPES, isPolarWebhookEventType } from '../../src/events/catalogue';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'generate-schemas.mjs');
const GENERATED = join(ROOT, 'src', 'events', 'generated');
const SPEC = join(ROOT, 'spec', 'webhook-schemas.json');
const scratch = mkdtempSync(join(tmpdir(), 'polar-webhooks-generate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const generateInto = (dir: string, spec = SPEC) =>
  execFileSync(process.execPath, [SCRIPT, '--out', dir, '--spec', spec], { encoding: 'utf8' });

describe('scripts/generate-schemas.mjs', () => {
  it('regenerating from the unchanged spec reproduces the committed files byte for byte', () => {
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
    expect(spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' }).status).toBe(0);
    const out = join(scratch, 'stale');
    generateInto(out);
    writeFileSync(join(out, 'types.ts'), readFileSync(join(out, 'types.ts'), 'utf8') + '// edited by hand\n');
    const result = spawnSync(process.execPath, [SCRIPT, '--check', '--out', out], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/types\.ts is out of date/);
    expect(result.stderr).not.toMatch(/guards\.ts/);
    writeFileSync(
      join(out, 'guards.ts'),
      readFileSync(join(out, 'guards.ts'), 'utf8').replace("=== 'string'", "!== 'string'"),
    );
    const guards = spawnSync(process.execPath, [SCRIPT, '--check', '--out', out], { encoding: 'utf8' });
    expect(guards.status).toBe(1);
    expect(guards.stderr).toMatch(/guards\.ts is out of date/);
  });

  it("the output does not depend on the order of the spec's $defs", () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
    const reversed = Object.fromEntries(Object.entries(spec.$defs).reverse());
    const specPath = join(scratch, 'reordered-spec.json');
    writeFileSync(specPath, JSON.stringify({ ...spec, $defs: reversed }, null, 2));
    const out = join(scratch, 'reordered');
    generateInto(out, specPath);
    const guards = readFileSync(join(out, 'guards.ts'), 'utf8');
    const committed = readFileSync(join(GENERATED, 'guards.ts'), 'utf8');
    // the header names the spec's hash, which changed with the bytes; everything below it is the same
    const body = (text: string) => text.split('\n').slice(5).join('\n');
    expect(body(guards)).toBe(body(committed));
  });

  it('every generated file says which script made it, from which spec version, and not to edit it', () => {
    const text = readFileSync(SPEC, 'utf8');
    const sha = createHash('sha256').update(text).digest('hex').slice(0, 12);
    for (const file of readdirSync(GENERATED)) {
      const head = readFileSync(join(GENERATED, file), 'utf8').split('\n').slice(0, 5).join('\n');
      expect(head).toContain('scripts/generate-schemas.mjs');
      expect(head).toMatch(/do not edit by hand/);
      expect(head).toContain('Polar OpenAPI 2026-10');
      expect(head).toContain(`sha256 ${sha}`);
    }
  });

  it('follows the spec: a new event type and a new enum value appear in the output', () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
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
    const specPath = join(scratch, 'changed-spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const out = join(scratch, 'changed');
    generateInto(out, specPath);
    const types = readFileSync(join(out, 'types.ts'), 'utf8');
    const catalogue = readFileSync(join(out, 'catalogue.ts'), 'utf8');
    const guards = readFileSync(join(out, 'guards.ts'), 'utf8');
    expect(guards).toContain("'order.disputed': isWebhookOrderDisputedPayload,");
    expect(guards).toMatch(
      /export function isWebhookOrderDisputedPayload\(value: unknown\): value is T\.WebhookOrderDisputedPayload \{\n  return \(\n    isObject\(value\) &&\n    value\.type === 'order\.disputed' &&/,
    );
    expect(types).toMatch(/export type OrderStatus =[^;]*'void' \| 'disputed'\s*\| \(string & \{\}\);/);
    expect(types).toContain("'order.disputed': WebhookOrderDisputedPayload;");
    expect(catalogue).toContain("'order.disputed': WebhookOrderDisputedPayloadSchema,");
    expect(catalogue).toContain("'order.disputed': 'Sent when an order is disputed.',");
  });

  it('refuses a spec whose x-event-types names a payload that does not exist', () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
    spec['x-event-types']['order.lost'] = 'WebhookNowherePayload';
    const specPath = join(scratch, 'broken-spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const result = spawnSync(process.execPath, [SCRIPT, '--out', join(scratch, 'broken'), '--spec', specPath], {
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('WebhookNowherePayload');
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
