import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCapturedDelivery, type CaptureFileDelivery } from '../capture/index';
import { PolarWebhookError } from '../index';
import { signPayload } from '../testing/index';
import {
  helpHint,
  helpText,
  integerOption,
  parseCommandLine,
  PROGRAM,
  stringOption,
  type CommandSpec,
} from './command-line';
import { readScheme, readUrl } from './delivery-options';
import { EXIT_FAILED, EXIT_OK } from './exit-codes';
import { createProgress } from './progress';
import { describeSecret, secretsFrom } from './secrets';
import { sendAll, type Outgoing } from './send';
import { renderSummary, summarize } from './summary';
import type { Terminal } from './terminal';
import { UsageError } from './usage-error';

/** `polar-webhooks replay`. */
export const REPLAY: CommandSpec = {
  name: 'replay',
  summary: 'send captured deliveries again, re-signed, to reproduce a production problem locally',
  usage: ['replay <capture.json | directory>… --url <url> [--secret <secret>] [options]'],
  options: {
    url: { type: 'string', value: '<url>', description: 'where to send, e.g. http://localhost:3000/webhooks/polar' },
    secret: {
      type: 'string',
      value: '<secret>',
      description: 'the secret of the server you replay to (default: $POLAR_WEBHOOK_SECRET)',
    },
    scheme: {
      type: 'string',
      value: '<legacy|standard>',
      description: 'the key to sign with (default: as Polar does for a secret of that shape)',
    },
    concurrency: {
      type: 'string',
      value: '<n>',
      description: 'deliveries in flight at once (default 1: in the order they were captured)',
    },
    timeout: { type: 'string', value: '<ms>', description: 'how long to wait for each answer (default 10000)' },
  },
  sections: [
    {
      title: 'What is sent',
      lines: [
        'Each capture as Polar sent it: the same webhook-id (so idempotency sees a retry), the same body byte for',
        'byte, the same webhook-api-version and x-polar-triggered; a fresh timestamp and signature, made with',
        "--secret, since the capture's own signature is too old to pass the tolerance.",
      ],
    },
    {
      title: 'Exit codes',
      lines: ['0  every delivery was answered 2xx', '1  some answer was not 2xx, or never came', '2  a usage error'],
    },
    {
      title: 'Examples',
      lines: [
        `${PROGRAM} replay captured-webhooks/ --url http://localhost:3000/webhooks/polar --secret "$LOCAL_SECRET"`,
        `${PROGRAM} replay captured-webhooks/20260921T141320123Z-msg_2x…json --url http://localhost:3000/webhooks/polar`,
      ],
    },
  ],
};

/** Headers that belong to the original attempt or the connection, not to the delivery. */
const NOT_REPLAYED = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
]);

interface Captured {
  readonly file: string;
  readonly delivery: CaptureFileDelivery;
}

/** The capture files named, directories expanded to their `.json` files in name (capture time) order. */
function readCaptures(paths: readonly string[]): Captured[] {
  const files: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      throw new UsageError(`replay ${path}: ${(error as Error).message}`);
    }
    if (stat.isDirectory()) {
      const names = readdirSync(path)
        .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
        .sort();
      if (names.length === 0) throw new UsageError(`replay ${path}: the directory holds no capture (.json) files.`);
      files.push(...names.map((name) => join(path, name)));
    } else files.push(path);
  }
  return files.map((file) => {
    try {
      return { file, delivery: readCapturedDelivery(readFileSync(file, 'utf8'), file) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
}

function eventType(body: string): string {
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === 'string' ? type : 'no type';
  } catch {
    return 'not JSON';
  }
}

/** Runs `replay`; resolves to the exit code. */
export async function runReplay(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine(REPLAY, argv);
  if (values['help']) {
    terminal.stdout.write(helpText(REPLAY, terminal.out));
    return EXIT_OK;
  }
  if (positionals.length === 0) {
    throw new UsageError(
      `${PROGRAM} replay needs the captures to send: files or directories written by captureToDirectory(). ${helpHint('replay')}`,
    );
  }
  const json = values['json'] === true;
  const url = readUrl(stringOption(values, 'url'), 'replay');
  const [secret] = secretsFrom(values, terminal.env, 'replay') as [string];
  const scheme = readScheme(stringOption(values, 'scheme'), 'replay');
  const concurrency = integerOption(values, 'replay', 'concurrency', 1, 1, 1000);
  const timeoutMs = integerOption(values, 'replay', 'timeout', 10_000, 1, 600_000);
  const captures = readCaptures(positionals);
  try {
    signPayload({ body: '{}', secret, ...(scheme && { scheme }) });
  } catch (error) {
    if (error instanceof PolarWebhookError) throw new UsageError(`--secret: ${error.message}`);
    throw error;
  }

  const deliveries = captures.map(({ delivery }) => (): Outgoing => {
    const kept = Object.fromEntries(Object.entries(delivery.headers).filter(([name]) => !NOT_REPLAYED.has(name)));
    return {
      group: `${delivery.id} ${eventType(delivery.body)}`,
      body: delivery.body,
      headers: {
        'content-type': 'application/json',
        ...kept,
        ...signPayload({ body: delivery.body, secret, id: delivery.id, ...(scheme && { scheme }) }),
      },
    };
  });
  if (!json) {
    terminal.stderr.write(
      terminal.err.dim(
        `Replaying ${deliveries.length} captured deliver${deliveries.length === 1 ? 'y' : 'ies'} to ${url}, ` +
          `re-signed with ${describeSecret(secret)}`,
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
    const files = captures.map(({ file, delivery }, i) => ({
      file,
      id: delivery.id,
      status: results[i]?.status ?? null,
    }));
    terminal.stdout.write(`${JSON.stringify({ command: 'replay', url, ...summary, files }, null, 2)}\n`);
  } else {
    terminal.stdout.write(renderSummary(summary, 'webhook-id type', terminal.out));
  }
  return summary.failed === 0 ? EXIT_OK : EXIT_FAILED;
}
