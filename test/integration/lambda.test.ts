/**
 * The Lambda handler, driven with events shaped like AWS's documented examples: API Gateway REST
 * (payload format 1.0), HTTP APIs (2.0) and function URLs (2.0), with text and base64 bodies.
 *
 * Lambda has no server to run locally, so a small HTTP front on 127.0.0.1 plays API Gateway's part:
 * it buffers each request, turns it into the event that integration sends (headers, multi-value
 * headers, base64 when told), calls the handler, checks the result has the shape that integration
 * reads, and writes it back. The same scenarios every adapter passes then run through it.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaHandler,
  Webhooks,
  type LambdaProxyEvent,
  type LambdaProxyResult,
  type LambdaWebhookHandler,
} from '../../src/adapters/lambda';
import { SECRET, deliveryScenarios, listen, orderPaid, recordingWebhooks, sign, trapBody, type Call } from './helpers';

type Kind = 'rest' | 'http' | 'url';

const SOURCE_IP = '198.51.100.7';

/** A REST API proxy event (payload format 1.0), as in AWS's documented example. */
function restEvent(method: string, path: string, rawHeaders: string[], body: Buffer, base64: boolean) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      resourceId: 'abc123',
      stage: 'prod',
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      requestId: randomUUID(),
      identity: { sourceIp: SOURCE_IP, userAgent: headers['user-agent'] ?? null },
      resourcePath: '/{proxy+}',
      httpMethod: method,
      requestTime: '02/Dec/2026:10:00:00 +0000',
      requestTimeEpoch: Date.now(),
      apiId: 'abcdef1234',
    },
    body: body.length === 0 ? null : base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: base64,
  };
}

/** An HTTP API or function URL event (payload format 2.0), as in AWS's documented examples. */
function v2Event(
  kind: 'http' | 'url',
  method: string,
  path: string,
  rawHeaders: string[],
  body: Buffer,
  base64: boolean,
) {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    // Format 2.0 joins the values of a repeated header with commas.
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const domainName =
    kind === 'url' ? 'abcdefghijklmnop.lambda-url.eu-west-1.on.aws' : 'abcdef1234.execute-api.eu-west-1.amazonaws.com';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: kind === 'url' ? 'anonymous' : '123456789012',
      apiId: domainName.split('.')[0],
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '02/Dec/2026:10:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(body.length === 0 ? {} : { body: base64 ? body.toString('base64') : body.toString('utf8') }),
    isBase64Encoded: base64,
  };
}

/** What every one of these integrations reads from a handler's result. */
function expectResultShape(result: LambdaProxyResult): void {
  expect(Number.isInteger(result.statusCode)).toBe(true);
  expect(typeof result.body).toBe('string');
  expect(result.isBase64Encoded).toBe(false);
  for (const value of Object.values(result.headers)) expect(typeof value).toBe('string');
  expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
}

/** An HTTP front that plays API Gateway (or the function URL) for `handler`. */
function gateway(handler: LambdaWebhookHandler, kind: Kind, base64: boolean): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const event =
        kind === 'rest'
          ? restEvent(method, path, req.rawHeaders, body, base64)
          : v2Event(kind, method, path, req.rawHeaders, body, base64);
      try {
        const result = await handler(JSON.parse(JSON.stringify(event)) as LambdaProxyEvent, { functionName: 'polar' });
        expectResultShape(result);
        res.writeHead(result.statusCode, result.headers);
        res.end(result.body);
      } catch (error) {
        res.writeHead(599);
        res.end(String(error));
      }
    });
  });
}

const calls: Call[] = [];
const handler = createLambdaHandler(recordingWebhooks(calls));

describe.each([
  ['REST API (payload 1.0), text body', 'rest', false],
  ['REST API (payload 1.0), base64 body', 'rest', true],
  ['HTTP API (payload 2.0), text body', 'http', false],
  ['HTTP API (payload 2.0), base64 body', 'http', true],
  ['function URL, text body', 'url', false],
  ['function URL, base64 body', 'url', true],
] as const)('Lambda behind a %s', (_name, kind, base64) => {
  let base = '';
  let close: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    ({ url: base, close } = await listen(gateway(handler, kind, base64)));
  });
  afterAll(() => close());

  // API Gateway and function URLs buffer the whole body before the function runs.
  deliveryScenarios(() => ({ url: `${base}/webhooks/polar`, calls: () => calls, reset: () => (calls.length = 0) }), {
    streamsBody: false,
  });
});

