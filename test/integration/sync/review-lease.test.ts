import type { CrmConnector } from '../../../src/ports/connector';
/**
 * Review actions under the instance's lease, against a running sync (Salesforce simulator over
 * real HTTP; real SQLite and real PostgreSQL stores): `conflicts resolve` waits for the run and
 * then writes the CRM itself, or, past reviewLeaseWaitMs, stores the resolution and leaves the
 * CRM write to the next run, saying so; nothing is pushed beside a running sync.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { asOpportunityId } from '../../../src/core/model';
import { silentLogger } from '../../../src/log';
import { createStore } from '../../../src/store';
import type { StateStore } from '../../../src/store/types';
import { createSyncEngine } from '../../../src/sync/engine';
import type { SyncEngine } from '../../../src/sync/types';
import { sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

const url = process.env['COSELL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `values_lease_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let counter = 0;
const user = { kind: 'user' as const, name: 'test' };

interface StoreUnderTest {
  store: StateStore;
  drop(): Promise<void>;
}

const stores: Record<'sqlite' | 'postgres', (h: SyncHarness) => Promise<StoreUnderTest>> = {
  sqlite: async (h) => ({ store: h.store, drop: async () => undefined }),
  postgres: async () => {
    counter += 1;
    const schema = `${prefix}_${counter}`;
    const store = await createStore({ kind: 'postgres', url, schema, poolSize: 4 });
    return {
      store,
      drop: async () => {
        await store.close();
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  },
};

describe.each(['sqlite', 'postgres'] as const)('review actions under the lease (%s store)', (kind) => {
  let h: SyncHarness;
  let under: StoreUnderTest;
  let sfId: string;
  let opportunityId: string;
  const engineWith = (reviewLeaseWaitMs: number): SyncEngine =>
    createSyncEngine({ store: under.store, instances: h.instances, clock: h.clock, logger: silentLogger, policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' }, reviewLeaseWaitMs });

  /** A manual field changed on both sides: a pending conflict on notes. */
  beforeEach(async () => {
    h = await startSyncHarness({ dynamics: false, owners: { notes: 'manual' } });
    under = await stores[kind](h);
    const engine = engineWith(0);
    [sfId = ''] = h.sf.seed([sfOpportunity()]);
    await engine.runOnce({ connector: 'sf' });
    const link = await under.store.getLink('sf', sfId);
    opportunityId = link!.opportunityId;
    await under.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes: 'co-sell note' } }, source: user, now: h.clock.now() });
    h.sf.update(sfId, { Description: 'crm note' });
    await engine.runOnce({ connector: 'sf' });
    expect(await under.store.listConflicts({ status: 'pending' })).toHaveLength(1);
  });
  afterEach(async () => {
    await under.drop();
    await h.close();
  });

  /** A run that holds the lease while its first CRM call is slow. */
  async function runningSync(engine: SyncEngine): Promise<{ run: Promise<unknown>; order: string[] }> {
    const order: string[] = [];
    h.sf.injectFault('latency', 3, { latencyMs: 2000 });
    // The run reads the CRM only under the instance's lease: its first read says it holds it.
    const connector = h.instances.find((i) => i.name === 'sf')!.connector as { readChanges: CrmConnector['readChanges'] };
    const original = connector.readChanges.bind(connector);
    const reading = new Promise<void>((resolve) => {
      connector.readChanges = (params) => {
        connector.readChanges = original;
        resolve();
        return original(params);
      };
    });
    const run = engine.runOnce({ connector: 'sf' }).then((s) => {
      order.push('run');
      return s;
    });
    await reading;
    return { run, order };
  }

  it('waits for the running sync, then settles and writes the CRM itself', async () => {
    const engine = engineWith(60_000);
    const { run, order } = await runningSync(engine);
    const [conflict] = await under.store.listConflicts({ status: 'pending' });
    const outcome = await engine.resolveConflict(conflict!.id, 'cosell').then((o) => {
      order.push('resolve');
      return o;
    });
    await run;
    expect(order).toEqual(['run', 'resolve']);
    expect(outcome).toEqual({ ok: true, message: 'conflict ' + String(conflict!.id) + ' resolved: kept the co-sell value of notes' });
    expect(h.sf.get(sfId)).toMatchObject({ Description: 'co-sell note', CoSell_Conflict__c: false });
  });

  it('past reviewLeaseWaitMs, stores the resolution, queues the CRM write for the next run and says so', async () => {
    const engine = engineWith(50);
    const { run, order } = await runningSync(engine);
    const [conflict] = await under.store.listConflicts({ status: 'pending' });
    const outcome = await engine.resolveConflict(conflict!.id, 'cosell');
    // It did not wait for the run, and wrote nothing to the CRM beside it.
    expect(order).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(outcome.message).toContain('a sync of sf is running, so the CRM is written by its next run (queued)');
    expect(h.sf.get(sfId)).toMatchObject({ Description: 'crm note' });
    expect(await under.store.listConflicts({ status: 'pending' })).toHaveLength(0);
    await run;
    await engine.runOnce({ connector: 'sf' });
    expect(h.sf.get(sfId)).toMatchObject({ Description: 'co-sell note', CoSell_Conflict__c: false });
    expect((await under.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.notes).toBe('co-sell note');
  });

  it('a pull dead letter is not replayed beside a running sync: it says so and stays', async () => {
    const letter = await under.store.addDeadLetter({ connector: 'sf', direction: 'pull', externalId: sfId, opportunityId: null, reason: 'test', code: 'mapping', payload: {} }, h.clock.now());
    const engine = engineWith(50);
    const { run } = await runningSync(engine);
    const outcome = await engine.retryDeadLetter(letter.id);
    expect(outcome).toEqual({ ok: false, message: `dead letter ${letter.id} not replayed: a sync of sf kept the instance busy for 50 ms; try again when it ends` });
    await run;
  });
});
