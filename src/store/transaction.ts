/**
 * Store transactions, run again when the pooled connection they were given turns out to be gone
 * before their first statement: PostgreSQL closes sessions left idle past `idle_session_timeout`,
 * and a restart, a failover or `pg_terminate_backend` closes them too. The pool learns of it only
 * when the socket's close is read, so a busy process can be handed such a connection, and its
 * `BEGIN` fails. Nothing of the transaction ran then, so it is run again on a fresh connection; a
 * connection lost after `BEGIN` fails the transaction as before (the caller's retry or replay
 * decides).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', '57P01', '57P02', '57P05', '08003', '08006']);
const ATTEMPTS = 3;

/** A failure that says the connection is gone, not that the database refused a statement. */
export function isLostConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && LOST_CODES.has(code)) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(error.message);
}

export async function runTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let began = false;
    try {
      return await db.transaction().execute((trx) => {
        began = true;
        return fn(trx);
      });
    } catch (error) {
      if (began || attempt >= ATTEMPTS || !isLostConnection(error)) throw error;
    }
  }
}
