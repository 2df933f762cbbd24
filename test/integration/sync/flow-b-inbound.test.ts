import { asOpportunityId } from '../../../src/core/model';
import { anInboundInput } from '../../unit/core/builders';
import { startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('flow b: an inbound referral appears in each linked CRM; the CRM user accepts or declines', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness();
  });
  afterEach(() => h.close());

  async function receive(id: string, dealName = 'Fabrikam data platform'): Promise<void> {
    await h.store.applyCommand({ id: asOpportunityId(id), command: { kind: 'receiveInbound', id: asOpportunityId(id), input: anInboundInput({ dealName }) }, source: user, now: h.clock.now() });
  }
  const sfRecordOf = async (id: string) => h.sf.get((await h.store.getLinkByOpportunity('sf', asOpportunityId(id)))!.externalId)!;
  const dynRecordOf = async (id: string) => h.dyn.get((await h.store.getLinkByOpportunity('dyn', asOpportunityId(id)))!.externalId)!;

  it('R12: a referral lands in the received stage of both CRMs, and an accept in Salesforce flows to co-sell and to Dynamics', async () => {
    await receive('11111111-1111-4111-8111-111111111111');
    await h.syncAll();
    expect(await sfRecordOf('11111111-1111-4111-8111-111111111111')).toMatchObject({ StageName: 'Prospecting', CoSell_Direction__c: 'Inbound', Name: 'Fabrikam data platform' });
    expect(await dynRecordOf('11111111-1111-4111-8111-111111111111')).toMatchObject({ statecode: 0, statuscode: 2, salesstage: 0 });

    const sfId = (await h.store.getLinkByOpportunity('sf', asOpportunityId('11111111-1111-4111-8111-111111111111')))!.externalId;
    h.sf.update(sfId, { StageName: 'Needs Analysis', Amount: 64000 });
    await h.syncAll();
    const opp = (await h.store.getOpportunity(asOpportunityId('11111111-1111-4111-8111-111111111111')))!.opportunity;
    expect(opp).toMatchObject({ stage: 'accepted', crmId: sfId, estimatedValue: { amount: 64000, currency: 'USD' } });
    // Salesforce keeps its own open stage; Dynamics follows the accept.
    expect(await sfRecordOf(opp.id)).toMatchObject({ StageName: 'Needs Analysis' });
    expect(await dynRecordOf(opp.id)).toMatchObject({ statecode: 0, statuscode: 1, estimatedvalue: 64000 });
  });

  it('R12: a decline with a reason in Dynamics declines the referral and closes it in Salesforce', async () => {
    await receive('22222222-2222-4222-8222-222222222222');
    await h.syncAll();
    const dynId = (await h.store.getLinkByOpportunity('dyn', asOpportunityId('22222222-2222-4222-8222-222222222222')))!.externalId;
    h.dyn.update(dynId, { statecode: 2, statuscode: 4, cosell_declinereason: 100000001 });
    await h.syncAll();
    await h.syncAll();
    const opp = (await h.store.getOpportunity(asOpportunityId('22222222-2222-4222-8222-222222222222')))!.opportunity;
    expect(opp).toMatchObject({ stage: 'declined', declineReason: 'No capacity' });
    expect(await sfRecordOf(opp.id)).toMatchObject({ StageName: 'Closed Lost', CoSell_Decline_Reason__c: 'No capacity' });
    expect(await h.store.listConflicts({ status: 'pending' })).toHaveLength(0);
  });
});

describe('flow b: an accept the core refuses', () => {
  it('R4/R12: waits with the CRM edits held and recorded, and goes through once the CRM user fixes the team', async () => {
    const h = await startSyncHarness({ dynamics: false });
    try {
      const id = asOpportunityId('55555555-5555-4555-8555-555555555555');
      await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input: anInboundInput({ dealName: 'Litware rollout' }) }, source: user, now: h.clock.now() });
      await h.syncAll();
      const sfId = (await h.store.getLinkByOpportunity('sf', id))!.externalId;
      h.sf.update(sfId, { StageName: 'Qualification', Amount: 77000, CoSell_Team__c: JSON.stringify([{ name: 'No Phone', phone: '', email: 'np@partner.example' }]) });
      await h.syncAll();
      expect((await h.store.getOpportunity(id))!.opportunity.stage).toBe('received');
      const pending = await h.store.listConflicts({ opportunityId: id, status: 'pending' });
      expect(pending.map((c) => c.field).sort()).toEqual(['estimatedValue', 'stage', 'team']);
      expect(h.sf.get(sfId)).toMatchObject({ Amount: 77000, CoSell_Conflict__c: true });

      h.sf.update(sfId, { CoSell_Team__c: JSON.stringify([{ name: 'Has Phone', phone: '+1 555 0101', email: 'hp@partner.example' }]) });
      await h.syncAll();
      await h.syncAll();
      expect((await h.store.getOpportunity(id))!.opportunity).toMatchObject({ stage: 'accepted', estimatedValue: { amount: 77000 }, team: [{ name: 'Has Phone' }] });
      expect(h.sf.get(sfId)).toMatchObject({ Amount: 77000, CoSell_Conflict__c: false });
      expect(await h.store.listConflicts({ opportunityId: id, status: 'pending' })).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
