/**
 * The zod schema of any webhook payload: the version picked by `api_version` (as parseEvent picks
 * it), then the event by `type`. For `polar-webhooks/schemas`; parseEvent itself needs no zod.
 *
 * @module
 */
import type { z } from 'zod/v4';

import { API_VERSIONS, resolveApiVersion, type PolarApiVersion } from './api-version';
import type { PolarWebhookEvent, PolarWebhookEventType } from './catalogue';
import { EVENT_SCHEMAS } from './generated/schemas';
import { openUnion } from './zod-helpers';

/**
 * API version → the schema of any payload of that version, picked by `type` (one lookup, one
 * parse; it never tries the 42 schemas in turn). An unknown `type` is an issue at `type`.
 */
export const EVENT_SCHEMA_BY_VERSION = Object.fromEntries(
  API_VERSIONS.map((version) => [version, openUnion({ discriminator: 'type', options: EVENT_SCHEMAS[version] })]),
) as { readonly [V in PolarApiVersion]: z.ZodType<PolarWebhookEvent<PolarWebhookEventType, V>> };

/**
 * Schema of any webhook payload of any API version: the version comes from `api_version` (a
 * version this package does not know is read by the closest known one; no version at all, by the
 * oldest, as events from before Polar versioned its webhooks are), the event from `type`.
 * `parseEvent` is usually what you want: it turns failures into typed errors.
 */
export const PolarWebhookEventSchema: z.ZodType<PolarWebhookEvent> = openUnion<PolarWebhookEvent>({
  discriminator: 'api_version',
  select: (tag) => resolveApiVersion(typeof tag === 'string' ? tag : undefined),
  options: EVENT_SCHEMA_BY_VERSION,
});
