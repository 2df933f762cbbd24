import { asOpportunityId } from '../../../src/core/model';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('flow c: edits both ways, per field owner', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('an edit in Salesforce reaches co-sell and Dynamics; an edit in co-sell reaches both CRMs', async () => {
    h = await startSyncHarness();
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    await h.syncAll();
    const { opportunityId, dynId } = await linkedIds(h, sfId!);
    expect(dynId).not.toBeNull();
    h.sf.update(sfId!, { Amount: 150000, CloseDate: '2026-07-15' });
    await h.syncAll();
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity).toMatchObject({ estimatedValue: { amount: 150000 }, estimatedCloseDate: '2026-07-15' });
    expect(h.dyn.get(dynId!)).toMatchObject({ estimatedvalue: 150000, estimatedclosedate: '2026-07-15' });

    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes: 'Workshop booked' } }, source: user, now: h.clock.now() });
    await h.syncAll();
    expect(h.sf.get(sfId!)).toMatchObject({ Description: 'Workshop booked' });
    expect(h.dyn.get(dynId!)).toMatchObject({ description: 'Workshop booked' });
    expect(await h.store.listConflicts({})).toHaveLength(0);
  });

  it('both sides change a crm-owned field: the CRM value wins and the settled conflict is stored with both values', async () => {
    h = await startSyncHarness({ dynamics: false });
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId } = await linkedIds(h, sfId!);
    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes: 'co-sell note' } }, source: user, now: h.clock.now() });
    h.sf.update(sfId!, { Description: 'crm note' });
    await h.syncAll();
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.notes).toBe('crm note');
    const [conflict] = await h.store.listConflicts({});
    expect(conflict).toMatchObject({ field: 'notes', crmValue: 'crm note', cosellValue: 'co-sell note', rule: 'crm', outcome: 'took-crm', status: 'resolved' });
  });

  it('a manual field changed on both sides waits for `conflicts resolve`, then the chosen value reaches both sides', async () => {
    h = await startSyncHarness({ dynamics: false, owners: { notes: 'manual' } });
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId } = await linkedIds(h, sfId!);
    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes: 'co-sell note' } }, source: user, now: h.clock.now() });
    h.sf.update(sfId!, { Description: 'crm note' });
    await h.syncAll();
    await h.syncAll();
    const [conflict] = await h.store.listConflicts({ status: 'pending' });
    expect(conflict).toMatchObject({ field: 'notes', crmValue: 'crm note', cosellValue: 'co-sell note', rule: 'manual', outcome: 'pending' });
    // Neither side was overwritten while the conflict waits; the CRM user sees the flag.
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.notes).toBe('co-sell note');
    expect(h.sf.get(sfId!)).toMatchObject({ Description: 'crm note', CoSell_Conflict__c: true });

    const outcome = await h.engine.resolveConflict(conflict!.id, 'cosell');
    expect(outcome.ok).toBe(true);
    expect(h.sf.get(sfId!)).toMatchObject({ Description: 'co-sell note', CoSell_Conflict__c: false, CoSell_Sync_Status__c: 'Synced' });
    expect(await h.store.listConflicts({ status: 'pending' })).toHaveLength(0);
    await h.syncAll();
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.notes).toBe('co-sell note');
  });
});

describe('sync --dry-run', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('says per record what would be written where and why, and writes nothing on either side', async () => {
    h = await startSyncHarness({ dynamics: false });
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId } = await linkedIds(h, sfId!);
    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes: 'planned note' } }, source: user, now: h.clock.now() });
    const [newId] = h.sf.seed([sfOpportunity({ Name: 'Brand new deal' })]);
    const before = { record: h.sf.get(sfId!), count: (await h.store.listOpportunities({ view: 'all' })).items.length, cursor: await h.store.getCursor('sf') };

    const summary = await h.engine.runOnce({ connector: 'sf', dryRun: true });

    expect(summary.dryRun).toBe(true);
    expect(summary.planned).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target: 'cosell', action: 'create', externalId: newId }),
        expect.objectContaining({ target: 'crm', action: 'update', opportunityId, changes: expect.objectContaining({ Description: 'planned note' }) }),
      ]),
    );
    expect(h.sf.get(sfId!)).toEqual(before.record);
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(before.count);
    expect(await h.store.getCursor('sf')).toEqual(before.cursor);
    expect(await h.store.countOutbox()).toBe(0);
  });
});
