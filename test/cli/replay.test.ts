import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureToDirectory, type DirectoryCapture } from '../../src/capture/index';
import { assertCliBuilt, runCli, standardSecret, startReceiver, type Receiver } from './helpers';

describe('capture in production, then replay locally (the built bin)', () => {
  const productionSecret = standardSecret();
  const localSecret = standardSecret();
  let dir: string;
  let capture: DirectoryCapture;
  let production: Receiver;
  let local: Receiver;
  let capturedId: string;

  beforeAll(async () => {
    assertCliBuilt();
    dir = await mkdtemp(join(tmpdir(), 'polar-cli-replay-'));
    capture = captureToDirectory(dir);
    production = await startReceiver({ secret: productionSecret, capture });
    const sent = await runCli([
      'trigger',
      'order.paid',
      '--set',
      'data.total_amount=4200',
      '--triggered',
      '--url',
      production.url,
      '--secret',
      productionSecret,
    ]);
    expect(sent.code).toBe(0);
    await capture.flush();
    capturedId = production.received[0]?.id as string;
    // The local server's handler fails for exactly the delivery captured in production.
    local = await startReceiver({ secret: localSecret }, { ids: [capturedId] });
  });
  afterAll(async () => {
    await production?.close();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('captures each verified delivery: its headers and its raw body', async () => {
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const file = JSON.parse(await readFile(join(dir, files[0] as string), 'utf8')) as {
      id: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(file.id).toBe(capturedId);
    expect(file.body).toBe(production.received[0]?.body);
    expect(file.headers).toMatchObject({
      'webhook-id': capturedId,
      'x-polar-triggered': 'true',
      'user-agent': 'polar.sh webhooks',
    });
    // What was captured verifies as it is, with the production secret.
    const diagnosed = await runCli(['diagnose', join(dir, files[0] as string), '--secret', productionSecret]);
    expect(diagnosed.stdout).toContain('matches');
    expect(diagnosed.code).toBe(0);
  });

  it('replay re-signs and re-sends it (same id, same body, fresh timestamp), reproducing the failure', async () => {
    const before = Date.now();
    const run = await runCli(['replay', dir, '--url', local.url, '--secret', localSecret]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${capturedId} order\\.paid\\s+1\\s+500\\s`, 'm'));
    expect(run.stdout).toContain('500 handler_failed');
    const [again] = local.received;
    expect(again?.id).toBe(capturedId);
    expect(again?.body).toBe(production.received[0]?.body);
    expect((again?.event['data'] as { total_amount: number }).total_amount).toBe(4200);
    expect(again?.triggered).toBe(true);
    expect(again?.apiVersionHeader).toBe(production.received[0]?.apiVersionHeader);
    expect(again?.timestamp.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('replay of a single file to a healthy server exits 0; --json reports each file', async () => {
    const [name] = await readdir(dir);
    const run = await runCli([
      'replay',
      join(dir, name as string),
      '--url',
      production.url,
      '--secret',
      productionSecret,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { sent: number; ok: number; files: { id: string; status: number }[] };
    expect(report).toMatchObject({ sent: 1, ok: 1, files: [{ id: capturedId, status: 202 }] });
  });

  it('says what is wrong with what it is given', async () => {
    const none = await runCli(['replay', '--url', local.url, '--secret', localSecret]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('captureToDirectory');
    const missing = await runCli(['replay', join(dir, 'nope.json'), '--url', local.url, '--secret', localSecret]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
  });
});
