import { describe, expect, it, vi } from 'vitest';
import * as errors from '../../src/errors';

describe('the error family', () => {
  it('every code has a status, and each class carries code, status and name', () => {
    for (const [code, status] of Object.entries(errors.ERROR_STATUS)) {
      expect([202, 400, 403, 405, 409, 413, 500, 503]).toContain(status);
      const error = new errors.PolarWebhookError(code as errors.PolarWebhookErrorCode, 'x');
      expect(error.status).toBe(status);
    }
    const verification = new errors.WebhookVerificationError('no_matching_signature', 'm');
    expect(verification).toMatchObject({
      name: 'WebhookVerificationError',
      code: 'no_matching_signature',
      status: 403,
    });
    expect(new errors.UnknownEventTypeError('x.y', {})).toMatchObject({ status: 202, eventType: 'x.y' });
    expect(new errors.WebhookConfigurationError('invalid_secret', 'm')).toMatchObject({
      name: 'WebhookConfigurationError',
      status: 500,
    });
    expect(new errors.WebhookProcessingError('delivery_in_progress', 'm')).toMatchObject({
      name: 'WebhookProcessingError',
      status: 409,
    });
    expect(new errors.WebhookProcessingError('store_unavailable', 'm').status).toBe(503);
    // A set-up problem is never a verification failure: code that answers those 403 stays right.
    expect(new errors.WebhookConfigurationError('invalid_secret', 'm')).not.toBeInstanceOf(
      errors.WebhookVerificationError,
    );
    expect(new errors.WebhookHandlerError([new Error('a'), 'b'], 'order.paid').message).toMatch(
      /2 handlers failed.*a; b/,
    );
  });

  it('instanceof follows the class hierarchy, and no further', () => {
    const e = new errors.WebhookPayloadError('invalid_payload', 'm', { payload: {} });
    expect(e).toBeInstanceOf(errors.WebhookPayloadError);
    expect(e).toBeInstanceOf(errors.PolarWebhookError);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(errors.WebhookVerificationError);
    expect(new Error('plain')).not.toBeInstanceOf(errors.PolarWebhookError);
    expect(null).not.toBeInstanceOf(errors.PolarWebhookError);
  });

  it('instanceof recognises errors from another copy of the package (ESM and CJS side by side)', async () => {
    vi.resetModules();
    const other = await import('../../src/errors');
    vi.resetModules();
    expect(other.WebhookVerificationError).not.toBe(errors.WebhookVerificationError);
    const foreign = new other.WebhookVerificationError('timestamp_too_old', 'm');
    expect(foreign instanceof errors.WebhookVerificationError).toBe(true);
    expect(foreign instanceof errors.PolarWebhookError).toBe(true);
    expect(foreign instanceof errors.WebhookPayloadError).toBe(false);
    const local = new errors.UnknownEventTypeError('a.b', {});
    expect(local instanceof other.UnknownEventTypeError).toBe(true);
    expect(local instanceof other.WebhookHandlerError).toBe(false);
  });
});
