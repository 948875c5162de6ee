import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from './closest';
import type { Styles } from './terminal';
import { UsageError } from './usage-error';

/** One option of a command, as `util.parseArgs` takes it, with what `--help` says about it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in the help (`<url>`). */
  readonly value?: string;
  readonly description: string;
}

/** A command: its name, what it does, its options, and the rest of its help. */
export interface CommandSpec {
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** The usage lines, without the program name. */
  readonly usage: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs after the options: exit codes, examples. */
  readonly sections: readonly { readonly title: string; readonly lines: readonly string[] }[];
}

/** The program's name, as users type it. */
export const PROGRAM = 'polar-webhooks';

/** The exit code of a bug (an unexpected error), never a verdict, so that scripts cannot mistake one for the other. */
export const EXIT_INTERNAL = 70;

/** Options every command has. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'write one JSON document to stdout, for scripts (no colour, no progress)' },
  color: { type: 'boolean', description: 'colour even when stdout is not a terminal (as FORCE_COLOR=1)' },
  'no-color': { type: 'boolean', description: 'never colour (as NO_COLOR=1)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command line said: its option values and positional arguments. */
export interface ParsedCommandLine {
  readonly values: Values;
  readonly positionals: readonly string[];
}

/** The hint every usage error ends with. */
export function helpHint(command: string): string {
  return `Run \`${PROGRAM} ${command} --help\` for its options.`;
}

/**
 * Parses `argv` against the command's options with `util.parseArgs` (strict: an unknown option is an
 * error naming the closest known one, never ignored).
 *
 * @throws {@link UsageError} for an unknown option, a missing value, or a value given to a flag.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedCommandLine {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, { type, short, multiple }] of Object.entries(options)) {
    config[name] = { type, ...(short !== undefined && { short }), ...(multiple !== undefined && { multiple }) };
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: config,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const names = Object.keys(options);
      const suggestion = closest(unknown[2] as string, names);
      throw new UsageError(
        `${PROGRAM} ${spec.name}: unknown option ${unknown[1]}${unknown[2]}.` +
          `${suggestion ? ` Did you mean --${suggestion}?` : ''} ${helpHint(spec.name)}`,
      );
    }
    throw new UsageError(`${PROGRAM} ${spec.name}: ${message.replace(/\s*\n\s*/g, ' ')} ${helpHint(spec.name)}`);
  }
}

/** A string option's value, or `undefined`. */
export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string option's values: every one of a repeatable option, or the one of a single option. */
export function stringList(values: Values, name: string): string[] {
  const value = values[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A whole-number option within bounds, or its default. */
export function integerOption(
  values: Values,
  command: string,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < min || number > max) {
    throw new UsageError(
      `${PROGRAM} ${command}: --${name} must be a whole number from ${min} to ${max} (got "${text}"). ${helpHint(command)}`,
    );
  }
  return number;
}

/** The colour flag: `true` for --color, `false` for --no-color, `undefined` for neither (the environment decides). */
export function colourFlag(argv: readonly string[]): boolean | undefined {
  let flag: boolean | undefined;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--color') flag = true;
    else if (arg === '--no-color') flag = false;
  }
  return flag;
}

/** The command's `--help` text. */
export function helpText(spec: CommandSpec, style: Styles): string {
  const lines: string[] = [`${style.bold(`${PROGRAM} ${spec.name}`)}: ${spec.summary}`, '', style.bold('Usage')];
  for (const usage of spec.usage) lines.push(`  ${PROGRAM} ${usage}`);
  lines.push('', style.bold('Options'));
  const all = Object.entries({ ...spec.options, ...COMMON_OPTIONS });
  const labels = all.map(
    ([name, option]) =>
      `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''}`,
  );
  const width = Math.max(...labels.map((label) => label.length)) + 2;
  all.forEach(([, option], i) => {
    const label = labels[i] as string;
    lines.push(`  ${style.cyan(label)}${' '.repeat(width - label.length)}${option.description}`);
  });
  for (const section of spec.sections) {
    lines.push('', style.bold(section.title));
    for (const line of section.lines) lines.push(line === '' ? '' : `  ${line}`);
    if (section.title === 'Exit codes')
      lines.push(`  ${EXIT_INTERNAL} an internal error: a bug in ${PROGRAM}, please report it`);
  }
  return `${lines.join('\n')}\n`;
}
