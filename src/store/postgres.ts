/**
 * The PostgreSQL adapter (pg Pool): for several worker processes sharing one database. Leases are
 * session advisory locks, each on a connection of its own outside the pool (lease-connection.ts).
 */
import { Kysely } from 'kysely';
import { Client, Pool } from 'pg';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import type { StoreDriver } from './driver';
import { withLeaseConnection } from './lease-connection';
import { StorePostgresDialect } from './pg-introspector';
import type { Database } from './schema';

export interface PostgresConfig {
  url: string;
  /** Tables live in this schema (created if missing); every pooled connection gets it as search_path. */
  schema?: string;
  poolSize?: number;
  logger?: Logger;
  /** How often a held lease's session is pinged, in ms (below any idle_session_timeout of the server). Default 1000. */
  leaseKeepaliveMs?: number;
}

export const poolApplicationName = (schema: string | undefined): string => `cosell-sync pool ${schema ?? 'public'}`.slice(0, 63);

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

export async function openPostgres(config: PostgresConfig): Promise<StoreDriver> {
  const { schema } = config;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new ConfigError(`invalid PostgreSQL schema name: ${schema}`);
  if (schema !== undefined) await ensureSchema(config.url, schema);
  const clientConfig = {
    connectionString: config.url,
    // A startup parameter, so every connection opened uses the schema from its first query.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  };
  // Named so that operators (and pg_stat_activity) can tell the pool's sessions from the leases'.
  const pool = new Pool({ ...clientConfig, max: config.poolSize ?? 10, application_name: poolApplicationName(schema) });
  // A connection dropped by the server (57P01 on restart, failover, pg_terminate_backend) must not
  // crash the process: idle ones are reported by the pool, checked-out ones by the client itself;
  // the query running on it fails with the error, and the pool opens a new connection next time.
  pool.on('error', (error) => config.logger?.warn('postgres idle connection error', { err: error }));
  pool.on('connect', (client) => {
    client.on('error', (error) => config.logger?.warn('postgres connection error', { err: error }));
  });
  // PostgreSQL plans each statement itself; the counts say how many distinct texts and round trips the store sent.
  const seen = new Set<string>();
  let executed = 0;
  const db = new Kysely<Database>({
    dialect: new StorePostgresDialect({ pool }),
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
    withLease: (name, fn) =>
      withLeaseConnection({ client: clientConfig, key: `${leasePrefix}${name}`, keepaliveMs: config.leaseKeepaliveMs ?? 1000, ...(config.logger ? { logger: config.logger } : {}) }, fn),
    statementCounts: () => ({ prepared: seen.size, executed }),
    close: () => db.destroy(),
  };
}
