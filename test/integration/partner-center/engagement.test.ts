/**
 * R9 over real HTTP and SQL: the 14-day decision of Microsoft sellers, read from Microsoft's own
 * referral in the deal's engagement, recorded on the invitation (shown by `opportunities show` and
 * the API with the deal), and never received as an inbound referral of ours.
 */
import { asOpportunityId, type Command, type OpportunityId } from '../../../src/core';
import type { Referral } from '../../../src/ports/referral';
import { aCustomerWithConsentedContact, anOutboundInput } from '../../unit/core/builders';
import { startPcHarness, type PcHarness, type StoreKind } from './sync-harness';

const USER = { kind: 'user', name: 'test' } as const;
const DAY = 86_400_000;

describe.each<StoreKind>(['sqlite', 'postgres'])('R9 on %s', (kind) => {
  let h: PcHarness;
  afterEach(async () => h?.close());
  const run = (id: OpportunityId, command: Command) => h.store.applyCommand({ id, command, source: USER, now: h.clock.now() });
  const status = async (id: OpportunityId) => (await h.store.getOpportunity(id))?.opportunity.invitations.find((i) => i.invitee.kind === 'microsoft')?.status;

  async function sharedDeal(id: string): Promise<{ id: OpportunityId; referral: Referral }> {
    const oppId = asOpportunityId(id);
    await run(oppId, { kind: 'createOutbound', id: oppId, input: anOutboundInput({ crmId: `SF-${id}`, customer: aCustomerWithConsentedContact() }) });
    await run(oppId, { kind: 'inviteMicrosoft', helpType: 'product-demo', notes: null });
    await h.sync.push();
    const link = await h.store.getLinkByOpportunity('partner-center', oppId);
    return { id: oppId, referral: h.sim.state.get(link?.externalId ?? '') as Referral };
  }

  it('engaged, declined and lapsed come from Microsoft\'s related referral; pending stays pending', async () => {
    h = await startPcHarness(kind);
    const engaged = await sharedDeal('opp-engaged');
    const declined = await sharedDeal('opp-declined');
    const expired = await sharedDeal('opp-expired');
    const waiting = await sharedDeal('opp-waiting');
    h.sim.microsoftAnswer(engaged.referral.id, 'New', 'Pending');
    expect(await h.sync.engagements()).toEqual({});
    h.sim.microsoftAnswer(engaged.referral.id, 'Active', 'Accepted');
    h.sim.microsoftAnswer(declined.referral.id, 'Closed', 'Declined');
    h.sim.microsoftAnswer(expired.referral.id, 'Closed', 'Expired');
    h.sim.microsoftAnswer(waiting.referral.id, 'New', 'Pending');
    expect(await h.sync.engagements()).toEqual({ engaged: 1, declined: 1, lapsed: 1 });
    expect([await status(engaged.id), await status(declined.id), await status(expired.id), await status(waiting.id)]).toEqual(['engaged', 'declined', 'lapsed', 'pending']);
    // The deal stays co-sell either way (R9), and the answer is in the event log.
    expect((await h.store.getOpportunity(declined.id))?.opportunity).toMatchObject({ type: 'co-sell', stage: 'accepted' });
    expect((await h.store.listEvents(engaged.id)).map((e) => e.kind)).toContain('microsoftResponse');
    // Answers already recorded are not asked for again.
    expect(await h.sync.engagements()).toEqual({});
    // Microsoft's referrals are not ours to receive.
    expect((await h.sync.pull()).outcomes.received ?? 0).toBe(0);
  });

  it('no decision 14 days after the invitation is lapsed', async () => {
    h = await startPcHarness(kind);
    const deal = await sharedDeal('opp-silent');
    h.clock.advance(14 * DAY - 1);
    expect(await h.sync.engagements()).toEqual({});
    h.clock.advance(1);
    expect(await h.sync.engagements()).toEqual({ lapsed: 1 });
    expect(await status(deal.id)).toBe('lapsed');
  });
});
