/**
 * Errors a database raises because of one record's values (not because of the connection or the
 * schema): the page holding that record is replayed record by record, and only that record fails.
 */

/** PostgreSQL SQLSTATE classes and codes caused by a value (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const PG_VALUE_CODES = new Set(['23502', '23514', '54000']);
/** better-sqlite3 error codes caused by a value (https://www.sqlite.org/rescode.html). */
const SQLITE_VALUE_CODES = new Set(['SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_CONSTRAINT_NOTNULL', 'SQLITE_CONSTRAINT_CHECK']);

function codeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : null;
}

/** True when the error (or one of its causes) is a database refusing a value. */
export function isValueRefusedByStore(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const code = codeOf(current);
    // Class 22 is "data exception": bad encoding, out of range, string too long, bad datetime.
    if (code !== null && (code.startsWith('22') || PG_VALUE_CODES.has(code) || SQLITE_VALUE_CODES.has(code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
