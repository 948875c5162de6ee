import { ERASE_LINE, type Terminal } from './terminal';

/** A progress bar on stderr: drawn only on a terminal, at most every few frames a second. */
export interface Progress {
  /** Counts one finished delivery. */
  tick(ok: boolean): void;
  /** Draws the last frame and moves below it. */
  done(): void;
}

const WIDTH = 28;
const FRAME_MS = 80;

/** A bar for `total` deliveries; silent (both methods do nothing) unless stderr is a terminal and `enabled`. */
export function createProgress(total: number, terminal: Terminal, enabled: boolean): Progress {
  const stream = terminal.stderr;
  if (!enabled || !stream.isTTY || total < 2) return { tick: () => undefined, done: () => undefined };
  const style = terminal.err;
  let finished = 0;
  let failed = 0;
  let last = 0;
  const draw = (): void => {
    const filled = Math.round((finished / total) * WIDTH);
    const bar = style.green('█'.repeat(filled)) + style.dim('░'.repeat(WIDTH - filled));
    const percent = `${Math.floor((finished / total) * 100)}%`.padStart(4);
    const failures = failed > 0 ? `  ${style.red(`${failed} not 2xx`)}` : '';
    stream.write(`${ERASE_LINE}${bar} ${finished}/${total} ${percent}${failures}`);
  };
  draw();
  return {
    tick(ok) {
      finished++;
      if (!ok) failed++;
      const now = performance.now();
      if (now - last >= FRAME_MS || finished === total) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}
