/** The SQLSTATE of an error from a PostgreSQL driver (`pg`, `postgres`, pg-boss), if it carries one. */
export const postgresErrorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** "relation does not exist": a table that was never created. */
export const UNDEFINED_TABLE = '42P01';

/** What two `CREATE … IF NOT EXISTS` of the same table or index racing each other can raise. */
export const CONCURRENT_CREATE: ReadonlySet<unknown> = new Set(['23505', '42P07', '42710']);