describe('Lambda events as AWS documents them', () => {
  const delivery = sign(trapBody());
  const bodyBytes = Buffer.from(delivery.body);

  it('answers a REST API event whose headers keep the client’s letter case', async () => {
    calls.length = 0;
    const raw = [
      'Content-Type',
      'application/json',
      'Webhook-Id',
      delivery.headers['webhook-id'] as string,
      'Webhook-Timestamp',
      delivery.headers['webhook-timestamp'] as string,
      'Webhook-Signature',
      delivery.headers['webhook-signature'] as string,
    ];
    const result = await handler(restEvent('POST', '/webhooks/polar', raw, bodyBytes, false));
    expect(result).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
    expect(calls).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('reads every value of a repeated header from multiValueHeaders, as Polar’s signature list', async () => {
    calls.length = 0;
    const other = sign(delivery.body, { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, id: delivery.id });
    const event = restEvent('POST', '/webhooks/polar', [], bodyBytes, false);
    const headers = { ...delivery.headers, 'webhook-signature': other.headers['webhook-signature'] as string };
    const multi = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name, [value]]));
    // A foreign signature first, the genuine one second: only the multi-value form has both.
    multi['webhook-signature'] = [
      other.headers['webhook-signature'] as string,
      delivery.headers['webhook-signature'] as string,
    ];
    const result = await handler({ ...event, headers, multiValueHeaders: multi });
    expect(result.statusCode).toBe(202);
    expect(calls).toHaveLength(1);
  });

  it('answers 405 to a REST API GET with no headers and no body (both null, as AWS sends them)', async () => {
    const result = await handler({
      ...restEvent('GET', '/', [], Buffer.alloc(0), false),
      headers: null,
      multiValueHeaders: null,
    });
    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('POST');
  });

  it('answers 405 to an HTTP API GET, whose event has no body field', async () => {
    const event = v2Event('http', 'GET', '/', ['accept', '*/*'], Buffer.alloc(0), false);
    expect('body' in event).toBe(false);
    expect((await handler(event)).statusCode).toBe(405);
  });

  it('decodes a base64 function URL body to the exact bytes, non-ASCII text included', async () => {
    calls.length = 0;
    const unicode = sign(JSON.stringify(orderPaid({ note: 'crème brûlée – ✓ 🎉' }), null, 2));
    const raw = Object.entries(unicode.headers).flat();
    const result = await handler(v2Event('url', 'POST', '/', raw, Buffer.from(unicode.body), true));
    expect(result.statusCode).toBe(202);
    expect(calls[0]?.data?.metadata).toEqual({ note: 'crème brûlée – ✓ 🎉' });
  });

  it('answers 500 invalid_body to a base64 flag over a body that is not base64', async () => {
    const raw = Object.entries(delivery.headers).flat();
    const event = { ...v2Event('http', 'POST', '/', raw, bodyBytes, false), isBase64Encoded: true };
    const result = await handler(event);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_body' });
  });

  it('answers 500 invalid_argument, naming the fix, to an event that is not an HTTP request', async () => {
    const result = await handler({ Records: [] } as unknown as LambdaProxyEvent);
    expect(result.statusCode).toBe(500);
    const answer = JSON.parse(result.body) as { error: string; message: string };
    expect(answer.error).toBe('invalid_argument');
    expect(answer.message).toContain('Lambda proxy integration');
  });

  it('runs a Webhooks({ webhookSecret, onPayload }) with the official adapters’ option names', async () => {
    const seen: string[] = [];
    const dropIn = Webhooks({
      webhookSecret: SECRET,
      onPayload: (payload, { id }) => void seen.push(`${payload.type} ${id}`),
    });
    const raw = Object.entries(delivery.headers).flat();
    expect((await dropIn(v2Event('url', 'POST', '/', raw, bodyBytes, false))).statusCode).toBe(202);
    expect(seen).toEqual([`order.paid ${delivery.id}`]);
    const forged = Buffer.from(`${delivery.body} `);
    expect((await dropIn(v2Event('url', 'POST', '/', raw, forged, false))).statusCode).toBe(403);
    expect(seen).toHaveLength(1);
  });
});
