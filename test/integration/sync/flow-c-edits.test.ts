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
