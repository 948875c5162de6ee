import { WebhookVerificationError } from '../errors';
/** Length of a padded base64 SHA-256 digest. */
const SIGNATURE_LENGTH = 44;

/**
 * Reads the `v1` signatures out of a `webhook-signature` header: space-separated
 * `<version>,<base64>` entries. Other versions (`v1a`, future ones) are skipped, as the spec asks.
 *
 * @throws {@link WebhookVerificationError} `malformed_header` when no entry has the `version,value` form.
 */
export function readSignatures(header: string): string[] {
  const signatures: string[] = [];
  let wellFormed = 0;
  for (const raw of header.split(' ')) {
    // A Fetch Headers joins repeated header lines with ", ": tolerate the comma that leaves behind.
    const entry = raw.endsWith(',') ? raw.slice(0, -1) : raw;
    const comma = entry.indexOf(',');
    if (comma <= 0 || comma === entry.length - 1) continue;
    wellFormed++;
    if (comma !== 2 || entry.charCodeAt(0) !== 118 /* v */ || entry.charCodeAt(1) !== 49 /* 1 */) continue;
    // Compared as padded base64 text: senders that drop the padding still match.
    const value = entry.length === SIGNATURE_LENGTH + 2 ? `${entry.slice(3)}=` : entry.slice(3);
    if (value.length === SIGNATURE_LENGTH) signatures.push(value);
  }
  if (wellFormed === 0) {
    throw new WebhookVerificationError(
      'malformed_header',
      'The webhook-signature header has no "<version>,<base64>" entry (expected e.g. "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="). ' +
        'Pass the header exactly as received.',
    );
  }
  return signatures;
}

/**
 * Compares two strings in time that depends only on their length (both are base64 digests of
 * the same length here, so nothing about the expected value leaks through timing).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The error for a delivery whose signature matches none of the keys. */
export function noMatchingSignature(secretCount: number, signatureCount: number): WebhookVerificationError {
  const hint =
    signatureCount === 0
      ? 'The header carries no v1 signature of the right length.'
      : 'Check, in this order: (1) the body is the raw request body, byte for byte — not JSON.parse()d and ' +
        're-serialized by a framework (Express json(), Next.js Pages Router without bodyParser: false); ' +
        `(2) the secret${secretCount > 1 ? 's are' : ' is'} the one shown for this endpoint in the Polar dashboard ` +
        '(copied whole, prefix included); (3) the webhook-id and webhook-timestamp headers are passed unchanged.';
  return new WebhookVerificationError('no_matching_signature', `No signature matches. ${hint}`);
}
