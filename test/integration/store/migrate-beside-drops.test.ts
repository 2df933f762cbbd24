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
import { pgQuery, TEST_PG_URL } from '../../helpers/postgres-schema';

const run = `churn_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  for (const row of await pgQuery('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${run}%`])) {
    await pgQuery(`DROP SCHEMA IF EXISTS "${String(row['nspname'])}" CASCADE`);
  }
});

describe('PostgreSQL store migrations beside schemas being dropped', () => {
  it('opens (and migrates) 30 stores while another session creates and drops schemas with serial columns', async () => {
    let stop = false;
    let churned = 0;
    const client = new Client({ connectionString: TEST_PG_URL });
    await client.connect();
    const churn = (async () => {
      while (!stop) {
        const name = `${run}_other_${churned}`;
        await client.query(`CREATE SCHEMA "${name}"`);
        await client.query(`CREATE TABLE "${name}".t (id serial primary key, a text, b text, c text)`);
        await client.query(`DROP SCHEMA "${name}" CASCADE`);
        churned += 1;
      }
    })().finally(() => client.end());
    const failures: string[] = [];
    try {
      for (let i = 0; i < 30; i += 1) {
        try {
          const store = await createStore({ kind: 'postgres', url: TEST_PG_URL, schema: `${run}_store_${i}`, poolSize: 2 });
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
    await pgQuery(`CREATE SCHEMA "${other}"`);
    await pgQuery(`CREATE TABLE "${other}".links (id serial primary key)`);
    const driver = await openPostgres({ url: TEST_PG_URL, schema });
    try {
      const introspector = new StoreSchemaIntrospector(driver.db as never);
      expect(await introspector.getTables()).toEqual([]);
      await pgQuery(`CREATE TABLE "${schema}".mine (id integer)`);
      expect(await introspector.getTables()).toEqual([{ name: 'mine', schema, isView: false, columns: [] }]);
      expect(await introspector.getSchemas()).toEqual([{ name: schema }]);
    } finally {
      await driver.close();
    }
  });
});
