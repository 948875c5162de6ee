/**
 * The Elysia handler in a real Elysia app on Bun (test/integration/elysia-app/server.ts), over HTTP
 * on 127.0.0.1. The app's handlers run in the Bun process, so they report each call to a small
 * collector server that this test runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../runtimes/harness';
import { SECRET, TEST_LIMIT, deliveryScenarios, listen, orderPaid, post, sign, trapBody, type Call } from './helpers';

const server = fileURLToPath(new URL('./elysia-app/server.ts', import.meta.url));

describe('Elysia on Bun', () => {
  const calls: Call[] = [];
  let base = '';
  let bun: ChildProcess | undefined;
  let output = '';
  let closeCollector: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const collector = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        calls.push(JSON.parse(text) as Call);
        res.end();
      });
    });
    const { url, close } = await listen(collector);
    closeCollector = close;
    bun = spawn(join(BIN, 'bun'), ['run', '--no-install', server], {
      env: {
        ...process.env,
        POLAR_WEBHOOK_SECRET: SECRET,
        COLLECTOR_URL: url,
        TEST_LIMIT: String(TEST_LIMIT),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /listening (\d+)/.exec(output);
        if (match) resolve(match[1] as string);
      };
      bun?.stdout?.on('data', onData);
      bun?.stderr?.on('data', onData);
      bun?.once('exit', (code) => reject(new Error(`bun exited ${code}:\n${output}`)));
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    bun?.kill();
    await closeCollector();
  });

  const hookCalls = (): Call[] => calls.filter((call) => call.route === undefined);

  deliveryScenarios(() => ({ url: `${base}/hook`, calls: hookCalls, reset: () => (calls.length = 0) }));

  it('leaves the body parsing of the app’s other routes alone', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await response.json()).toEqual({ parsed: { a: 1 } });
  });

  it("verifies the raw body on a route with { parse: 'none' }", async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/parse-none`, delivery)).status).toBe(202);
    expect(hookCalls()).toEqual([expect.objectContaining({ kind: 'event', id: delivery.id })]);
  });

  it('runs the documented @polar-sh/elysia usage with only the import changed, on the raw body', async () => {
    calls.length = 0;
    const delivery = sign(trapBody());
    expect((await post(`${base}/polar/webhooks`, delivery)).status).toBe(202);
    expect(calls).toEqual([{ kind: 'event', route: 'drop-in', type: 'order.paid', id: delivery.id }]);
    expect((await post(`${base}/polar/webhooks`, { ...delivery, body: `${delivery.body} ` })).status).toBe(403);
    expect(calls).toHaveLength(1);
  });

  it('answers 500 body_already_parsed, saying how to fix the route, when Elysia parsed the body first', async () => {
    calls.length = 0;
    const answer = await post(`${base}/parse-json`, sign(JSON.stringify(orderPaid())));
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('body_already_parsed');
    expect(answer.json.message).toContain("{ parse: 'none' }");
    expect(calls).toEqual([]);
  });
});
