/** The notification suite on the real PostgreSQL: a fresh schema per test, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createStore } from '../../../src/store';
import { notifySuite } from './notify-suite';

const url = process.env.COSELL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `notify_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let counter = 0;

async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

notifySuite('PostgreSQL', async () => {
  counter += 1;
  const schema = `${run}_${counter}`;
  return { open: () => createStore({ kind: 'postgres', url, schema, poolSize: 4 }), drop: () => dropSchema(schema) };
});
