import { asOpportunityId } from '../../../src/core/model';
import { DAY_MS } from '../../../src/core/clock';
import { runExpirySweep } from '../../../src/store';
import { anInboundInput } from '../../unit/core/builders';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('flows d and e: won, lost and expired reach every side', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness();
  });
  afterEach(() => h.close());

  it('R15: Closed Won in Salesforce wins the co-sell deal, and Dynamics closes it through WinOpportunity', async () => {
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId, dynId } = await linkedIds(h, sfId!);
    h.sf.update(sfId!, { StageName: 'Closed Won' });
    await h.syncAll();
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.stage).toBe('won');
    expect(h.dyn.get(dynId!)).toMatchObject({ statecode: 1, statuscode: 3 });
    expect(await h.store.listConflicts({})).toHaveLength(0);
  });

  it('R15: a deal lost in co-sell is closed lost in both CRMs', async () => {
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId, dynId } = await linkedIds(h, sfId!);
    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'lose', notes: null }, source: user, now: h.clock.now() });
    await h.syncAll();
    await h.syncAll();
    expect(h.sf.get(sfId!)).toMatchObject({ StageName: 'Closed Lost', IsClosed: true, IsWon: false });
    expect(h.dyn.get(dynId!)).toMatchObject({ statecode: 2 });
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.stage).toBe('lost');
    expect(await h.store.listConflicts({})).toHaveLength(0);
  });

  it('R13: a referral left 14 days in received expires on the injected clock, and both CRMs close it', async () => {
    const id = asOpportunityId('33333333-3333-4333-8333-333333333333');
    await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input: anInboundInput({ dealName: 'Northwind ERP' }) }, source: user, now: h.clock.now() });
    await h.syncAll();
    h.clock.advance(14 * DAY_MS - 60_000);
    expect((await runExpirySweep(h.store, h.clock)).expired).toHaveLength(0);
    h.clock.advance(60_000);
    expect((await runExpirySweep(h.store, h.clock)).expired).toEqual([id]);
    await h.syncAll();
    await h.syncAll();
    const sfLink = await h.store.getLinkByOpportunity('sf', id);
    const dynLink = await h.store.getLinkByOpportunity('dyn', id);
    expect(h.sf.get(sfLink!.externalId)).toMatchObject({ StageName: 'Closed Lost' });
    expect(h.dyn.get(dynLink!.externalId)).toMatchObject({ statecode: 2 });
    expect((await h.store.getOpportunity(id))!.opportunity.stage).toBe('expired');
    expect(await h.store.listConflicts({})).toHaveLength(0);
  });
});
