/**
 * The version guard on Salesforce updates: a write carrying mapped values is checked against the
 * version read (one query per 200 records); a write of the sync's own fields alone (the co-sell id
 * and sync status written back after a first read) is not, since it overwrites no user value. A
 * user's edit made between our read and that write is still read and merged.
 */
import { asOpportunityId } from '../../../src/core/model';
import type { WriteOperation } from '../../../src/ports/connector';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('the Salesforce write-back and the version guard', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  /** Every write the Salesforce connector is given; `before` runs first (a CRM user's edit landing then). */
  function watchWrites(before: () => void = () => undefined): WriteOperation[] {
    const sf = h.instances[0]!;
    const real = sf.connector;
    const seen: WriteOperation[] = [];
    sf.connector = {
      ...real,
      kind: real.kind,
      name: real.name,
      readChanges: (params) => real.readChanges(params),
      writeBatch: async (ops) => {
        seen.push(...ops);
        before();
        return real.writeBatch(ops);
      },
    };
    return seen;
  }

  it('writes the co-sell id and status back without a check query, and a user edit made meanwhile is read and merged', async () => {
    h = await startSyncHarness({ dynamics: false });
    const [sfId] = h.sf.seed([sfOpportunity({ Amount: 1000 })]);
    let edited = false;
    const writes = watchWrites(() => {
      if (edited) return;
      edited = true;
      h.sf.update(sfId!, { Amount: 2500, Description: 'edited while the sync ran' });
    });
    h.sf.resetStats();
    await h.engine.runOnce({ connector: 'sf' });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ kind: 'update', id: sfId, expectedVersion: null });
    // The sync's own fields and to-crm ones (the co-sell type and direction), none of which the sync reads back.
    expect(Object.keys(writes[0]!.fields).sort()).toEqual(['CoSell_Direction__c', 'CoSell_Id__c', 'CoSell_Sync_Status__c', 'CoSell_Type__c']);
    // The write-back was a collections PATCH alone: no SELECT ... WHERE Id IN check before it.
    expect(h.sf.stats().callsByKind['PATCH composite']).toBe(1);
    const queriesBefore = h.sf.stats().callsByKind['GET query'] ?? 0;

    // The user's values survived the write and the next run takes them.
    expect(h.sf.get(sfId!)).toMatchObject({ Amount: 2500, Description: 'edited while the sync ran' });
    await h.engine.runOnce({ connector: 'sf' });
    const { opportunityId } = await linkedIds(h, sfId!);
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity).toMatchObject({ estimatedValue: { amount: 2500 }, notes: 'edited while the sync ran' });
    expect(h.sf.stats().callsByKind['GET query']).toBeGreaterThan(queriesBefore);
  });

  it('guards a write that carries a mapped value: a user edit since the read is not overwritten', async () => {
    h = await startSyncHarness({ dynamics: false });
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.engine.runOnce({ connector: 'sf' });
    await h.engine.runOnce({ connector: 'sf' });
    const { opportunityId } = await linkedIds(h, sfId!);
    let edited = false;
    const writes = watchWrites(() => {
      if (edited) return;
      edited = true;
      h.sf.update(sfId!, { Description: 'crm note' });
    });
    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes: 'co-sell note' } }, source: user, now: h.clock.now() });
    await h.engine.runOnce({ connector: 'sf' });
    expect(writes[0]).toMatchObject({ kind: 'update', id: sfId });
    expect(writes[0]!.kind === 'update' && writes[0]!.expectedVersion).not.toBeNull();
    // The guarded write found the record changed: the user's note was not overwritten by co-sell's.
    expect(h.sf.get(sfId!)).toMatchObject({ Description: 'crm note' });
    expect(await h.store.listConflicts({})).toEqual([expect.objectContaining({ field: 'notes', crmValue: 'crm note', cosellValue: 'co-sell note' })]);
  });
});
