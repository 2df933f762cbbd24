import { asOpportunityId } from '../../../src/core/model';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

describe('flow f: a Salesforce org and a Dynamics org linked to the same co-sell opportunities stay consistent through the core', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness();
  });
  afterEach(() => h.close());

  it('edits to different fields in each org meet in the core and reach the other org; no record is duplicated', async () => {
    const seeded = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal', CoSell_Customer_Name__c: 'Fabrikam' })]);
    await h.syncAll();
    await h.syncAll();
    const { opportunityId, dynId } = await linkedIds(h, seeded[0]!);
    h.sf.update(seeded[0]!, { CloseDate: '2026-09-30' });
    h.dyn.update(dynId!, { name: 'Contoso cloud migration (phase 2)', estimatedvalue: 210000 });
    await h.syncAll();
    await h.syncAll();
    const opp = (await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity;
    expect(opp).toMatchObject({ dealName: 'Contoso cloud migration (phase 2)', estimatedCloseDate: '2026-09-30', estimatedValue: { amount: 210000, currency: 'USD' } });
    expect(h.sf.get(seeded[0]!)).toMatchObject({ Name: 'Contoso cloud migration (phase 2)', Amount: 210000, CloseDate: '2026-09-30' });
    expect(h.dyn.get(dynId!)).toMatchObject({ name: 'Contoso cloud migration (phase 2)', estimatedvalue: 210000, estimatedclosedate: '2026-09-30' });
    // One co-sell opportunity per Salesforce record, one Dynamics row per co-sell opportunity.
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(2);
    const keys = h.dyn.list().map((row) => row.cosell_cosellid);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(2);
    expect(await h.store.listConflicts({})).toHaveLength(0);
  });
});
