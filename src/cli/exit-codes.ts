/** Every delivery was answered 2xx; the delivery verified and its payload is valid. */
export const EXIT_OK = 0;
/** Some delivery was not answered 2xx, or got no answer. */
export const EXIT_FAILED = 1;

/** What each exit code of `diagnose` means, for its help and its report. */
export const DIAGNOSE_EXIT = {
  ok: { code: 0, meaning: 'the delivery verifies, and its payload is valid for its API version' },
  payload: { code: 1, meaning: 'the delivery verifies, but its payload is invalid, not JSON, or of an unknown type' },
  usage: { code: 2, meaning: 'a usage error: a missing option, an unreadable file' },
  headers: { code: 3, meaning: 'not a Polar delivery as it stands: a webhook-* header is missing or malformed' },
  timestamp: {
    code: 4,
    meaning: 'the signature matches, but the timestamp is outside the tolerance (clock skew, an old capture)',
  },
  body: {
    code: 5,
    meaning: 'the body is not the bytes Polar signed (re-serialized, pretty-printed, a trailing newline)',
  },
  secretText: {
    code: 6,
    meaning: 'the secret is mistyped: whitespace, quotes, dashes or a missing prefix (the corrected one verifies)',
  },
  scheme: {
    code: 7,
    meaning: 'the secret is right, but the key scheme is pinned to the wrong one (legacy vs standard)',
  },
  secret: { code: 8, meaning: "the delivery was signed with another secret (another endpoint's, or polar listen's)" },
} as const;

/** A kind of `diagnose` verdict. */
export type DiagnoseVerdict = keyof typeof DIAGNOSE_EXIT;
