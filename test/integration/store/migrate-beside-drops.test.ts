/**
 * Stores migrating while other schemas of the same PostgreSQL database are created and dropped
 * (other stores, other applications, parallel test files): a migration looks at its own schema
 * only, so none fails on a schema that disappears under it.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createStore } from '../../../src/store';
import { StoreSchemaIntrospector } from '../../../src/store/pg-introspector';
import { openPostgres } from '../../../src/store/postgres';

const url = process.env.COSELL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `churn_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropSchemas(prefix: string): Promise<void> {
  await withClient(async (client) => {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  });
}

afterAll(async () => {
  await dropSchemas(run);
});

describe('PostgreSQL store migrations beside schemas being dropped', () => {
  it('opens (and migrates) 30 stores while another session creates and drops schemas with serial columns', async () => {
    let stop = false;
    let churned = 0;
    const churn = withClient(async (client) => {
      while (!stop) {
        const name = `${run}_other_${churned}`;
        await client.query(`CREATE SCHEMA "${name}"`);
        await client.query(`CREATE TABLE "${name}".t (id serial primary key, a text, b text, c text)`);
        await client.query(`DROP SCHEMA "${name}" CASCADE`);
        churned += 1;
      }
    });
    const failures: string[] = [];
    try {
      for (let i = 0; i < 30; i += 1) {
        try {
          const store = await createStore({ kind: 'postgres', url, schema: `${run}_store_${i}`, poolSize: 2 });
          await store.close();
        } catch (error) {
          failures.push(`${String((error as Error).message)}: ${String((error as { cause?: { message?: unknown } }).cause?.message)}`);
        }
      }
    } finally {
      stop = true;
      await churn;
    }
    expect(churned).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);

  it('sees the tables of its own schema only', async () => {
    const schema = `${run}_own`;
    const other = `${run}_neighbour`;
    await withClient(async (client) => {
      await client.query(`CREATE SCHEMA "${other}"`);
      await client.query(`CREATE TABLE "${other}".links (id serial primary key)`);
    });
    const driver = await openPostgres({ url, schema });
    try {
      const introspector = new StoreSchemaIntrospector(driver.db as never);
      expect(await introspector.getTables()).toEqual([]);
      await withClient((client) => client.query(`CREATE TABLE "${schema}".mine (id integer)`));
      expect(await introspector.getTables()).toEqual([{ name: 'mine', schema, isView: false, columns: [] }]);
      expect(await introspector.getSchemas()).toEqual([{ name: schema }]);
    } finally {
      await driver.close();
    }
  });
});
