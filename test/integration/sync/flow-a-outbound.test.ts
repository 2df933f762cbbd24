import { startSyncHarness, sfOpportunity, type SyncHarness } from './harness';

describe('flow a: a CRM opportunity becomes an outbound co-sell opportunity', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness({ dynamics: false });
  });
  afterEach(() => h.close());

  it('R6/R7/S4: creates an accepted outbound opportunity with its CRM ID and writes the co-sell id back', async () => {
    const [id] = h.sf.seed([sfOpportunity({ CoSell_Help_Type__c: 'Deployment', CoSell_Contact_Name__c: 'Jo Buyer', CoSell_Contact_Email__c: 'jo@contoso.example', CoSell_Contact_Consent__c: true })]);
    await h.syncAll();
    const page = await h.store.listOpportunities({ view: 'all' });
    expect(page.items).toHaveLength(1);
    const opp = page.items[0]!.opportunity;
    expect(opp).toMatchObject({ direction: 'outbound', stage: 'accepted', type: 'co-sell', crmId: id, dealName: 'Contoso cloud migration', estimatedValue: { amount: 125000, currency: 'USD' } });
    const record = h.sf.get(id!)!;
    expect(record.CoSell_Id__c).toBe(opp.id);
    expect(record.CoSell_Sync_Status__c).toBe('Synced');
    expect(record.CoSell_Type__c).toBe('Co-sell');
  });

  it('R4: a record without a team waits in the dead letters with the reason shown in the CRM, then syncs once fixed', async () => {
    const [id] = h.sf.seed([sfOpportunity({ CoSell_Team__c: null })]);
    await h.syncAll();
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(0);
    const letters = await h.store.listDeadLetters({ unresolvedOnly: true });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ externalId: id, direction: 'pull', code: 'R4' });
    expect(String(h.sf.get(id!)!.CoSell_Sync_Status__c)).toContain('team');
    // A second pass does not write the status again (no echo loop).
    const before = h.sf.get(id!)!.SystemModstamp;
    await h.syncAll();
    await h.syncAll();
    expect(h.sf.get(id!)!.SystemModstamp).toBe(before);

    h.sf.update(id!, { CoSell_Team__c: JSON.stringify([{ name: 'Ana Seller', phone: '+33 1', email: 'ana@partner.example' }]) });
    await h.syncAll();
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(1);
    expect(await h.store.listDeadLetters({ unresolvedOnly: true })).toHaveLength(0);
    expect(h.sf.get(id!)!.CoSell_Sync_Status__c).toBe('Synced');
  });
});
