import { safeParseEvent } from '../index';
import type { Finding } from './finding';

/** The payload check: the type, the version that read it, the failing paths. */
export interface PayloadCheck {
  readonly valid: boolean;
  readonly type: string | undefined;
  readonly apiVersion: string | undefined;
  readonly issues: readonly { readonly path: string; readonly message: string }[];
  /** The payload's own version, when it differs from the one the endpoint is set to (`--api-version`). */
  readonly mismatch?: { readonly expected: string; readonly received: string } | undefined;
}

/**
 * Validates a body as the router would: its `api_version` picks the schemas, `apiVersion` (the
 * endpoint's) only flags a payload made in another version.
 */
export function checkPayload(
  text: string,
  headerVersion: string | undefined,
  apiVersion: string | undefined,
): PayloadCheck {
  const parsed = safeParseEvent(text, {
    ...(apiVersion !== undefined && { apiVersion: apiVersion as never }),
    ...(headerVersion !== undefined && { deliveredVersion: headerVersion }),
  });
  if (parsed.success) {
    return {
      valid: true,
      type: parsed.event.type,
      apiVersion: parsed.apiVersion,
      issues: [],
      mismatch: parsed.versionMismatch,
    };
  }
  const error = parsed.error;
  const type = error.eventType;
  const issues =
    error.code === 'unknown_event_type'
      ? [
          {
            path: 'type',
            message:
              `"${type}" is not an event type this version of polar-webhooks knows: a receiver acknowledges it (202) ` +
              'and hands it to onUnknown. Upgrade polar-webhooks to get its schema.',
          },
        ]
      : ('issues' in error ? error.issues : []).map((issue) => ({
          path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
          message: issue.message,
        }));
  let declared: string | undefined;
  try {
    const value = JSON.parse(text) as { api_version?: unknown };
    declared = typeof value.api_version === 'string' ? value.api_version : undefined;
  } catch {
    declared = undefined;
  }
  return {
    valid: false,
    type,
    apiVersion: declared,
    issues: issues.length > 0 ? issues : [{ path: '(root)', message: error.message }],
  };
}

const MAX_ISSUES_SHOWN = 12;

/** The payload check, one line per finding. */
export function describePayloadCheck(v: PayloadCheck): Finding[] {
  if (v.valid) {
    const findings: Finding[] = [{ level: 'ok', text: `${v.type}, read as API version ${v.apiVersion}: valid` }];
    if (v.mismatch) {
      findings.push({
        level: 'warn',
        text:
          `the payload says api_version ${v.mismatch.received}, the endpoint is set to ${v.mismatch.expected}: was the ` +
          "endpoint's version changed? Polar sends each event's stored payload unchanged on every retry",
      });
    }
    return findings;
  }
  const findings: Finding[] = [
    {
      level: 'fail',
      text: `${v.type ?? 'no event type'}${v.apiVersion ? ` (api_version ${v.apiVersion})` : ''}: ${v.issues.length} problem${v.issues.length === 1 ? '' : 's'}`,
    },
  ];
  for (const issue of v.issues.slice(0, MAX_ISSUES_SHOWN)) {
    findings.push({ level: 'fail', text: `  ${issue.path}: ${issue.message}` });
  }
  if (v.issues.length > MAX_ISSUES_SHOWN)
    findings.push({ level: 'info', text: `  and ${v.issues.length - MAX_ISSUES_SHOWN} more` });
  return findings;
}
