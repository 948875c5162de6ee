/**
 * The SQL of the PostgreSQL store: the table, and one statement per operation. Every duration is
 * measured on the database's clock (`now()`), so processes whose clocks disagree still agree on
 * when a lease lapses. A row is a claim (`done = false`, `expires_at` = end of the lease) or a done
 * mark (`done = true`, `expires_at` = end of its time to live); a row past its `expires_at` is as
 * good as absent: the next claim of its key takes it over, and `prune()` deletes it.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';

/** Default table name. */
export const DEFAULT_TABLE = 'polar_webhook_deliveries';

/** PostgreSQL's longest identifier, in bytes; longer ones are cut short without an error. */
const MAX_IDENTIFIER_BYTES = 63;

const bytes = (text: string): number => new TextEncoder().encode(text).length;

/** A short, stable hash of a text (FNV-1a, 32 bits, in hex): names that must fit in an identifier. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** A checked identifier, double-quoted for SQL. */
function quoteIdentifier(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new WebhookConfigurationError('invalid_option', `${where}: ${name} must be a non-empty string.`);
  }
  if (bytes(value) > MAX_IDENTIFIER_BYTES || value.includes('\0')) {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: ${name} "${value}" is not a PostgreSQL identifier (at most 63 bytes, no NUL).`,
    );
  }
  return `"${value.replace(/"/g, '""')}"`;
}

/** The statements of one table. `$1` is always the key, `$2` the token, `$3` milliseconds. */
export interface StoreSql {
  /** The table, quoted and schema-qualified, for messages. */
  readonly table: string;
  /** Creates the table and its index when absent. */
  readonly ddl: string;
  /** Claims the key, or answers what holds it (`state`: claimed, done, busy): one row, always. */
  readonly claim: string;
  /** Extends the token's claim; one row when the token holds the key. */
  readonly extend: string;
  /** Marks the token's claim done; `held` says whether the token held the key. */
  readonly commit: string;
  /** Deletes the token's claim, never a done mark. */
  readonly release: string;
  /** Deletes up to `$1` expired rows. */
  readonly prune: string;
}

/** The SQL for a table (`schema` undefined: the search path decides). */
export function storeSql(where: string, table: unknown, schema: unknown): StoreSql {
  const name = quoteIdentifier(where, 'table', table);
  const qualified = schema === undefined ? name : `${quoteIdentifier(where, 'schema', schema)}.${name}`;
  const indexName = `${String(table)}_expires_at_idx`;
  // An index lives in its table's schema, under a name of its own that must fit too.
  const index = quoteIdentifier(
    where,
    'table',
    bytes(indexName) <= MAX_IDENTIFIER_BYTES ? indexName : `polar_webhooks_${shortHash(indexName)}_expires_at_idx`,
  );
  const ms = (param: string) => `now() + interval '1 millisecond' * ${param}::double precision`;
  return {
    table: qualified,
    ddl:
      `CREATE TABLE IF NOT EXISTS ${qualified} (\n` +
      '  key text PRIMARY KEY,\n' +
      '  token text NOT NULL,\n' +
      '  done boolean NOT NULL DEFAULT false,\n' +
      '  expires_at timestamptz NOT NULL\n' +
      ');\n' +
      `CREATE INDEX IF NOT EXISTS ${index} ON ${qualified} (expires_at);`,
    // A live row in the statement's snapshot answers at once, read only: a duplicate takes no lock
    // and writes nothing, so it costs no commit to disk. Otherwise the insert takes the key, free or
    // expired. A row that a concurrent claim made after this statement began is not in its snapshot:
    // the insert finds it and leaves it, which reads as busy, and the router looks again.
    claim:
      `WITH live AS (\n` +
      `  SELECT done FROM ${qualified} WHERE key = $1::text AND expires_at > now()\n` +
      '), claimed AS (\n' +
      `  INSERT INTO ${qualified} AS d (key, token, done, expires_at)\n` +
      `  SELECT $1::text, $2::text, false, ${ms('$3')} WHERE NOT EXISTS (SELECT 1 FROM live)\n` +
      '  ON CONFLICT (key) DO UPDATE SET token = excluded.token, done = false, expires_at = excluded.expires_at\n' +
      '  WHERE d.expires_at <= now()\n' +
      '  RETURNING 1\n' +
      ')\n' +
      'SELECT CASE\n' +
      "  WHEN EXISTS (SELECT 1 FROM claimed) THEN 'claimed'\n" +
      "  WHEN (SELECT done FROM live) THEN 'done'\n" +
      "  ELSE 'busy' END AS state",
    // A token's own done mark counts as held, and is left as it is: after commitWith, the router's
    // heartbeat and its commit still find the claim theirs.
    extend:
      `UPDATE ${qualified} SET expires_at = CASE WHEN done THEN expires_at ELSE ${ms('$3')} END\n` +
      'WHERE key = $1 AND token = $2 RETURNING 1',
    // Found already done under the same token (commitWith did it), nothing is written again.
    commit:
      `WITH committed AS (\n` +
      `  UPDATE ${qualified} SET done = true, expires_at = ${ms('$3')}\n` +
      '  WHERE key = $1::text AND token = $2::text AND NOT done RETURNING 1\n' +
      ')\n' +
      'SELECT EXISTS (SELECT 1 FROM committed)\n' +
      `  OR EXISTS (SELECT 1 FROM ${qualified} WHERE key = $1::text AND token = $2::text AND done) AS held`,
    release: `DELETE FROM ${qualified} WHERE key = $1 AND token = $2 AND NOT done`,
    // In batches, skipping rows a claim holds locked: pruning never waits on a delivery.
    prune:
      `DELETE FROM ${qualified} WHERE key IN (\n` +
      `  SELECT key FROM ${qualified} WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED\n` +
      ')',
  };
}
