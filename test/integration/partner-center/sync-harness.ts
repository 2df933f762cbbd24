/** Partner Center simulator + connector + a real store (SQLite or PostgreSQL) + the Partner Center sync. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { ManualClock } from '../../../src/core/clock';
import { createPartnerCenterSync, type PartnerCenterSync } from '../../../src/partner-center/sync';
import type { ReferralApi } from '../../../src/ports/referral';
import { createStore, type StateStore } from '../../../src/store';
import { connectorFor, quietLogger } from './setup';

export const PG_URL = process.env['COSELL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PcHarness {
  sim: PartnerCenterSimulator;
  api: ReferralApi;
  store: StateStore;
  clock: ManualClock;
  sync: PartnerCenterSync;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export async function openStore(kind: StoreKind): Promise<{ store: StateStore; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosell-pc-'));
    const store = await createStore({ kind: 'sqlite', path: path.join(dir, 'store.db') });
    return { store, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `pc_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const store = await createStore({ kind: 'postgres', url: PG_URL, schema, poolSize: 2 });
  return {
    store,
    drop: async () => {
      const client = new Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function startPcHarness(kind: StoreKind, wrap: (api: ReferralApi) => ReferralApi = (a) => a): Promise<PcHarness> {
  const sim = await startPartnerCenterSimulator();
  const api = wrap(connectorFor(sim));
  const { store, drop } = await openStore(kind);
  const clock = new ManualClock(new Date());
  const sync = createPartnerCenterSync({ api, store, clock, logger: quietLogger(), context: { ownPublisher: 'Simulated Partner Ltd', defaultCurrency: 'USD' }, overlapMs: 1_000 });
  return {
    sim,
    api,
    store,
    clock,
    sync,
    close: async () => {
      await store.close();
      await drop();
      await api.close();
      await sim.close();
    },
  };
}
