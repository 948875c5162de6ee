// The history rule (scripts/spec/field-history.mjs), proven end to end on a tiny synthetic Polar:
// a git repository whose v1.ts changes three times, exported by export-snapshots.mjs, then read back.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const EXPORT = join(ROOT, 'scripts', 'spec', 'export-snapshots.mjs');
const HISTORY = join(ROOT, 'scripts', 'spec', 'field-history.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'polar-webhooks-spec-history-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ref = (name: string) => `components['schemas']['${name}']`;

/** A v1.ts as openapi-typescript writes it, reduced to `components.schemas`. */
function v1ts(schemas: Record<string, string>): string {
  const members = Object.entries(schemas).map(([name, type]) => `    ${name}: ${type}`);
  return [
    'export interface paths {}',
    'export interface components {',
    '  schemas: {',
    ...members,
    '  }',
    '}',
    'export type $defs = Record<string, never>',
    '',
  ].join('\n');
}

const customerFields = '{ id: string; email: string; name: string | null; created_at: string }';
const customerFieldsWithExternalId =
  '{ id: string; email: string; name: string | null; created_at: string; external_id: string | null }';

/** Three states of Polar's models, in the order they landed. */
const STATES: { date: string; schemas: Record<string, string> }[] = [
  {
    date: '2025-03-01',
    schemas: {
      WebhookOrderCreatedPayload: `{ type: 'order.created'; data: ${ref('Order')} }`,
      WebhookCustomerCreatedPayload: `{ type: 'customer.created'; data: ${ref('OldCustomer')} }`,
      Order: `{ id: string; status: string; amount: number; legacy_note: string | null; customer: ${ref('OldCustomer')}; guest: ${ref('Guest')} | null }`,
      OldCustomer: customerFields,
      // looks even more like the later Customer, but what held it goes away with it: not a rename
      Guest: customerFieldsWithExternalId,
      // same fields, but no webhook payload reaches it: it was never sent
      Unreached: customerFieldsWithExternalId,
    },
  },
  {
    date: '2025-05-01',
    schemas: {
      WebhookOrderCreatedPayload: `{ type: 'order.created'; data: ${ref('Order')} }`,
      WebhookCustomerCreatedPayload: `{ type: 'customer.created'; data: ${ref('OldCustomer')} }`,
      WebhookRefundCreatedPayload: `{ type: 'refund.created'; data: ${ref('Refund')} }`,
      Order: `{ id: string; status: string; amount: number; legacy_note: string | null; customer: ${ref('OldCustomer')}; guest: ${ref('Guest')} | null }`,
      OldCustomer: customerFields,
      Guest: customerFieldsWithExternalId,
      Refund: '{ id: string; amount: number; order_id: string; note?: string | null }',
    },
  },
  {
    date: '2025-08-01',
    schemas: {
      WebhookOrderCreatedPayload: `{ type: 'order.created'; data: ${ref('Order')} }`,
      WebhookCustomerCreatedPayload: `{ type: 'customer.created'; data: ${ref('Customer')} }`,
      WebhookRefundCreatedPayload: `{ type: 'refund.created'; data: ${ref('Refund')} }`,
      Order: `{ id: string; status: ${ref('OrderStatus')}; amount: number; receipt_number: string | null; customer: ${ref('Customer')} }`,
      OrderStatus: "'paid' | 'pending'",
      Customer: customerFieldsWithExternalId,
      Refund: '{ id: string; amount: number; order_id: string }',
    },
  },
];

const str = { type: 'string' };
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const object = (properties: Record<string, object>, required: string[]) => ({ type: 'object', properties, required });
const $ref = (name: string) => ({ $ref: `#/$defs/${name}` });

/** The newest point: a per-version schema as build-versions.mjs writes them. */
const NEWEST = {
  $defs: {
    WebhookOrderCreatedPayload: object(
      { type: { type: 'string', const: 'order.created' }, timestamp: str, data: $ref('Order') },
      ['type', 'timestamp', 'data'],
    ),
    WebhookCustomerCreatedPayload: object(
      { type: { type: 'string', const: 'customer.created' }, data: $ref('Customer') },
      ['type', 'data'],
    ),
    WebhookRefundCreatedPayload: object({ type: { type: 'string', const: 'refund.created' }, data: $ref('Refund') }, [
      'type',
      'data',
    ]),
    Order: object(
      {
        id: str,
        status: $ref('OrderStatus'),
        amount: { type: 'integer' },
        receipt_number: nullable(str),
        customer: $ref('Customer'),
        tax_amount: { type: 'integer' },
      },
      ['id', 'status', 'amount', 'receipt_number', 'customer', 'tax_amount'],
    ),
    OrderStatus: { type: 'string', enum: ['paid', 'pending', 'void'] },
    Customer: object({ id: str, email: str, name: nullable(str), created_at: str, external_id: nullable(str) }, [
      'id',
      'email',
      'name',
      'created_at',
    ]),
    Refund: object({ id: str, amount: { type: 'integer' }, order_id: str, note: nullable(str) }, [
      'id',
      'amount',
      'order_id',
    ]),
  },
};
const NEWEST_DATE = '2026-09-30';

const repo = join(scratch, 'polar');
const snapshots = join(scratch, 'snapshots');
const out = join(scratch, 'field-history.json');
let history: {
  baseline: string;
  versions: Record<
    string,
    {
      snapshots: { count: number; first: string; last: string };
      models: Record<
        string,
        {
          since: string;
          fields: Record<string, string>;
          renamedFrom?: { name: string; until: string }[];
          removed?: Record<string, string>;
          gaps?: Record<string, { from: string; until: string }[]>;
          typeChanges?: Record<
            string,
            { date: string; from?: string; to?: string; accepted: boolean; newestAccepts: boolean }[]
          >;
          ownTypeChanges?: { date: string; added?: string[]; removed?: string[]; accepted: boolean }[];
        }
      >;
    }
  >;
};

function git(...args: string[]) {
  return execFileSync(
    'git',
    ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    {
      encoding: 'utf8',
    },
  );
}

function commitAt(date: string, message: string) {
  execFileSync(
    'git',
    [
      '-C',
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.invalid',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-qam',
      message,
    ],
    { env: { ...process.env, GIT_AUTHOR_DATE: `${date}T12:00:00Z`, GIT_COMMITTER_DATE: `${date}T12:00:00Z` } },
  );
}

function runHistory(output: string) {
  const newestFile = join(scratch, 'newest.json');
  return execFileSync(
    process.execPath,
    [HISTORY, '--snapshots', snapshots, '--newest', newestFile, '--out', output, '--baseline', '2025-04-01'],
    { encoding: 'utf8' },
  );
}

beforeAll(() => {
  mkdirSync(join(repo, 'clients', 'packages', 'client', 'src'), { recursive: true });
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, 'README.md'), 'synthetic\n');
  const v1 = join(repo, 'clients', 'packages', 'client', 'src', 'v1.ts');
  for (const [i, state] of STATES.entries()) {
    writeFileSync(v1, v1ts(state.schemas));
    if (i === 0) git('add', '.');
    commitAt(state.date, `state ${i}`);
    // a commit that does not touch v1.ts is not a snapshot
    writeFileSync(join(repo, 'README.md'), `synthetic ${i}\n`);
    commitAt(state.date, `readme ${i}`);
  }
  execFileSync(process.execPath, [EXPORT, '--repo', repo, '--out', snapshots], { encoding: 'utf8' });
  writeFileSync(join(scratch, 'newest.schema.json'), JSON.stringify(NEWEST));
  const point = [{ date: NEWEST_DATE, source: 'sdk', file: 'newest.schema.json' }];
  writeFileSync(join(scratch, 'newest.json'), JSON.stringify({ '2026-04': point, '2026-10': point }));
  runHistory(out);
  history = JSON.parse(readFileSync(out, 'utf8'));
});

