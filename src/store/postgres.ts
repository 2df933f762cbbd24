/**
 * The PostgreSQL adapter (pg Pool): for several worker processes sharing one database. Leases are
 * session advisory locks held on a dedicated pooled connection while the leased work runs
 * (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS).
 */
import { Kysely, PostgresDialect } from 'kysely';
import { Client, Pool, type PoolClient } from 'pg';
import { ConfigError, coerceError } from '../errors';
import type { Logger } from '../log';
import type { StoreDriver } from './driver';
import type { Database } from './schema';

export interface PostgresConfig {
  url: string;
  /** Tables live in this schema (created if missing); every pooled connection gets it as search_path. */
  schema?: string;
  poolSize?: number;
  logger?: Logger;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}

async function lockOrRelease(client: PoolClient, key: string): Promise<boolean> {
  try {
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
    if (locked.rows[0]?.ok === true) return true;
    client.release();
    return false;
  } catch (error) {
    client.release(coerceError(error));
    throw error;
  }
}

/** Unlocks and returns the connection; if the unlock fails, the connection is destroyed, which ends the session and its locks. */
async function unlockAndRelease(client: PoolClient, key: string): Promise<void> {
  try {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    client.release();
  } catch (error) {
    client.release(coerceError(error));
  }
}

export async function openPostgres(config: PostgresConfig): Promise<StoreDriver> {
  const { schema } = config;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new ConfigError(`invalid PostgreSQL schema name: ${schema}`);
  if (schema !== undefined) await ensureSchema(config.url, schema);
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    // A startup parameter, so every connection the pool opens uses the schema from its first query.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (error) => config.logger?.warn('postgres idle connection error', { err: error }));
  // PostgreSQL plans each statement itself; the counts say how many distinct texts and round trips the store sent.
  const seen = new Set<string>();
  let executed = 0;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      executed += 1;
      if (seen.size < 10_000) seen.add(event.query.sql);
    },
  });
  const leasePrefix = schema === undefined ? '' : `${schema}:`;
  return {
    dialect: 'postgres',
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    serialize: (fn) => fn(),
    async withLease(name, fn) {
      const key = `${leasePrefix}${name}`;
      const client = await pool.connect();
      if (!(await lockOrRelease(client, key))) return null;
      try {
        return await fn();
      } finally {
        await unlockAndRelease(client, key);
      }
    },
    statementCounts: () => ({ prepared: seen.size, executed }),
    close: () => db.destroy(),
  };
}
