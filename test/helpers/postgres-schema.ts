/** A fresh PostgreSQL schema on the test database, for tests that need their own tables. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEST_PG_URL = process.env['COSELL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresSchema {
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/** Runs one statement on its own connection. */
export async function pgQuery(sqlText: string, params: unknown[] = [], url = TEST_PG_URL): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sqlText, params)).rows;
  } finally {
    await client.end();
  }
}

export async function freshPostgresSchema(prefix: string): Promise<PostgresSchema> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  return { url: TEST_PG_URL, schema, drop: async () => void (await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)) };
}
