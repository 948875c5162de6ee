import { readFileSync } from 'node:fs';
import { EVENT_TYPES, PolarWebhookError, safeParseEvent, type PolarWebhookEventType } from '../index';
import { createEvent, signPayload } from '../testing/index';
import { closest } from './closest';
import {
  helpHint,
  helpText,
  integerOption,
  parseCommandLine,
  PROGRAM,
  stringList,
  stringOption,
  type CommandSpec,
} from './command-line';
import { EXIT_FAILED, EXIT_OK } from './exit-codes';
import { applyFieldOverride, mergeOverrides, parseFieldOverride, readOverrideFile } from './payload-overrides';
import { createProgress } from './progress';
import { describeSecret, secretsFrom } from './secrets';
import { sendAll, type Outgoing } from './send';
import { renderSummary, summarize } from './summary';
import type { Terminal } from './terminal';
import { UsageError } from './usage-error';
import {
  extraHeaders,
  POLAR_HEADERS,
  readApiVersion,
  readScheme,
  readUrl,
  type SigningScheme,
} from './delivery-options';

/** `polar-webhooks trigger`. */
export const TRIGGER: CommandSpec = {
  name: 'trigger',
  summary: 'send realistic, correctly signed deliveries of chosen event types to your endpoint',
  usage: [
    'trigger <type… | family.*> --url <url> [--secret <secret>] [options]',
    'trigger --all --url <url> [--secret <secret>] [options]',
  ],
  options: {
    url: { type: 'string', value: '<url>', description: 'where to send, e.g. http://localhost:3000/webhooks/polar' },
    secret: {
      type: 'string',
      value: '<secret>',
      description: "the endpoint's secret (default: $POLAR_WEBHOOK_SECRET)",
    },
    all: { type: 'boolean', description: 'every event type (42)' },
    'api-version': {
      type: 'string',
      value: '<version>',
      description: "the payloads' API version: the one your endpoint is set to (default: the oldest)",
    },
    set: {
      type: 'string',
      multiple: true,
      value: '<path=value>',
      description: 'change one field, e.g. data.total_amount=4200 (value read as JSON, else as text; repeatable)',
    },
    file: {
      type: 'string',
      value: '<payload.json>',
      description: 'a JSON object merged into each payload (objects key by key, arrays replaced)',
    },
    'allow-invalid': {
      type: 'boolean',
      description: 'send payloads that --set or --file made invalid (a receiver acknowledges them, 202)',
    },
    scheme: {
      type: 'string',
      value: '<legacy|standard>',
      description: 'the key to sign with (default: as Polar does for a secret of that shape)',
    },
    count: { type: 'string', value: '<n>', description: 'deliveries of each type (default 1), for load' },
    concurrency: { type: 'string', value: '<n>', description: 'deliveries in flight at once (default 8)' },
    timeout: {
      type: 'string',
      value: '<ms>',
      description: 'how long to wait for each answer (default 10000, as Polar)',
    },
    triggered: {
      type: 'boolean',
      description: 'mark deliveries as `polar trigger` does (x-polar-triggered: true → context.triggered)',
    },
    header: { type: 'string', multiple: true, value: '<name:value>', description: 'one more header (repeatable)' },
  },
  sections: [
    {
      title: 'Exit codes',
      lines: ['0  every delivery was answered 2xx', '1  some answer was not 2xx, or never came', '2  a usage error'],
    },
    {
      title: 'Examples',
      lines: [
        `${PROGRAM} trigger order.paid --url http://localhost:3000/webhooks/polar --secret "$POLAR_WEBHOOK_SECRET"`,
        `${PROGRAM} trigger --all --api-version 2026-10 --url http://localhost:3000/webhooks/polar`,
        `${PROGRAM} trigger order.paid --set data.total_amount=4200 --count 500 --concurrency 20 --url …`,
      ],
    },
  ],
};

/** The types the command line names: each listed type, `family.*`, or all. */
function chooseTypes(positionals: readonly string[], all: boolean, fileType: unknown): PolarWebhookEventType[] {
  if (all) return [...EVENT_TYPES];
  const names = positionals.length > 0 ? positionals : typeof fileType === 'string' ? [fileType] : [];
  if (names.length === 0) {
    throw new UsageError(
      `${PROGRAM} trigger: name the event types to send (e.g. order.paid, subscription.*), or pass --all. ${helpHint('trigger')}`,
    );
  }
  const chosen: PolarWebhookEventType[] = [];
  for (const name of names) {
    const matches = name.endsWith('.*')
      ? EVENT_TYPES.filter((type) => type.startsWith(name.slice(0, -1)))
      : EVENT_TYPES.filter((type) => type === name);
    if (matches.length === 0) {
      const suggestion = closest(name, EVENT_TYPES);
      throw new UsageError(
        `${PROGRAM} trigger: "${name}" is not a Polar event type.${suggestion ? ` Did you mean ${suggestion}?` : ''} ` +
          `The ${EVENT_TYPES.length} types: ${EVENT_TYPES.join(', ')}.`,
      );
    }
    for (const type of matches) if (!chosen.includes(type)) chosen.push(type);
  }
  return chosen;
}

