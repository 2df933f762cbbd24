/**
 * Compiled statements, kept: better-sqlite3 compiles SQL on every `prepare`, and Kysely prepares
 * each query it runs, so without a cache the same few dozen statements are compiled again for
 * every record. A statement is reusable once its `all`/`run` has returned; the store never
 * iterates (Kysely's `stream()` is not used), so one cached statement is never busy twice.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** What the store has compiled and run since it opened: the figures behind the statement budget. */
export interface StatementCounts {
  /** Statements compiled by the database (cache misses). */
  readonly prepared: number;
  /** Statements run (each `all`/`run`/`iterate`). */
  readonly executed: number;
}

export interface CountingDatabase extends SqliteDatabase {
  counts(): StatementCounts;
}

interface Native {
  prepare(sql: string): SqliteStatement;
  close(): void;
}

/** Wraps `database` so that each distinct SQL text is compiled once (least recently used evicted past `capacity`). */
export function cachingDatabase(database: Native, capacity = 500): CountingDatabase {
  const cache = new Map<string, SqliteStatement>();
  let prepared = 0;
  let executed = 0;
  const counted = (statement: SqliteStatement): SqliteStatement => ({
    get reader() {
      return statement.reader;
    },
    all(parameters) {
      executed += 1;
      return statement.all(parameters);
    },
    run(parameters) {
      executed += 1;
      return statement.run(parameters);
    },
    iterate(parameters) {
      executed += 1;
      return statement.iterate(parameters);
    },
  });
  return {
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit !== undefined) {
        // Re-insert to mark it most recently used (a Map iterates in insertion order).
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = counted(database.prepare(sql));
      prepared += 1;
      cache.set(sql, statement);
      if (cache.size > capacity) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
    close() {
      cache.clear();
      database.close();
    },
    counts: () => ({ prepared, executed }),
  };
}
