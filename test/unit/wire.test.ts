/**
 * Real deliveries (fixtures/wire/: bodies Polar sent, as published by the people who received them)
 * and every fixture reach their handler: through parseEvent, and through the router with the
 * signed request Polar would send — with and without the `webhook-api-version` header.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { API_VERSIONS } from '../../src/events/api-version';
import { EVENT_TYPES, type PolarWebhookEventType } from '../../src/events/catalogue';
import { safeParseEvent } from '../../src/events/parse';
import { createWebhooks } from '../../src/router';
import { createSignedRequest } from '../../src/testing/request';
import { fixtureText, ROOT } from '../helpers/event-data';

const WIRE = join(ROOT, 'fixtures', 'wire');
interface Source {
  file: string;
  type: string;
  kind: string;
  source: string;
  published: string;
  eventTimestamp: string;
  apiVersion: string | null;
  notes: string;
}
const sources: Source[] = JSON.parse(readFileSync(join(WIRE, 'sources.json'), 'utf8'));
const NEWEST = API_VERSIONS[API_VERSIONS.length - 1]!;

const listed = (dir: string): string[] =>
  readdirSync(join(WIRE, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listed(join(dir, entry.name)) : entry.name.endsWith('.json') ? [join(dir, entry.name)] : [],
  );

/** Sends `body` through a fresh router and says whether the handler of `type` got it. */
async function deliver(type: string, body: string, header?: string): Promise<{ status: number; handled: boolean }> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const webhooks = createWebhooks({ secret });
  let handled = false;
  webhooks.on(type as PolarWebhookEventType, () => {
    handled = true;
  });
  const failures: unknown[] = [];
  webhooks.onError((error) => {
    failures.push(error);
  });
  const request = createSignedRequest({
    body,
    secret,
    ...(header === undefined ? {} : { headers: { 'webhook-api-version': header } }),
  });
  const response = await webhooks.handle(request);
  if (failures.length > 0) throw failures[0];
  return { status: response.status, handled };
}

describe('fixtures/wire: real deliveries', () => {
  it('every payload file is listed in sources.json, and every entry has its file', () => {
    const files = listed('.')
      .map((f) => f.replace(/^\.\//, ''))
      .filter((f) => f !== 'sources.json')
      .sort();
    expect(files.length).toBeGreaterThan(0);
    expect(sources.map((s) => s.file).sort()).toEqual(files);
    for (const s of sources) expect(existsSync(join(WIRE, s.file)), s.file).toBe(true);
  });

  it.each(sources.map((s) => [s.file, s] as const))('%s parses, read by the version it was sent in', (_file, s) => {
    const result = safeParseEvent(readFileSync(join(WIRE, s.file), 'utf8'));
    if (!result.success) throw result.error;
    expect(result.event.type).toBe(s.type);
    expect(result.apiVersion).toBe(s.apiVersion ?? API_VERSIONS[0]);
  });

  it.each(sources.map((s) => [s.file, s] as const))(
    '%s reaches its handler through createWebhooks().handle, without the header',
    async (_file, s) => {
      expect(await deliver(s.type, readFileSync(join(WIRE, s.file), 'utf8'))).toEqual({ status: 202, handled: true });
    },
  );

  it.each(sources.map((s) => [s.file, s] as const))(
    '%s reaches its handler with a webhook-api-version header, even one newer than its body (a redelivery today)',
    async (_file, s) => {
      const body = readFileSync(join(WIRE, s.file), 'utf8');
      expect(await deliver(s.type, body, s.apiVersion ?? API_VERSIONS[0])).toEqual({ status: 202, handled: true });
      expect(await deliver(s.type, body, NEWEST)).toEqual({ status: 202, handled: true });
    },
  );
});

describe('fixtures/<version>: every fixture reaches its handler', () => {
  describe.each(API_VERSIONS)('%s', (version) => {
    it.each(EVENT_TYPES)('%s, without and with the webhook-api-version header', async (type) => {
      const body = fixtureText(version, type);
      expect(await deliver(type, body)).toEqual({ status: 202, handled: true });
      expect(await deliver(type, body, version)).toEqual({ status: 202, handled: true });
    });
  });
});
