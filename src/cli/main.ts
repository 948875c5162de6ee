/**
 * The `polar-webhooks` bin: `trigger`, `diagnose`, `replay`. Node only; it uses the library through
 * its published entry points, so it diagnoses with the very verifier an app runs.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { closest } from './closest';
import { colourFlag, EXIT_INTERNAL, PROGRAM } from './command-line';
import { processTerminal, type Terminal } from './terminal';
import { EXIT_USAGE, UsageError } from './usage-error';

interface Command {
  readonly summary: string;
  run(argv: readonly string[], terminal: Terminal): Promise<number>;
}

/** Each command loads only when it runs, so that `--help` and a mistyped command answer at once. */
const COMMANDS: Readonly<Record<string, Command>> = {
  trigger: {
    summary: 'send realistic, correctly signed deliveries of chosen event types to your endpoint',
    run: async (argv, terminal) => (await import('./trigger')).runTrigger(argv, terminal),
  },
  diagnose: {
    summary: 'explain why a delivery verifies or not, and check its payload',
    run: async (argv, terminal) => (await import('./diagnose')).runDiagnose(argv, terminal),
  },
  replay: {
    summary: 'send captured deliveries again, re-signed, to reproduce a production problem locally',
    run: async (argv, terminal) => (await import('./replay')).runReplay(argv, terminal),
  },
};

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

function overview(terminal: Terminal): string {
  const style = terminal.out;
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    `${style.bold(PROGRAM)}: send, diagnose and replay Polar webhooks against your own endpoint`,
    '',
    style.bold('Usage'),
    `  ${PROGRAM} <command> [options]`,
    '',
    style.bold('Commands'),
    ...Object.entries(COMMANDS).map(
      ([name, command]) => `  ${style.cyan(name)}${' '.repeat(width - name.length)}${command.summary}`,
    ),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options. The secret may come from POLAR_WEBHOOK_SECRET.`,
    'Colour only on a terminal; NO_COLOR and FORCE_COLOR are honoured, as are --no-color and --color.',
    '',
  ].join('\n');
}

/** Runs the bin with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    terminal.stdout.write(overview(terminal));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    terminal.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    const command = COMMANDS[name];
    if (command === undefined || !Object.hasOwn(COMMANDS, name)) {
      const suggestion = closest(name, Object.keys(COMMANDS));
      throw new UsageError(
        `${PROGRAM}: unknown command "${name}".${suggestion ? ` Did you mean ${suggestion}?` : ''} ` +
          `Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`${PROGRAM} --help\`.`,
      );
    }
    return await command.run(rest, terminal);
  } catch (error) {
    if (error instanceof UsageError) {
      terminal.stderr.write(`${terminal.err.red('error:')} ${error.message}\n`);
      return EXIT_USAGE;
    }
    terminal.stderr.write(
      `${terminal.err.red('internal error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` +
        'This is a bug in polar-webhooks: please report it with the command you ran.\n',
    );
    return EXIT_INTERNAL;
  }
}

// Piped into `head`: a closed stdout ends the run quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const argv = process.argv.slice(2);
main(argv, processTerminal(colourFlag(argv))).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT_INTERNAL;
  },
);
