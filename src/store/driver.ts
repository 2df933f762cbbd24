/** What a dialect adapter gives the store: a Kysely instance and its locking primitives. */
import type { Kysely } from 'kysely';
import type { Database, Dialect } from './schema';
import type { StatementCounts } from './statement-cache';

export interface StoreDriver {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** Schema holding Kysely's migration tables (PostgreSQL `schema` option). */
  readonly migrationTableSchema?: string;
  /** Wraps every root transaction (SQLite: the in-process writer queue; PostgreSQL: nothing). */
  serialize<T>(fn: () => Promise<T>): Promise<T>;
  /** `fn` gets a signal that aborts when the lease is lost while it runs. */
  withLease<T>(name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | null>;
  /** Statements compiled and run since the store opened (PostgreSQL: `prepared` counts distinct SQL texts). */
  statementCounts(): StatementCounts;
  close(): Promise<void>;
}