/** Polar's own timestamp format: ISO 8601 with microseconds. */
const polarTimestamp = (date: Date): string => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** One event type's payload, as sent: the fixture, then --file, then each --set. */
function buildBody(
  type: PolarWebhookEventType,
  apiVersion: string | undefined,
  file: Record<string, unknown> | undefined,
  sets: ReturnType<typeof parseFieldOverride>[],
  allowInvalid: boolean,
): string {
  const event = createEvent(type, undefined, apiVersion ? { apiVersion: apiVersion as never } : undefined);
  const payload = structuredClone(event) as unknown as Record<string, unknown>;
  payload['timestamp'] = polarTimestamp(new Date());
  if (file) mergeOverrides(payload, file);
  // The type named on the command line wins over one in --file; only --set can change it.
  payload['type'] = type;
  for (const set of sets) applyFieldOverride(payload, set);
  if (file || sets.length > 0) {
    const parsed = safeParseEvent(payload);
    if (!parsed.success && !allowInvalid) {
      const issues = 'issues' in parsed.error ? parsed.error.issues : [];
      const where = issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'} (${issue.message})`)
        .join(', ');
      throw new UsageError(
        `${PROGRAM} trigger: with your changes, the ${type} payload no longer matches its schema` +
          `${where ? ` at ${where}` : ` (${parsed.error.message})`}. Fix the value, or pass --allow-invalid to send ` +
          'it anyway (a receiver built with polar-webhooks acknowledges it, 202, and hands it to onError).',
      );
    }
  }
  return JSON.stringify(payload);
}

/** What the key scheme of a signature turned out to be, for the report. */
function schemeUsed(secret: string, scheme: SigningScheme | undefined): 'legacy' | 'standard' {
  if (scheme) return scheme;
  const probe = { body: '{}', secret, id: 'probe', timestamp: 0 };
  return signPayload(probe)['webhook-signature'] === signPayload({ ...probe, scheme: 'legacy' })['webhook-signature']
    ? 'legacy'
    : 'standard';
}

/** Runs `trigger`; resolves to the exit code. */
export async function runTrigger(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine(TRIGGER, argv);
  if (values['help']) {
    terminal.stdout.write(helpText(TRIGGER, terminal.out));
    return EXIT_OK;
  }
  const json = values['json'] === true;
  const url = readUrl(stringOption(values, 'url'), 'trigger');
  const [secret] = secretsFrom(values, terminal.env, 'trigger') as [string];
  const scheme = readScheme(stringOption(values, 'scheme'), 'trigger');
  const apiVersion = await readApiVersion(stringOption(values, 'api-version'), 'trigger');
  const filePath = stringOption(values, 'file');
  let file: Record<string, unknown> | undefined;
  if (filePath !== undefined) {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (error) {
      throw new UsageError(`--file ${filePath}: ${(error as Error).message}`);
    }
    file = readOverrideFile(text, filePath);
  }
  const types = chooseTypes(positionals, values['all'] === true, file?.['type']);
  const sets = stringList(values, 'set').map(parseFieldOverride);
  const count = integerOption(values, 'trigger', 'count', 1, 1, 1_000_000);
  const concurrency = integerOption(values, 'trigger', 'concurrency', 8, 1, 1000);
  const timeoutMs = integerOption(values, 'trigger', 'timeout', 10_000, 1, 600_000);
  const headers = extraHeaders(stringList(values, 'header'), values['triggered'] === true, 'trigger');

  let used: 'legacy' | 'standard';
  try {
    used = schemeUsed(secret, scheme);
  } catch (error) {
    if (error instanceof PolarWebhookError) throw new UsageError(`--secret: ${error.message}`);
    throw error;
  }
  const bodies = new Map<PolarWebhookEventType, string>();
  for (const type of types) {
    try {
      bodies.set(type, buildBody(type, apiVersion, file, sets, values['allow-invalid'] === true));
    } catch (error) {
      if (error instanceof PolarWebhookError) throw new UsageError(`${PROGRAM} trigger: ${type}: ${error.message}`);
      throw error;
    }
  }

  const deliveries: (() => Outgoing)[] = [];
  for (const type of types) {
    const body = bodies.get(type) as string;
    const version = (JSON.parse(body) as { api_version?: unknown }).api_version;
    for (let i = 0; i < count; i++) {
      deliveries.push(() => ({
        group: type,
        body,
        headers: {
          ...POLAR_HEADERS,
          ...(typeof version === 'string' && { 'webhook-api-version': version }),
          ...headers,
          ...signPayload({ body, secret, ...(scheme && { scheme }) }),
        },
      }));
    }
  }

  if (!json) {
    terminal.stderr.write(
      terminal.err.dim(
        `Sending ${deliveries.length} deliver${deliveries.length === 1 ? 'y' : 'ies'} of ${types.length} type` +
          `${types.length === 1 ? '' : 's'} to ${url}, signed with the ${used} key of ${describeSecret(secret)}`,
      ) + '\n',
    );
  }
  const progress = createProgress(deliveries.length, terminal, !json);
  const started = performance.now();
  const results = await sendAll(deliveries, {
    url,
    concurrency,
    timeoutMs,
    onResult: (result) => progress.tick(result.problem === undefined),
  });
  progress.done();
  const summary = summarize(results, performance.now() - started);
  if (json) {
    const report = { command: 'trigger', url, apiVersion: apiVersion ?? null, scheme: used, ...summary };
    terminal.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    terminal.stdout.write(renderSummary(summary, 'type', terminal.out));
  }
  return summary.failed === 0 ? EXIT_OK : EXIT_FAILED;
}
