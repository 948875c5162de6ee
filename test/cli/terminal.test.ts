import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/events/catalogue';
import { assertCliBuilt, CLI, runCli, standardSecret, startReceiver, type Receiver } from './helpers';

/** A colour or style escape (SGR); erasing a line (`\x1b[2K`) is not one. */
const SGR = /\x1b\[[\d;]*m/;
const strip = (text: string): string => text.replace(/\x1b\[[\d;]*[A-Za-z]/g, '');

/** Runs the bin in a pseudo-terminal (util-linux `script`), stdout and stderr both on it. */
function inTerminal(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  // A clean environment: CI runners set CI (and others set TEAMCITY_VERSION, NODE_DISABLE_COLORS…),
  // which Node's hasColors() reads as "no colours", so only what the bin needs is passed on.
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { env: { ...base, TERM: 'xterm-256color', ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout }),
    );
  });
}

describe('terminal conventions of the bin: progress and colour on a terminal only', () => {
  const secret = standardSecret();
  let receiver: Receiver;

  beforeAll(async () => {
    assertCliBuilt();
    receiver = await startReceiver({ secret });
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('trigger --count 200 in a pseudo-terminal: a progress bar, then the summary table, in colour', async () => {
    const before = receiver.received.length;
    const { code, output } = await inTerminal([
      'trigger',
      'order.paid',
      '--count',
      '200',
      '--concurrency',
      '16',
      '--url',
      receiver.url,
      '--secret',
      secret,
    ]);
    expect(code).toBe(0);
    expect(receiver.received.length - before).toBe(200);
    // Frames redrawn in place, from the first to the last.
    const frames = output.split('\r\x1b[2K').slice(1).map(strip);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toMatch(/^░+ 0\/200\s+0%/);
    expect(frames.at(-1)).toMatch(/^█{28} 200\/200 100%/);
    expect(SGR.test(output)).toBe(true);
    const plain = strip(output);
    expect(plain).toMatch(/type\s+sent\s+status\s+p50 ms\s+p99 ms/);
    expect(plain).toMatch(/order\.paid\s+200\s+202 ×200\s+\d+(\.\d)?\s+\d+(\.\d)?/);
    expect(plain).toContain('200 of 200 answered 2xx');
  });

  it('NO_COLOR: the same progress and summary, without colour', async () => {
    const { code, output } = await inTerminal(
      ['trigger', 'order.paid', '--count', '5', '--url', receiver.url, '--secret', secret],
      {
        NO_COLOR: '1',
      },
    );
    expect(code).toBe(0);
    expect(output).toContain('\r\x1b[2K');
    expect(output).toContain('5/5 100%');
    expect(SGR.test(output)).toBe(false);
    const noColorFlag = await inTerminal([
      'trigger',
      'order.paid',
      '--url',
      receiver.url,
      '--secret',
      secret,
      '--no-color',
    ]);
    expect(SGR.test(noColorFlag.output)).toBe(false);
  });

  it('into a pipe: no progress, no colour; FORCE_COLOR or --color colours it anyway', async () => {
    const piped = await runCli(['trigger', 'order.paid', 'order.created', '--url', receiver.url, '--secret', secret]);
    expect(piped.code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[');
    expect(piped.stdout).toContain('2 of 2 answered 2xx');
    const forced = await runCli(['trigger', 'order.paid', '--url', receiver.url, '--secret', secret], {
      FORCE_COLOR: '1',
    });
    expect(SGR.test(forced.stdout)).toBe(true);
    expect(forced.stderr).not.toContain('\x1b[2K');
    const flag = await runCli(['trigger', 'order.paid', '--url', receiver.url, '--secret', secret, '--color']);
    expect(SGR.test(flag.stdout)).toBe(true);
  });

  it('--json on a terminal: one JSON document, no progress, no colour', async () => {
    const { code, output } = await inTerminal([
      'trigger',
      '--all',
      '--url',
      receiver.url,
      '--secret',
      secret,
      '--json',
    ]);
    expect(code).toBe(0);
    expect(output).not.toContain('\x1b[');
    const report = JSON.parse(output.replace(/\r\n/g, '\n')) as { sent: number; ok: number };
    expect(report).toMatchObject({ sent: EVENT_TYPES.length, ok: EVENT_TYPES.length });
  });
});
