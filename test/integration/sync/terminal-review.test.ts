/**
 * Settling a terminal conflict and telling the CRM user what a terminal deal is (cosell-rules.md
 * S1-S3; architecture.md, sync protocol 3): one `conflicts resolve --keep cosell` settles it, the
 * CRM is set to the co-sell outcome and unflagged; an expired referral's sync status says so.
 */
import { DAY_MS } from '../../../src/core/clock';
import { asOpportunityId, type OpportunityId } from '../../../src/core/model';
import { runExpirySweep } from '../../../src/store';
import { anInboundInput } from '../../unit/core/builders';
import { startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('terminal referrals: review and status', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  async function referral(): Promise<{ id: OpportunityId; sfId: string; dynId: string }> {
    h = await startSyncHarness();
    const id = asOpportunityId('55555555-5555-4555-8555-555555555555');
    await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input: anInboundInput({ dealName: 'Tailspin rollout' }) }, source: user, now: h.clock.now() });
    await h.syncAll();
    const sfId = (await h.store.getLinkByOpportunity('sf', id))!.externalId;
    const dynId = (await h.store.getLinkByOpportunity('dyn', id))!.externalId;
    return { id, sfId, dynId };
  }

  const closes = {
    expired: async (id: OpportunityId) => {
      h.clock.advance(15 * DAY_MS);
      await runExpirySweep(h.store, h.clock);
      void id;
    },
    declined: async (id: OpportunityId) => {
      await h.store.applyCommand({ id, command: { kind: 'decline', reason: 'Not our market', notes: null }, source: user, now: h.clock.now() });
    },
  };

  const cases = (['expired', 'declined'] as const).flatMap((stage) => [[stage, 'before'], [stage, 'after']] as const);
  it.each(cases)('a referral %s in co-sell and won in Salesforce (%s the CRM heard of it) settles with one `resolve --keep cosell`: the CRM is rewritten and unflagged', async (stage, when) => {
    const { id, sfId } = await referral();
    await closes[stage](id);
    if (when === 'after') await h.syncAll();
    h.sf.update(sfId, { StageName: 'Closed Won' });
    await h.syncAll();
    await h.syncAll();
    const pending = await h.store.listConflicts({ opportunityId: id, connector: 'sf', status: 'pending' });
    expect(pending.map((c) => `${c.kind}:${c.field}`)).toContain('terminal-outcome:stage');
    expect(h.sf.get(sfId)).toMatchObject({ StageName: 'Closed Won', CoSell_Conflict__c: true });

    const outcome = await h.engine.resolveConflict(pending.find((c) => c.field === 'stage')!.id, 'cosell');
    expect(outcome.ok).toBe(true);
    await h.syncAll();
    await h.syncAll();
    expect(await h.store.listConflicts({ opportunityId: id, status: 'pending' })).toEqual([]);
    const record = h.sf.get(sfId)!;
    expect(record).toMatchObject({ StageName: 'Closed Lost', CoSell_Conflict__c: false });
    expect(String(record.CoSell_Sync_Status__c)).not.toMatch(/conflict/i);
    if (stage === 'expired') expect(String(record.CoSell_Sync_Status__c)).toMatch(/expired/i);
    expect((await h.store.getLink('sf', sfId))!.held).toEqual({});
    expect((await h.store.getOpportunity(id))!.opportunity.stage).toBe(stage);
  });

  it('an expired referral`s sync status says it expired in both CRMs, not "Synced"', async () => {
    const { id, sfId, dynId } = await referral();
    await closes.expired(id);
    await h.syncAll();
    await h.syncAll();
    const sf = h.sf.get(sfId)!;
    expect(sf).toMatchObject({ StageName: 'Closed Lost', CoSell_Conflict__c: false });
    expect(String(sf.CoSell_Sync_Status__c)).toMatch(/expired/i);
    const dyn = h.dyn.get(dynId)!;
    expect(dyn).toMatchObject({ statecode: 2 });
    const statusColumn = Object.keys(h.instances.find((i) => i.name === 'dyn')!.mapping.statusFields({ message: 'x', conflict: false })).find((k) => !/conflict/i.test(k))!;
    expect(String(dyn[statusColumn])).toMatch(/expired/i);
    // Settled: another round writes nothing.
    for (const name of h.engine.connectorNames()) expect(await h.engine.runOnce({ connector: name })).toMatchObject({ pushed: 0, applied: 0, conflicts: 0 });
  });
});
