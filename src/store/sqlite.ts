/**
 * The SQLite adapter (better-sqlite3): the embedded default, for ONE process. WAL lets readers run
 * beside the writer; writers of this process queue in mutex.ts; busy_timeout covers a stray second
 * process (a CLI command next to the daemon) holding the file lock briefly.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { StoreDriver } from './driver';
import { withLocalLease, writeMutexFor } from './mutex';
import { cachingDatabase } from './statement-cache';
import type { Database as Tables } from './schema';

const BUSY_TIMEOUT_MS = 5000;

export function openSqlite(path: string): StoreDriver {
  const inMemory = path === ':memory:';
  const file = inMemory ? `:memory:${Math.random()}` : resolve(path);
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const database = new Database(inMemory ? ':memory:' : file);
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  // NORMAL is durable across process crashes in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous).
  database.pragma('synchronous = NORMAL');
  const cached = cachingDatabase(database);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: cached }) });
  const mutex = writeMutexFor(file);
  return {
    dialect: 'sqlite',
    db,
    serialize: (fn) => mutex.run(fn),
    withLease: (name, fn) => withLocalLease(`${file}#${name}`, fn),
    statementCounts: () => cached.counts(),
    close: () => db.destroy(),
  };
}
