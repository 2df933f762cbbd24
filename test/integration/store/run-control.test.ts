/** Run control and the operator action log, on SQLite and on PostgreSQL (migration 007). */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createStore } from '../../../src/store';
import { useFreshStore, type StoreDatabaseFactory } from './harness';

const url = process.env.COSELL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const root = mkdtempSync(join(tmpdir(), 'cosell-runctl-'));
const run = `runctl_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sqlite: StoreDatabaseFactory = async () => {
  counter += 1;
  const dir = join(root, `db-${counter}`);
  return { open: () => createStore({ kind: 'sqlite', path: join(dir, 'state.db') }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
};
const postgres: StoreDatabaseFactory = async () => {
  counter += 1;
  const schema = `${run}_${counter}`;
  return {
    open: () => createStore({ kind: 'postgres', url, schema, poolSize: 2 }),
    drop: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    },
  };
};

const T1 = new Date('2026-03-02T09:00:00.000Z');
const T2 = new Date('2026-03-02T09:05:00.000Z');

describe.each([['SQLite', sqlite], ['PostgreSQL', postgres]])('run control on %s', (_name, factory) => {
  const ctx = useFreshStore(factory);

  it('knows no pause until one is set, then keeps the last setting with who and when', async () => {
    expect(await ctx.store.getRunControl('sf-main')).toBeNull();
    await ctx.store.setRunControl({ connector: 'sf-main', paused: true, actor: 'cli:alice', reason: 'CRM maintenance' }, T1);
    expect(await ctx.store.getRunControl('sf-main')).toEqual({ connector: 'sf-main', paused: true, changedBy: 'cli:alice', changedAt: T1.toISOString(), reason: 'CRM maintenance' });
    await ctx.store.setRunControl({ connector: 'sf-main', paused: false, actor: 'console:bob', reason: null }, T2);
    const other = await ctx.open();
    expect(await other.getRunControl('sf-main')).toEqual({ connector: 'sf-main', paused: false, changedBy: 'console:bob', changedAt: T2.toISOString(), reason: null });
    await ctx.store.setRunControl({ connector: 'dyn-main', paused: true, actor: 'x', reason: null }, T2);
    expect((await other.listRunControl()).map((r) => [r.connector, r.paused])).toEqual([['dyn-main', true], ['sf-main', false]]);
  });

  it('logs operator actions newest first, per connector, with details', async () => {
    await ctx.store.addOperatorAction({ connector: 'sf-main', action: 'pause', actor: 'cli:alice', details: { reason: 'r' } }, T1);
    await ctx.store.addOperatorAction({ connector: 'dyn-main', action: 'full-resync', actor: 'admin-api', details: null }, T1);
    const last = await ctx.store.addOperatorAction({ connector: 'sf-main', action: 'resume', actor: 'cli:alice', details: null }, T2);
    expect(last).toMatchObject({ connector: 'sf-main', action: 'resume', at: T2.toISOString() });
    const sf = await ctx.store.listOperatorActions({ connector: 'sf-main' });
    expect(sf.map((a) => a.action)).toEqual(['resume', 'pause']);
    expect(sf[1]?.details).toEqual({ reason: 'r' });
    expect((await ctx.store.listOperatorActions({ limit: 1 })).map((a) => a.id)).toEqual([last.id]);
  });

  it('rolls the action back with the transaction it was written in', async () => {
    await expect(
      ctx.store.transaction(async (tx) => {
        await tx.setRunControl({ connector: 'sf-main', paused: true, actor: 'a', reason: null }, T1);
        await tx.addOperatorAction({ connector: 'sf-main', action: 'pause', actor: 'a', details: null }, T1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await ctx.store.getRunControl('sf-main')).toBeNull();
    expect(await ctx.store.listOperatorActions({})).toEqual([]);
  });
});
