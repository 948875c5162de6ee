import { helpText, integerOption, parseCommandLine, PROGRAM, stringOption, type CommandSpec } from './command-line';
import { readDeliveryInput } from './delivery-input';
import { readApiVersion } from './delivery-options';
import { diagnose } from './diagnosis';
import type { Finding } from './finding';
import { DIAGNOSE_EXIT } from './exit-codes';
import { secretsFrom } from './secrets';
import type { Styles, Terminal } from './terminal';
import { UsageError } from './usage-error';

/** `polar-webhooks diagnose`. */
export const DIAGNOSE: CommandSpec = {
  name: 'diagnose',
  summary: 'explain why a delivery verifies or not, and check its payload',
  usage: [
    'diagnose <capture.json | request.txt> --secret <secret> [options]',
    'diagnose --headers <file> --body <file> --secret <secret> [options]',
  ],
  options: {
    secret: {
      type: 'string',
      multiple: true,
      value: '<secret>',
      description: 'the secret as your app has it (repeat for a rotation list; default: $POLAR_WEBHOOK_SECRET)',
    },
    headers: {
      type: 'string',
      value: '<file>',
      description: 'the headers: JSON ({"webhook-id": …}), a capture file, or the raw request as received',
    },
    body: { type: 'string', value: '<file>', description: 'the raw body, byte for byte as your app got it' },
    now: {
      type: 'string',
      value: '<time>',
      description: 'check the timestamp against this time (ISO 8601 or Unix seconds), to re-check an old capture',
    },
    tolerance: { type: 'string', value: '<seconds>', description: 'the timestamp tolerance (default 300)' },
    scheme: {
      type: 'string',
      value: '<auto|legacy|standard>',
      description: 'the key scheme your app pins (default auto: both keys)',
    },
    'api-version': {
      type: 'string',
      value: '<version>',
      description: 'the API version your endpoint is set to, to flag a payload made in another',
    },
  },
  sections: [
    {
      title: 'Exit codes',
      lines: Object.values(DIAGNOSE_EXIT).map(({ code, meaning }) => `${code}  ${meaning}`),
    },
    {
      title: 'Examples',
      lines: [
        `${PROGRAM} diagnose captured-webhooks/20260921T141320123Z-msg_2x…json --now 2026-09-21T14:13:21Z`,
        `${PROGRAM} diagnose --headers headers.json --body body.json --secret "$POLAR_WEBHOOK_SECRET"`,
        `${PROGRAM} diagnose request.txt --secret "$OLD_SECRET" --secret "$NEW_SECRET"`,
      ],
    },
  ],
};

function readNow(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = /^\d{1,15}$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--now "${text}" is not a time: give an ISO 8601 date (2026-09-21T14:13:20Z) or Unix seconds (1758464000).`,
    );
  }
  return date;
}

function readScheme(text: string | undefined): 'auto' | 'legacy' | 'standard' {
  if (text === undefined) return 'auto';
  if (text === 'auto' || text === 'legacy' || text === 'standard') return text;
  throw new UsageError(`--scheme must be auto, legacy or standard (got "${text}"): the scheme your app's router pins.`);
}

function mark(level: Finding['level'], style: Styles): string {
  switch (level) {
    case 'ok':
      return style.green('✓');
    case 'info':
      return style.cyan('i');
    case 'warn':
      return style.yellow('!');
    case 'fail':
      return style.red('✗');
  }
}

/** Runs `diagnose`; resolves to one of the exit codes in {@link DIAGNOSE_EXIT}. */
export async function runDiagnose(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine(DIAGNOSE, argv);
  if (values['help']) {
    terminal.stdout.write(helpText(DIAGNOSE, terminal.out));
    return DIAGNOSE_EXIT.ok.code;
  }
  if (typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule !== 'function') {
    throw new UsageError(
      `${PROGRAM} diagnose runs the library's synchronous verifier, which needs Node 20.16 or later ` +
        `(this is ${process.version}). Upgrade Node to diagnose deliveries; trigger and replay work here.`,
    );
  }
  if (positionals.length > 1) {
    throw new UsageError(`${PROGRAM} diagnose takes one delivery at a time (got ${positionals.length} files).`);
  }
  const input = readDeliveryInput({
    file: positionals[0],
    headers: stringOption(values, 'headers'),
    body: stringOption(values, 'body'),
  });
  const secrets = secretsFrom(values, terminal.env, 'diagnose');
  const now = readNow(stringOption(values, 'now'));
  const diagnosis = diagnose({
    headers: input.headers,
    body: input.body,
    secrets,
    now: now ?? new Date(),
    tolerance: integerOption(values, 'diagnose', 'tolerance', 300, 0, 10 * 365 * 86400),
    scheme: readScheme(stringOption(values, 'scheme')),
    apiVersion: await readApiVersion(stringOption(values, 'api-version'), 'diagnose'),
  });
  let fix = diagnosis.fix;
  if (diagnosis.verdict === 'timestamp' && now === undefined && input.capturedAt) {
    fix = `This is a capture: re-check it at the time it arrived, --now ${input.capturedAt.toISOString()}.`;
  }

  if (values['json'] === true) {
    const report = {
      command: 'diagnose',
      verdict: diagnosis.verdict,
      exitCode: diagnosis.exitCode,
      cause: diagnosis.cause,
      fix: fix ?? null,
      match: diagnosis.match ?? null,
      headers: diagnosis.headers,
      signature: diagnosis.signature,
      payload: diagnosis.validation ?? null,
      notes: input.notes,
      from: input.from,
    };
    terminal.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return diagnosis.exitCode;
  }

  const style = terminal.out;
  const lines: string[] = [];
  const section = (title: string, findings: readonly Finding[]): void => {
    lines.push(style.bold(title));
    for (const finding of findings) lines.push(`  ${mark(finding.level, style)} ${finding.text}`);
    lines.push('');
  };
  const from =
    input.from.headers === input.from.body ? input.from.headers : `${input.from.headers}, body from ${input.from.body}`;
  section(`Headers ${style.dim(`(${from})`)}`, [
    ...diagnosis.headers,
    ...input.notes.map((text): Finding => ({ level: 'warn', text })),
  ]);
  section('Signature', diagnosis.signature);
  // Once a change made the signature match, the payload is Polar's: only without a match is it unproven.
  const verified = diagnosis.match !== undefined;
  section(
    verified ? 'Payload' : `Payload ${style.dim('(not verified: read as it is, for what it says)')}`,
    diagnosis.payload,
  );
  const good = diagnosis.verdict === 'ok';
  lines.push(`${good ? style.green('✓') : style.red('✗')} ${style.bold(diagnosis.cause)}`);
  if (fix) lines.push(`  ${style.bold('Fix:')} ${fix}`);
  lines.push(style.dim(`  exit ${diagnosis.exitCode}: ${DIAGNOSE_EXIT[diagnosis.verdict].meaning}`));
  terminal.stdout.write(`${lines.join('\n')}\n`);
  return diagnosis.exitCode;
}
