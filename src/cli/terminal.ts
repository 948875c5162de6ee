import { styleText } from 'node:util';

/** What the commands write to: the streams, the environment, and whether each stream gets colour. */
export interface Terminal {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  /** Styles for text written to stdout (identity functions when it gets no colour). */
  readonly out: Styles;
  /** Styles for text written to stderr. */
  readonly err: Styles;
}

/** The few styles the output uses; each returns its text unchanged when colour is off. */
export interface Styles {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

type Stream = { isTTY?: boolean; hasColors?: () => boolean };

/**
 * Whether a stream gets colour, by the usual conventions: `--color` / `--no-color` first, then
 * `FORCE_COLOR` (any value but `0` or `false` turns it on, even into a pipe), then `NO_COLOR` (any
 * non-empty value turns it off), and otherwise only a terminal that says it has colours
 * (Node's own `hasColors()`, which also honours `TERM=dumb`).
 */
export function wantsColour(stream: Stream, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (!stream.isTTY) return false;
  return typeof stream.hasColors === 'function' ? stream.hasColors() : env['TERM'] !== 'dumb';
}

type Format = Parameters<typeof styleText>[0];

function styles(enabled: boolean): Styles {
  // util.styleText arrived in Node 20.12; before that, output is plain. The decision is ours (made
  // above, for the stream written to), so styleText must not second-guess it from stdout.
  const on = enabled && typeof styleText === 'function';
  const paint =
    (format: Format) =>
    (text: string): string =>
      on ? styleText(format, text, { validateStream: false }) : text;
  return {
    enabled: on,
    bold: paint('bold'),
    dim: paint('dim'),
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
  };
}

/** The process's own terminal, with colour decided per stream. */
export function processTerminal(colourFlag?: boolean): Terminal {
  const { stdout, stderr, env } = process;
  return {
    stdout,
    stderr,
    env,
    out: styles(wantsColour(stdout, env, colourFlag)),
    err: styles(wantsColour(stderr, env, colourFlag)),
  };
}

/** Characters that move the cursor or clear lines: only on a terminal. */
export const ERASE_LINE = '\r\x1b[2K';
