/** The CLI against the real PostgreSQL (fresh schema per test): same commands, same verdicts as on SQLite. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createStore } from '../../../src/store';
import { anOutboundInput } from '../../unit/core/builders';
import { createHarness, runCli, type Harness, type StoreFactory } from './harness';

const url = process.env['COSELL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `cli_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let counter = 0;

const postgresStore: StoreFactory = async () => {
  counter += 1;
  const schema = `${prefix}_${counter}`;
  const store = await createStore({ kind: 'postgres', url, schema, poolSize: 2 });
  return {
    store,
    drop: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
};

let h: Harness;
beforeEach(async () => {
  h = await createHarness({}, postgresStore);
});
afterEach(async () => {
  await h.cleanup();
});

describe('CLI on PostgreSQL', () => {
  it('R16: a won opportunity refuses an edit with the rule named; favorite still toggles', async () => {
    const file = h.jsonFile('opp.json', { id: 'opp-pg', ...anOutboundInput() });
    expect((await runCli(h, ['opportunities', 'create', '--file', file])).code).toBe(0);
    expect((await runCli(h, ['opportunities', 'win', 'opp-pg'])).code).toBe(0);
    const refused = await runCli(h, ['opportunities', 'edit', 'opp-pg', '--notes', 'late']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused by R16: edit opportunity opp-pg');
    const fav = await runCli(h, ['--json', 'opportunities', 'favorite', 'opp-pg']);
    expect(fav.json()).toMatchObject({ version: 3, opportunity: { favorite: true, stage: 'won' } });
  });

  it('lists with a view and reports status', async () => {
    const file = h.jsonFile('opp.json', { id: 'opp-pg', ...anOutboundInput() });
    await runCli(h, ['opportunities', 'create', '--file', file]);
    const list = await runCli(h, ['--json', 'opportunities', 'list', '--view', 'outbound']);
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual(['opp-pg']);
    await h.store.startRun({ runId: 'r1', connector: 'dyn-main' }, h.clock.now());
    const status = await runCli(h, ['--json', 'status']);
    expect(status.json<{ connectors: { connector: string; lastRun: { status: string } }[] }>().connectors).toEqual([expect.objectContaining({ connector: 'dyn-main', lastRun: expect.objectContaining({ status: 'running' }) })]);
  });
});
