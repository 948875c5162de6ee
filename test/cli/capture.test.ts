import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureToDirectory, readCapturedDelivery, CAPTURE_FILE_FORMAT } from '../../src/capture/index';
import { WebhookConfigurationError } from '../../src/errors';
import type { CapturedDelivery } from '../../src/router/types';

let n = 0;
function delivery(body = `{"type":"order.paid","n":${++n}}`): CapturedDelivery {
  return {
    id: `msg_${n}`,
    timestamp: new Date(1_790_000_000_000 + n * 1000),
    headers: { 'webhook-id': `msg_${n}`, 'webhook-timestamp': '1790000000', 'webhook-signature': 'v1,abc' },
    body,
  };
}

/** The capture files in `dir`, oldest first. */
async function captures(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
}

describe('captureToDirectory', () => {
  let dir: string;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'polar-capture-')), 'nested', 'captures');
    warnings.length = 0;
  });
  afterEach(async () => {
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  });

  it('writes each delivery to a file of its own, off the call: headers and body exactly as given', async () => {
    const capture = captureToDirectory(dir, { logger });
    const body = '{"type":"order.paid", "data": {"name":"Zoë \\u00e9"}}\n';
    const given = delivery(body);
    const returned = capture(given);
    expect(returned).toBeUndefined();
    // Nothing is written before the call returns: the directory does not exist yet.
    await expect(readdir(dir)).rejects.toThrow();
    await capture.flush();
    const [name] = await captures(dir);
    expect(name).toMatch(/^\d{8}T\d{9}Z-msg_\d+-[0-9a-z]{6}\.json$/);
    const text = await readFile(join(dir, name as string), 'utf8');
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(file).toMatchObject({ format: CAPTURE_FILE_FORMAT, id: given.id, headers: given.headers, body });
    const back = readCapturedDelivery(text, name);
    expect(back.body).toBe(body);
    expect(back.timestamp.getTime()).toBe(given.timestamp.getTime());
    expect(back.capturedAt).toBeInstanceOf(Date);
    expect(capture.dropped).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('bounds its queue: beyond queueSize deliveries are dropped, with one warning per burst', async () => {
    const capture = captureToDirectory(dir, { queueSize: 2, logger });
    for (let i = 0; i < 5; i++) capture(delivery());
    expect(capture.dropped).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('queue');
    await capture.flush();
    expect(await captures(dir)).toHaveLength(2);
    // The queue drained: the next burst warns again, once.
    for (let i = 0; i < 4; i++) capture(delivery());
    expect(warnings).toHaveLength(2);
    await capture.flush();
  });

  it('caps the directory by files and bytes, removing its own oldest files only', async () => {
    const capture = captureToDirectory(dir, { maxFiles: 3, logger });
    capture(delivery());
    await capture.flush();
    await writeFile(join(dir, 'notes.json'), '{"mine":true}');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = delivery();
      ids.push(d.id);
      capture(d);
      await capture.flush();
    }
    const left = await captures(dir);
    expect(left).toContain('notes.json');
    const ours = left.filter((name) => name !== 'notes.json');
    expect(ours).toHaveLength(3);
    expect(ours.map((name) => /-(msg_\d+)-/.exec(name)?.[1])).toEqual(ids.slice(-3));

    const small = captureToDirectory(join(dir, 'bytes'), { maxBytes: 1200, logger });
    for (let i = 0; i < 6; i++) {
      small(delivery(`{"pad":"${'x'.repeat(200)}"}`));
      await small.flush();
    }
    let total = 0;
    for (const name of await captures(join(dir, 'bytes'))) total += (await readFile(join(dir, 'bytes', name))).length;
    expect(total).toBeLessThanOrEqual(1200);
    expect(total).toBeGreaterThan(0);
    small(delivery(`{"pad":"${'x'.repeat(2000)}"}`));
    await small.flush();
    expect(small.dropped).toBe(1);
    expect(warnings.at(-1)).toContain('maxBytes');
  });

  it('counts the capture files already there when it starts', async () => {
    const first = captureToDirectory(dir, { maxFiles: 2, logger });
    for (let i = 0; i < 2; i++) {
      first(delivery());
      await first.flush();
    }
    const second = captureToDirectory(dir, { maxFiles: 2, logger });
    second(delivery());
    await second.flush();
    expect(await captures(dir)).toHaveLength(2);
  });

  it('a failed write is a warning, never an exception', async () => {
    await writeFile(join(dir, '..', '..', 'file'), 'not a directory');
    const capture = captureToDirectory(join(dir, '..', '..', 'file', 'sub'), { logger });
    capture(delivery());
    await capture.flush();
    expect(capture.dropped).toBe(1);
    expect(warnings[0]).toMatch(/could not write a captured delivery to .* \((ENOTDIR|ENOENT|EEXIST)\)/);
  });

  it('refuses bad options, and a runtime without a file system, with WebhookConfigurationError', () => {
    expect(() => captureToDirectory(dir, { maxFiles: 0 })).toThrow(/maxFiles must be a positive whole number/);
    expect(() => captureToDirectory(dir, { maxFile: 3 } as never)).toThrow(/Did you mean "maxFiles"/);
    expect(() => captureToDirectory('')).toThrow(WebhookConfigurationError);
    const proc = globalThis.process as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      let error: unknown;
      try {
        captureToDirectory(dir);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WebhookConfigurationError);
      expect(error).toMatchObject({ code: 'unsupported_runtime' });
      expect((error as Error).message).toContain('Pass your own function as the capture option');
    } finally {
      proc.getBuiltinModule = original;
    }
  });

  it('reads hand-made captures, and says what a file lacks', () => {
    const back = readCapturedDelivery(
      JSON.stringify({ headers: { 'Webhook-Id': 'msg_x', 'webhook-timestamp': '1790000000' }, body: '{}' }),
    );
    expect(back).toMatchObject({ id: 'msg_x', body: '{}', headers: { 'webhook-id': 'msg_x' } });
    expect(back.timestamp.getTime()).toBe(1_790_000_000_000);
    expect(() => readCapturedDelivery('{"headers":{}}', 'x.json')).toThrow(
      /x\.json is not a captured delivery: it has no string "body"/,
    );
    expect(() => readCapturedDelivery('nope', 'y.json')).toThrow(/not JSON/);
  });
});
