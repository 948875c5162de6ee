import { readFileSync } from 'node:fs';
import { readCapturedDelivery } from '../capture/index';
import { UsageError } from './usage-error';

/** A delivery as `diagnose` reads it: the headers by lower-case name, the body's exact bytes. */
export interface DeliveryInput {
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Uint8Array;
  /** Where the headers and the body came from, for the report. */
  readonly from: { readonly headers: string; readonly body: string };
  /** What reading noticed (a Content-Length that disagrees with the body). */
  readonly notes: readonly string[];
  /** When the delivery was captured, for a capture file. */
  readonly capturedAt: Date | undefined;
}

interface Parsed {
  headers: Record<string, string | string[]>;
  body: Uint8Array | undefined;
  notes: string[];
  capturedAt: Date | undefined;
}

function read(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${what} ${file}: ${(error as Error).message}`);
  }
}

const utf8 = new TextDecoder();
const latin1 = new TextDecoder('latin1');

function addHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const key = name.toLowerCase();
  const current = headers[key];
  if (current === undefined) headers[key] = value;
  else headers[key] = Array.isArray(current) ? [...current, value] : [current, value];
}

/** Where the head of a raw HTTP request ends: the first blank line, `\r\n\r\n` or `\n\n`. */
function headEnd(bytes: Uint8Array): { end: number; bodyStart: number } | undefined {
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) return { end: i, bodyStart: i + 2 };
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return { end: i, bodyStart: i + 3 };
  }
  return undefined;
}

/** A raw HTTP request as dumped (`POST /path HTTP/1.1`, header lines, a blank line, the body). */
function parseDump(bytes: Uint8Array, file: string): Parsed {
  const split = headEnd(bytes);
  const head = latin1.decode(split ? bytes.subarray(0, split.end) : bytes);
  const headers: Record<string, string | string[]> = {};
  const lines = head.split(/\r?\n/);
  if (/^[A-Z]+ \S+ HTTP\/\d/.test(lines[0] ?? '')) lines.shift();
  for (const line of lines) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new UsageError(
        `${file}: "${line.slice(0, 60)}" is not a header line (name: value). Give the headers as JSON, or as the ` +
          'request was received: the request line, one header per line, a blank line, then the body.',
      );
    }
    addHeader(headers, line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const notes: string[] = [];
  let body = split ? bytes.subarray(split.bodyStart) : undefined;
  const length = headers['content-length'];
  if (body && typeof length === 'string' && /^\d+$/.test(length)) {
    const declared = Number(length);
    if (body.length > declared) {
      notes.push(
        `${file} holds ${body.length} bytes after the headers, Content-Length says ${declared}: the body is ` +
          `read as its first ${declared} bytes (what a server reads).`,
      );
      body = body.subarray(0, declared);
    } else if (body.length < declared) {
      notes.push(
        `${file} holds ${body.length} bytes after the headers, Content-Length says ${declared}: it is cut short.`,
      );
    }
  }
  return { headers, body: body && body.length > 0 ? body : undefined, notes, capturedAt: undefined };
}

/** Headers as JSON: an object of names to values, a list of [name, value] pairs, or a capture file. */
function parseJson(value: unknown, text: string, file: string): Parsed {
  const headers: Record<string, string | string[]> = {};
  if (Array.isArray(value)) {
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw new UsageError(`${file}: a list of headers must hold [name, value] pairs of strings.`);
      }
      addHeader(headers, pair[0], pair[1]);
    }
    return { headers, body: undefined, notes: [], capturedAt: undefined };
  }
  const record = value as Record<string, unknown>;
  if (typeof record['body'] === 'string' && typeof record['headers'] === 'object') {
    let capture;
    try {
      capture = readCapturedDelivery(text, file);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    for (const [name, header] of Object.entries(capture.headers)) addHeader(headers, name, header);
    return { headers, body: new TextEncoder().encode(capture.body), notes: [], capturedAt: capture.capturedAt };
  }
  for (const [name, header] of Object.entries(record)) {
    if (typeof header === 'string') addHeader(headers, name, header);
    else if (Array.isArray(header) && header.every((item) => typeof item === 'string')) {
      for (const item of header as string[]) addHeader(headers, name, item);
    } else {
      throw new UsageError(`${file}: the header "${name}" must be a string (or a list of strings).`);
    }
  }
  return { headers, body: undefined, notes: [], capturedAt: undefined };
}

function parseHeaderFile(bytes: Uint8Array, file: string): Parsed {
  const text = utf8.decode(bytes);
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${file} starts like JSON but is not: ${(error as Error).message}.`);
    }
    return parseJson(value, text, file);
  }
  return parseDump(bytes, file);
}

/**
 * Reads what `diagnose` is given: a capture file or a raw request dump (headers and body in one), or
 * `--headers` (JSON, a capture file, or a dump) with `--body` (the exact bytes; it wins over a body
 * found with the headers).
 */
export function readDeliveryInput(input: {
  readonly file: string | undefined;
  readonly headers: string | undefined;
  readonly body: string | undefined;
}): DeliveryInput {
  const headerFile = input.headers ?? input.file;
  if (headerFile === undefined) {
    throw new UsageError(
      'diagnose needs the delivery: a capture file (diagnose <file>), or --headers <file> with --body <file>. ' +
        'Headers may be JSON ({"webhook-id": …}) or the raw request as received.',
    );
  }
  if (input.headers !== undefined && input.file !== undefined) {
    throw new UsageError('diagnose takes the delivery once: either a file, or --headers with --body.');
  }
  const parsed = parseHeaderFile(read(headerFile, input.headers ? '--headers' : 'diagnose'), headerFile);
  let body = parsed.body;
  let bodyFrom = headerFile;
  if (input.body !== undefined) {
    body = read(input.body, '--body');
    bodyFrom = input.body;
  }
  if (body === undefined) {
    throw new UsageError(
      `${headerFile} holds headers but no body: pass --body <file> with the raw body, byte for byte as received.`,
    );
  }
  return {
    headers: parsed.headers,
    body,
    from: { headers: headerFile, body: bodyFrom },
    notes: parsed.notes,
    capturedAt: parsed.capturedAt,
  };
}
