import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/events/catalogue';
import { assertCliBuilt, legacySecret, runCli, standardSecret, startReceiver, type Receiver } from './helpers';

interface TriggerReport {
  sent: number;
  ok: number;
  failed: number;
  scheme: string;
  groups: { group: string; sent: number; ok: number; statuses: Record<string, number>; problems: string[] }[];
}

describe('polar-webhooks trigger (the built bin, against a router on 127.0.0.1)', () => {
  const secret = standardSecret();
  let receiver: Receiver;
  let failing: Receiver;

  beforeAll(async () => {
    assertCliBuilt();
    receiver = await startReceiver({ secret });
    failing = await startReceiver({ secret }, { types: ['order.paid'] });
  });
  afterAll(async () => {
    await receiver?.close();
    await failing?.close();
  });

  it('--all: 42 realistic deliveries, each verified, validated and handled by the router, all 2xx', async () => {
    receiver.received.length = 0;
    const run = await runCli(['trigger', '--all', '--url', receiver.url, '--secret', secret]);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(receiver.received.map((r) => r.type).sort()).toEqual([...EVENT_TYPES].sort());
    expect(receiver.errors).toEqual([]);
    expect(receiver.statuses.slice(-42).every((status) => status === 202)).toBe(true);
    // Every delivery looks like Polar's: its own webhook id, the envelope's version in the header.
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(42);
    for (const r of receiver.received) expect(r.apiVersionHeader).toBe(r.event['api_version']);
    // The summary: one row per type, each answered 202, and the total.
    for (const type of EVENT_TYPES)
      expect(run.stdout).toMatch(new RegExp(`^${type.replace('.', '\\.')}\\s+1\\s+202\\s`, 'm'));
    expect(run.stdout).toContain('42 of 42 answered 2xx');
    expect(run.stdout).toMatch(/p50 ms\s+p99 ms/);
  });

  it('exits non-zero when the server answers 500 for one type, and says which and why', async () => {
    const run = await runCli(['trigger', '--all', '--url', failing.url, '--secret', secret, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as TriggerReport;
    expect(report).toMatchObject({ sent: 42, ok: 41, failed: 1 });
    const paid = report.groups.find((g) => g.group === 'order.paid');
    expect(paid).toMatchObject({ sent: 1, ok: 0, statuses: { '500': 1 } });
    expect(paid?.problems[0]).toMatch(/^500 handler_failed/);
    expect(report.groups.filter((g) => g.group !== 'order.paid').every((g) => g.statuses['202'] === 1)).toBe(true);

    const text = await runCli(['trigger', 'order.paid', 'order.created', '--url', failing.url, '--secret', secret]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^order\.paid\s+1\s+500\s/m);
    expect(text.stdout).toMatch(/✗ order\.paid: 500 handler_failed/);
    expect(text.stdout).toContain('1 of 2 not answered 2xx');
  });

  it('--set, --file, --api-version and --triggered shape what is sent; the router sees each of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polar-cli-trigger-'));
    try {
      const file = join(dir, 'overrides.json');
      // A `type` in the file does not override the type named on the command line.
      await writeFile(
        file,
        JSON.stringify({
          type: 'order.refunded',
          data: { metadata: { plan: 'team' }, customer: { email: 'jane@example.com' } },
        }),
      );
      receiver.received.length = 0;
      const run = await runCli([
        'trigger',
        'order.paid',
        '--url',
        receiver.url,
        '--secret',
        secret,
        '--api-version',
        '2027-01',
        '--file',
        file,
        '--set',
        'data.total_amount=4200',
        '--set',
        'data.customer.name=Zoë Café',
        '--triggered',
        '--header',
        'x-env: staging',
      ]);
      expect(run.stderr).not.toContain('error');
      expect(run.code).toBe(0);
      const [got] = receiver.received;
      const data = got?.event['data'] as Record<string, Record<string, unknown>>;
      expect(got).toMatchObject({ type: 'order.paid', triggered: true, apiVersionHeader: '2027-01' });
      expect(got?.event['api_version']).toBe('2027-01');
      expect(data['total_amount']).toBe(4200);
      expect(data['metadata']).toEqual({ plan: 'team' });
      expect(data['customer']).toMatchObject({ email: 'jane@example.com', name: 'Zoë Café' });
      // The body is compact JSON, as Polar sends it.
      expect(got?.body).toBe(JSON.stringify(JSON.parse(got?.body ?? '')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an override that breaks the schema, naming the path; --allow-invalid sends it (acknowledged, 202)', async () => {
    const refused = await runCli([
      'trigger',
      'order.paid',
      '--url',
      receiver.url,
      '--secret',
      secret,
      '--set',
      'data.total_amount="x"',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/data\.total_amount/);
    expect(refused.stderr).toContain('--allow-invalid');

    const errorsBefore = receiver.errors.length;
    const sent = await runCli([
      'trigger',
      'order.paid',
      '--url',
      receiver.url,
      '--secret',
      secret,
      '--set',
      'data.total_amount="x"',
      '--allow-invalid',
    ]);
    expect(sent.code).toBe(0);
    expect(receiver.errors.length).toBe(errorsBefore + 1);
    expect((receiver.errors.at(-1) as { code?: string }).code).toBe('invalid_payload');
  });

  it('signs as Polar does for the secret’s shape, or with --scheme', async () => {
    const legacy = legacySecret();
    const pinnedLegacy = await startReceiver({ secret: legacy, scheme: 'legacy' });
    const pinnedStandard = await startReceiver({ secret: legacy, scheme: 'standard' });
    try {
      // whsec_ + 43 characters: Polar signs such a secret with the legacy key.
      const byShape = await runCli([
        'trigger',
        'customer.created',
        '--url',
        pinnedLegacy.url,
        '--secret',
        legacy,
        '--json',
      ]);
      expect(byShape.code).toBe(0);
      expect((JSON.parse(byShape.stdout) as TriggerReport).scheme).toBe('legacy');
      const wrong = await runCli(['trigger', 'customer.created', '--url', pinnedStandard.url, '--secret', legacy]);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toContain('403 no_matching_signature');
      const chosen = await runCli([
        'trigger',
        'customer.created',
        '--url',
        pinnedStandard.url,
        '--secret',
        legacy,
        '--scheme',
        'standard',
      ]);
      expect(chosen.code).toBe(0);
    } finally {
      await pinnedLegacy.close();
      await pinnedStandard.close();
    }
  });

  it('--count and --concurrency: many deliveries, each with its own webhook id', async () => {
    receiver.received.length = 0;
    const run = await runCli([
      'trigger',
      'subscription.*',
      '--count',
      '3',
      '--concurrency',
      '4',
      '--url',
      receiver.url,
      '--secret',
      secret,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const families = EVENT_TYPES.filter((type) => type.startsWith('subscription.'));
    const report = JSON.parse(run.stdout) as TriggerReport;
    expect(report.sent).toBe(families.length * 3);
    expect(report.groups.map((g) => g.group)).toEqual(families);
    expect(receiver.received).toHaveLength(families.length * 3);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(families.length * 3);
  });

  it('usage errors say how to fix them, and exit 2', async () => {
    const typo = await runCli(['trigger', 'order.paid', '--url', receiver.url, '--secert', secret]);
    expect(typo).toMatchObject({ code: 2 });
    expect(typo.stderr).toContain('unknown option --secert. Did you mean --secret?');
    const type = await runCli(['trigger', 'order.payed', '--url', receiver.url, '--secret', secret]);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('Did you mean order.paid?');
    const noUrl = await runCli(['trigger', 'order.paid', '--secret', secret]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('needs --url');
    const noSecret = await runCli(['trigger', 'order.paid', '--url', receiver.url]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('POLAR_WEBHOOK_SECRET');
    const fromEnv = await runCli(['trigger', 'order.paid', '--url', receiver.url], { POLAR_WEBHOOK_SECRET: secret });
    expect(fromEnv.code).toBe(0);
    const placeholder = await runCli(['trigger', 'order.paid', '--url', receiver.url, '--secret', 'whsec_...']);
    expect(placeholder.code).toBe(2);
    expect(placeholder.stderr).toMatch(/placeholder/);
    const version = await runCli([
      'trigger',
      'order.paid',
      '--url',
      receiver.url,
      '--secret',
      secret,
      '--api-version',
      '2025-01',
    ]);
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/2026-04/);
    const command = await runCli(['trigerr']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('Did you mean trigger?');
  });

  it('no server: exit 1, and the reason in words', async () => {
    const closed = await startReceiver({ secret });
    const url = closed.url;
    await closed.close();
    const run = await runCli(['trigger', 'order.paid', '--url', url, '--secret', secret]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ECONNREFUSED');
    expect(run.stdout).toContain('is your server running');
  });

  it('--help for the bin and for every command', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const command of ['trigger', 'diagnose', 'replay']) {
      expect(overview.stdout).toContain(command);
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`polar-webhooks ${command}`);
      expect(help.stdout).toMatch(/--json/);
      expect(help.stdout).toMatch(/Exit codes/);
      expect(help.stdout).not.toMatch(/\x1b\[/);
    }
  });
});
