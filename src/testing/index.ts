/**
 * Helpers for testing your own webhook endpoint: sign bodies as Polar does, build typed events
 * from realistic fixtures, and build signed `Request`s.
 *
 * @packageDocumentation
 */
export { signPayload, type SignPayloadInput, type SignedHeaders } from './sign';
export { createEvent, type CreateEventOptions, type EventOverrides } from './fixtures';
export { createSignedRequest, DEFAULT_WEBHOOK_URL, type CreateSignedRequestOptions } from './request';