describe('scripts/spec/export-snapshots.mjs', () => {
  it('exports each version of v1.ts that landed, oldest first, with its commit date', () => {
    const manifest = JSON.parse(readFileSync(join(snapshots, 'manifest.json'), 'utf8'));
    expect(manifest.snapshots.map((s: { source: string; date: string }) => [s.source, s.date])).toEqual(
      STATES.map((s) => ['v1.ts', s.date]),
    );
    const first = manifest.snapshots[0];
    expect(readFileSync(join(snapshots, first.file), 'utf8')).toBe(v1ts(STATES[0]!.schemas));
    expect(git('rev-parse', 'HEAD').trim()).toBe(manifest.rev);
  });

  it('refuses to write the snapshots into the repository', () => {
    const result = spawnSync(process.execPath, [EXPORT, '--repo', repo, '--out', join(ROOT, 'spec', 'snapshots')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/inside the repository/);
  });
});

describe('scripts/spec/field-history.mjs', () => {
  const model = (version: string, name: string) => {
    const found = history.versions[version]?.models[name];
    if (!found) throw new Error(`${version}: no ${name} in the history`);
    return found;
  };

  it('dates a field from the first snapshot of its unbroken run through the newest', () => {
    const order = model('2026-04', 'Order');
    expect(order.since).toBe('2025-03-01');
    expect(order.fields).toEqual({
      id: '2025-03-01',
      status: '2025-03-01',
      amount: '2025-03-01',
      receipt_number: '2025-08-01', // added later
      customer: '2025-03-01',
      tax_amount: NEWEST_DATE, // only the newest point has it
    });
    expect(model('2026-04', 'WebhookOrderCreatedPayload').fields.timestamp).toBe(NEWEST_DATE);
  });

  it('lists the fields an earlier self had and the newest lacks, with when they went', () => {
    expect(model('2026-04', 'Order').removed).toEqual({ guest: '2025-08-01', legacy_note: '2025-08-01' });
  });

  it('starts a model that appears later at its first snapshot, and restarts a field after a gap', () => {
    const refund = model('2026-04', 'Refund');
    expect(refund.since).toBe('2025-05-01');
    expect(refund.fields.id).toBe('2025-05-01');
    expect(refund.fields.note).toBe(NEWEST_DATE);
    expect(refund.gaps).toEqual({ note: [{ from: '2025-08-01', until: NEWEST_DATE }] });
  });

  it('follows a renamed model back under its old name, and only where what held it holds the new one', () => {
    const customer = model('2026-04', 'Customer');
    expect(customer.renamedFrom).toEqual([{ name: 'OldCustomer', until: '2025-08-01', similarity: 0.8 }]);
    expect(customer.since).toBe('2025-03-01');
    expect(customer.fields.email).toBe('2025-03-01');
    // Guest had external_id all along, but it was not the Customer's earlier self
    expect(customer.fields.external_id).toBe('2025-08-01');
  });

  it('lists type changes, and whether the newest type still accepts the older values', () => {
    expect(model('2026-04', 'Order').typeChanges).toEqual({
      status: [{ date: '2025-08-01', from: 'string', to: 'OrderStatus', accepted: false, newestAccepts: false }],
    });
    expect(model('2026-04', 'OrderStatus').ownTypeChanges).toEqual([
      { date: NEWEST_DATE, added: ['"void"'], removed: [], accepted: true, newestAccepts: true },
    ]);
    // integer in the newest schema, number in v1.ts: openapi-typescript cannot tell, so no change
    expect(model('2026-04', 'Order').typeChanges?.amount).toBeUndefined();
  });

  it('starts a newer version at the snapshot in force when versioned deliveries began', () => {
    const version = history.versions['2026-10']!;
    expect(version.snapshots).toMatchObject({ count: 2, first: '2025-08-01', last: NEWEST_DATE });
    const order = model('2026-10', 'Order');
    expect(order.since).toBe('2025-08-01');
    expect(order.fields.receipt_number).toBe('2025-08-01');
    expect(model('2026-10', 'Customer').renamedFrom).toBeUndefined();
  });

  it('covers exactly the models of the newest point, records the baseline, and rebuilds the same bytes', () => {
    for (const version of ['2026-04', '2026-10'])
      expect(Object.keys(history.versions[version]!.models).sort()).toEqual(Object.keys(NEWEST.$defs).sort());
    expect(history.baseline).toBe('2025-04-01');
    const again = join(scratch, 'again.json');
    runHistory(again);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });
});
