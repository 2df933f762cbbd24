import { asOpportunityId } from '../../../src/core/model';
import { DAY_MS } from '../../../src/core/clock';
import { runExpirySweep } from '../../../src/store';
import { anInboundInput } from '../../unit/core/builders';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('flow g: terminal conflicts are reconciled as S1-S3 and the policy say', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  async function expiredReferralMarkedWon(policy: 'flag' | 'enforce') {
    h = await startSyncHarness({ policy: { terminalConflicts: policy } });
    const id = asOpportunityId('44444444-4444-4444-8444-444444444444');
    await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input: anInboundInput({ dealName: 'Tailspin rollout' }) }, source: user, now: h.clock.now() });
    await h.syncAll();
    h.clock.advance(15 * DAY_MS);
    await runExpirySweep(h.store, h.clock);
    const sfId = (await h.store.getLinkByOpportunity('sf', id))!.externalId;
    h.sf.update(sfId, { StageName: 'Closed Won' }); // the CRM user wins it, unaware it expired
    await h.syncAll();
    await h.syncAll();
    return { id, sfId };
  }

  it('S1/S2 flag: a CRM marks won a deal co-sell already expired; co-sell stays expired, the CRM keeps its value and is flagged, both versions stored', async () => {
    const { id, sfId } = await expiredReferralMarkedWon('flag');
    expect((await h.store.getOpportunity(id))!.opportunity.stage).toBe('expired');
    const conflicts = await h.store.listConflicts({ opportunityId: id });
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'terminal-outcome', field: 'stage', crmValue: 'won', cosellValue: 'expired', outcome: 'flagged', status: 'pending', connector: 'sf' });
    const record = h.sf.get(sfId)!;
    expect(record).toMatchObject({ StageName: 'Closed Won', CoSell_Conflict__c: true });
    expect(String(record.CoSell_Sync_Status__c)).toContain('expired');
    const dynId = (await h.store.getLinkByOpportunity('dyn', id))!.externalId;
    expect(h.dyn.get(dynId)).toMatchObject({ statecode: 2 });
    const events = await h.store.listEvents(id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'expire']);
  });

  it('S1/S2 enforce: the CRM is set to the co-sell outcome, and the conflict is kept for review', async () => {
    const { id, sfId } = await expiredReferralMarkedWon('enforce');
    expect((await h.store.getOpportunity(id))!.opportunity.stage).toBe('expired');
    expect(h.sf.get(sfId)).toMatchObject({ StageName: 'Closed Lost' });
    const [conflict] = await h.store.listConflicts({ opportunityId: id });
    expect(conflict).toMatchObject({ kind: 'terminal-outcome', crmValue: 'won', cosellValue: 'expired', outcome: 'enforced' });
  });

  it('S2: two CRMs close one deal with different outcomes; the first committed wins, the other is flagged with both versions', async () => {
    h = await startSyncHarness();
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId, dynId } = await linkedIds(h, sfId!);
    h.sf.update(sfId!, { StageName: 'Closed Won' });
    h.dyn.update(dynId!, { statecode: 2, statuscode: 5 });
    await h.syncAll();
    await h.syncAll();
    expect((await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.stage).toBe('won');
    const [conflict] = await h.store.listConflicts({ opportunityId: asOpportunityId(opportunityId) });
    expect(conflict).toMatchObject({ kind: 'terminal-outcome', connector: 'dyn', crmValue: 'lost', cosellValue: 'won', status: 'pending' });
    expect(h.dyn.get(dynId!)).toMatchObject({ statecode: 2, cosell_conflict: true });
    expect(h.sf.get(sfId!)).toMatchObject({ StageName: 'Closed Won', CoSell_Conflict__c: false });
  });

  it('S1/R16: a CRM edit of an archived deal never changes it; the edit is a flagged conflict', async () => {
    h = await startSyncHarness({ dynamics: false });
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    const { opportunityId } = await linkedIds(h, sfId!);
    h.sf.update(sfId!, { StageName: 'Closed Won' });
    await h.syncAll();
    const before = (await h.store.getOpportunity(asOpportunityId(opportunityId)))!;
    h.sf.update(sfId!, { Amount: 999, Description: 'after the fact' });
    await h.syncAll();
    await h.syncAll();
    const after = (await h.store.getOpportunity(asOpportunityId(opportunityId)))!;
    expect(after.version).toBe(before.version);
    expect(after.opportunity).toEqual(before.opportunity);
    const conflicts = await h.store.listConflicts({ opportunityId: asOpportunityId(opportunityId) });
    expect(conflicts.map((c) => c.field).sort()).toEqual(['estimatedValue', 'notes']);
    expect(conflicts.every((c) => c.kind === 'terminal' && c.outcome === 'flagged')).toBe(true);
    expect(h.sf.get(sfId!)).toMatchObject({ Amount: 999, CoSell_Conflict__c: true });
  });
});
