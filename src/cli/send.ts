/** A request to send: built just before it goes, so that its signature's timestamp is fresh. */
export interface Outgoing {
  /** What the summary groups it under: the event type, or the capture file. */
  readonly group: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** How one delivery went. */
export interface SendResult {
  readonly group: string;
  /** The HTTP status, or `undefined` when no answer came (refused, reset, timed out). */
  readonly status: number | undefined;
  /** From sending the request to reading the whole answer, in milliseconds. */
  readonly ms: number;
  /** For an answer that is not 2xx, or no answer: what went wrong, in one line. */
  readonly problem: string | undefined;
}

/** How to send. */
export interface SendOptions {
  readonly url: string;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Told about every delivery as soon as it is answered (for a progress bar). */
  readonly onResult?: (result: SendResult) => void;
}

const MAX_PROBLEM = 300;

/** Whether a status is what Polar counts as delivered. */
export const isSuccess = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

/** What an answer says when it is not 2xx: the router's `{"error","message"}`, or the start of the text. */
function describeAnswer(status: number, text: string): string {
  let said = text.trim();
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof json.error === 'string') {
      said = `${json.error}${typeof json.message === 'string' ? `: ${json.message}` : ''}`;
    }
  } catch {
    // Not our router's JSON: show the text itself.
  }
  const oneLine = said.replace(/\s+/g, ' ');
  return `${status}${oneLine ? ` ${oneLine.length > MAX_PROBLEM ? `${oneLine.slice(0, MAX_PROBLEM)}…` : oneLine}` : ''}`;
}

/** Why a request got no answer, with what to check. */
function describeFailure(error: unknown, url: string, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `no answer within ${timeoutMs} ms (Polar gives up after 10 s and retries): answer first, then do slow work`;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED')
    return `could not connect to ${url} (ECONNREFUSED): is your server running on that port?`;
  if (code === 'ENOTFOUND') return `could not resolve the host of ${url} (ENOTFOUND): check the URL`;
  const detail = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : '';
  return `could not send to ${url}${code ? ` (${code})` : ''}${detail ? `: ${detail}` : ''}`;
}

async function sendOne(outgoing: Outgoing, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: outgoing.headers,
      body: outgoing.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    const problem = isSuccess(response.status)
      ? undefined
      : response.status >= 300 && response.status < 400
        ? `${response.status} redirect to ${response.headers.get('location') ?? '?'}: Polar counts a redirect as a failure; use the final URL`
        : describeAnswer(response.status, text);
    return { group: outgoing.group, status: response.status, ms, problem };
  } catch (error) {
    return {
      group: outgoing.group,
      status: undefined,
      ms: performance.now() - started,
      problem: describeFailure(error, options.url, options.timeoutMs),
    };
  }
}

/**
 * Sends every delivery, at most `concurrency` at a time, in order of the list; each is built (and
 * signed) when its turn comes. Never rejects: a delivery that fails is a result like any other.
 */
export async function sendAll(deliveries: readonly (() => Outgoing)[], options: SendOptions): Promise<SendResult[]> {
  const results: SendResult[] = new Array(deliveries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < deliveries.length) {
      const index = next++;
      const result = await sendOne((deliveries[index] as () => Outgoing)(), options);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, deliveries.length) }, worker));
  return results;
}
