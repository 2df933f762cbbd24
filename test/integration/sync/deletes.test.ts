import { sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

describe('deleted CRM records', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness({ dynamics: false });
  });
  afterEach(() => h.close());

  it('a deleted record is unlinked and recorded for review; the co-sell opportunity is kept', async () => {
    const [a, b] = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    await h.syncAll();
    h.sf.remove(b!);
    await h.syncAll();
    expect((await h.store.listLinks({ connector: 'sf' })).map((l) => l.externalId)).toEqual([a]);
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(2);
    const [conflict] = await h.store.listConflicts({});
    expect(conflict).toMatchObject({ kind: 'deleted', externalId: b, outcome: 'unlinked' });
  });

  it('a delete the CRM no longer reports is found by the full reconciliation pass', async () => {
    const [a, b] = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    await h.syncAll();
    h.sf.remove(b!);
    // The org's deleted-records log no longer reaches back to the cursor: a full pass follows.
    h.sf.purgeDeletedBefore(new Date(Date.now() + 60_000).toISOString());
    await h.syncAll();
    expect((await h.store.listLinks({ connector: 'sf' })).map((l) => l.externalId)).toEqual([a]);
    const [conflict] = await h.store.listConflicts({});
    expect(conflict).toMatchObject({ kind: 'deleted', externalId: b });
  });
});
