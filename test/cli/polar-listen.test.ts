import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../../src/testing/fixtures';
import { assertCliBuilt, runCli, signIndependently, startReceiver, type Receiver } from './helpers';

/**
 * Local development with Polar's own CLI: `polar listen` forwards each event to a local URL, signed by
 * Polar with the organization id without dashes as the secret under the legacy scheme (its bytes are
 * the HMAC key), the JSON re-encoded by the CLI (`JSON.stringify`); `polar trigger` events carry
 * `x-polar-triggered: true`.
 */
describe('a receiver built with polar-webhooks, fed the way polar listen feeds it', () => {
  const organizationId = randomUUID();
  const secret = organizationId.replace(/-/g, '');
  let receiver: Receiver;

  beforeAll(async () => {
    assertCliBuilt();
    receiver = await startReceiver({ secret });
  });
  afterAll(async () => {
    await receiver?.close();
  });

  /** One forwarded event: the five headers the listen stream carries (and, from polar trigger, the sixth). */
  async function forward(triggered: boolean): Promise<{ status: number; id: string }> {
    const payload = createEvent('order.paid', { data: { customer: { organization_id: organizationId } } });
    const body = JSON.stringify(JSON.parse(JSON.stringify(payload)));
    const signed = signIndependently(body, secret);
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'user-agent': 'polar.sh webhooks',
        'content-type': 'application/json',
        ...signed,
        ...(triggered && { 'x-polar-triggered': 'true' }),
      },
      body,
    });
    await response.text();
    return { status: response.status, id: signed['webhook-id'] as string };
  }

  it('verifies what polar listen forwards, with the organization id without dashes as the secret', async () => {
    const { status, id } = await forward(false);
    expect(status).toBe(202);
    const got = receiver.received.find((r) => r.id === id);
    expect(got?.type).toBe('order.paid');
    expect(got?.triggered).not.toBe(true);
  });

  it('hands x-polar-triggered: true to the handler as context.triggered', async () => {
    const { status, id } = await forward(true);
    expect(status).toBe(202);
    expect(receiver.received.find((r) => r.id === id)?.triggered).toBe(true);
  });

  it('the bin signs such a secret as polar listen does (legacy), and --triggered marks it as polar trigger does', async () => {
    const legacyOnly = await startReceiver({ secret, scheme: 'legacy' });
    try {
      const run = await runCli([
        'trigger',
        'checkout.created',
        '--triggered',
        '--url',
        legacyOnly.url,
        '--secret',
        secret,
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { scheme: string }).scheme).toBe('legacy');
      expect(legacyOnly.received[0]).toMatchObject({ type: 'checkout.created', triggered: true });
    } finally {
      await legacyOnly.close();
    }
  });
});
