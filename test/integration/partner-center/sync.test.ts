/**
 * Partner Center as the third side, over real HTTP and real SQL (SQLite and PostgreSQL): inbound
 * referrals, accept and win going back, a registration, Microsoft's expiry coming in, R11 for
 * private and p2p deals, idempotent creates and 412 merges.
 */
import { asOpportunityId, type Command, type OpportunityId } from '../../../src/core';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import { WATERMARK_CURSOR } from '../../../src/partner-center/sync';
import { toNewReferral } from '../../../src/partner-center/to-referral';
import type { Referral, ReferralApi } from '../../../src/ports/referral';
import { aCustomerWithConsentedContact, aPartnerInvitation, anOutboundInput } from '../../unit/core/builders';
import { anIncomingBody } from './setup';
import { startPcHarness, type PcHarness, type StoreKind } from './sync-harness';

const USER = { kind: 'user', name: 'test' } as const;

describe.each<StoreKind>(['sqlite', 'postgres'])('Partner Center sync on %s', (kind) => {
  let h: PcHarness;
  afterEach(async () => h?.close());

  const run = (id: OpportunityId, command: Command) => h.store.applyCommand({ id, command, source: USER, now: h.clock.now() });
  const referralOf = async (id: OpportunityId): Promise<Referral> => {
    const link = await h.store.getLinkByOpportunity('partner-center', id);
    if (!link) throw new Error(`no link for ${id}`);
    return h.sim.state.get(link.externalId) as Referral;
  };

  it('inbound referral -> received, R13 clock from Partner Center; accept -> Active/Accepted; won -> Closed/Won + registration', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    const first = await h.sync.pull();
    expect(first.outcomes).toEqual({ received: 1 });
    const id = opportunityIdOfReferral(sent.id);
    const opp = (await h.store.getOpportunity(id))?.opportunity;
    expect(opp?.stage).toBe('received');
    expect(opp?.receivedAt).toBe(sent.createdDateTime);
    expect(opp?.estimatedValue).toEqual({ amount: 50000, currency: 'USD' });

    // A second pass (and the overlap) changes nothing.
    expect((await h.sync.pull()).outcomes).toEqual({ unchanged: 1 });

    await run(id, { kind: 'accept', dealName: 'Contoso rollout', changes: {} });
    expect((await h.sync.push()).outcomes).toEqual({ patched: 1 });
    expect(h.sim.state.get(sent.id)).toMatchObject({ status: 'Active', substatus: 'Accepted', name: 'Contoso rollout' });

    await run(id, { kind: 'win', dealRegistration: { registrationId: 'REG-1', details: { program: 'Azure IP co-sell' } } });
    expect((await h.sync.push()).outcomes).toEqual({ registered: 1 });
    const won = h.sim.state.get(sent.id);
    expect([won?.status, won?.substatus]).toEqual(['Closed', 'Won']);
    expect(won?.registrations).toEqual([{ type: 'AzureIPCoSell', externalReferenceId: 'REG-1', details: { program: 'Azure IP co-sell' } }]);
    // Our own writes read back change nothing.
    expect((await h.sync.pull()).outcomes).toEqual({ unchanged: 1 });
  });

  it('a Microsoft-side expiry reaches the deal; a terminal referral is never patched afterwards', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    h.clock.set(new Date(Date.parse(String(sent.createdDateTime)) + 14 * 86_400_000));
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Expired' });
    expect((await h.sync.pull()).outcomes).toEqual({ updated: 1 });
    const id = opportunityIdOfReferral(sent.id);
    expect((await h.store.getOpportunity(id))?.opportunity.stage).toBe('expired');
    await run(id, { kind: 'favorite' });
    const etag = h.sim.state.get(sent.id)?.eTag;
    expect((await h.sync.push()).outcomes).toEqual({ terminal: 1 });
    expect(h.sim.state.get(sent.id)?.eTag).toBe(etag);
  });

  it('an expiry our clock says is early is kept as a conflict, not applied and not a crash', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Expired' });
    expect((await h.sync.pull()).outcomes).toEqual({ conflict: 1 });
    const [conflict] = await h.store.listConflicts({ connector: 'partner-center' });
    expect(conflict).toMatchObject({ kind: 'refused', rule: 'R13', crmValue: 'Closed/Expired', cosellValue: 'received' });
    expect((await h.sync.pull()).outcomes).toEqual({ unchanged: 1 });
  });

  it('a refused Microsoft decision is weighed again at the same ETag: once R13 allows it, the expiry applies and the conflict is settled', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Expired' });
    expect((await h.sync.pull()).outcomes).toEqual({ conflict: 1 });
    const etag = h.sim.state.get(sent.id)?.eTag;
    h.clock.advance(15 * 86_400_000);
    expect((await h.sync.pull()).outcomes).toEqual({ updated: 1 });
    expect(h.sim.state.get(sent.id)?.eTag).toBe(etag);
    const id = opportunityIdOfReferral(sent.id);
    expect((await h.store.getOpportunity(id))?.opportunity.stage).toBe('expired');
    expect(await h.store.listConflicts({ connector: 'partner-center', status: 'pending' })).toEqual([]);
    const [settled] = await h.store.listConflicts({ connector: 'partner-center' });
    expect(settled?.resolution).toMatch(/Closed\/Expired became legal/);
  });

  it('a decision no move reaches yet applies once the deal moves here, though the referral is past the watermark', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Won' });
    expect((await h.sync.pull()).outcomes).toEqual({ conflict: 1 });
    // Still refused, and not recorded twice.
    expect(await h.sync.recheck()).toEqual({ unchanged: 1 });
    expect(await h.store.listConflicts({ connector: 'partner-center', status: 'pending' })).toHaveLength(1);
    // The watermark moved far past the referral: only the pending decision brings it back.
    await h.store.setCursor(WATERMARK_CURSOR, new Date(Date.now() + 86_400_000).toISOString(), h.clock.now());
    const id = opportunityIdOfReferral(sent.id);
    await run(id, { kind: 'accept', dealName: 'Accepted here', changes: {} });
    expect((await h.sync.pull()).read).toBe(0);
    expect(await h.sync.recheck()).toEqual({ updated: 1 });
    expect((await h.store.getOpportunity(id))?.opportunity.stage).toBe('won');
    expect(await h.store.listConflicts({ connector: 'partner-center', status: 'pending' })).toEqual([]);
    expect(await h.sync.recheck()).toEqual({});
  });

  it('R11: a private deal is not sent until Microsoft is invited; then it is shared', async () => {
    h = await startPcHarness(kind);
    const id = asOpportunityId('opp-private');
    await run(id, { kind: 'createOutbound', id, input: anOutboundInput({ crmId: 'SF-1', customer: aCustomerWithConsentedContact() }) });
    expect((await h.sync.push()).outcomes).toEqual({ 'held-private': 1 });
    expect(h.sim.state.referrals.size).toBe(0);
    await run(id, { kind: 'inviteMicrosoft', helpType: 'product-demo', notes: 'demo please' });
    expect((await h.sync.push()).outcomes).toEqual({ created: 1 });
    const r = await referralOf(id);
    expect(r.externalReferenceId).toBe('SF-1');
    expect(r.consent?.consentToShareReferralWithMicrosoftSellers).toBe(true);
    expect(r.inviteContext?.assistanceRequestCode).toBe('ProofOfConceptOrDemo');
  });

  it('R11: a p2p deal goes to Partner Center without ever consenting to Microsoft sellers', async () => {
    h = await startPcHarness(kind);
    const id = asOpportunityId('opp-p2p');
    await run(id, { kind: 'createOutbound', id, input: anOutboundInput({ partnerInvitations: [aPartnerInvitation()] }) });
    await run(id, { kind: 'edit', changes: { notes: 'more detail' } });
    expect((await h.sync.push()).outcomes).toEqual({ created: 1 });
    const r = await referralOf(id);
    expect(r.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
    expect(r.target ?? []).toEqual([]);
  });

  it('finds the referral a lost create made instead of posting a second one', async () => {
    h = await startPcHarness(kind);
    const id = asOpportunityId('opp-retry');
    await run(id, { kind: 'createOutbound', id, input: anOutboundInput({ crmId: 'SF-9', microsoftHelpType: 'general', customer: aCustomerWithConsentedContact() }) });
    const stored = await h.store.getOpportunity(id);
    // The POST went through but its answer was lost: the referral exists, the link does not.
    await h.api.create(toNewReferral(stored!.opportunity));
    expect((await h.sync.push()).outcomes).toEqual({ found: 1 });
    expect(h.sim.state.referrals.size).toBe(1);
  });

  it('a 412 re-reads, applies Microsoft’s change, and patches again', async () => {
    let raced = false;
    const racing = (api: ReferralApi): ReferralApi => ({
      ...api,
      patch: async (params) => {
        if (!raced) {
          raced = true;
          // Microsoft changes the referral between our read and our write.
          h.sim.microsoftUpdate(params.id, { trackingInfo: { microsoftMsxId: 'MSX-1' } });
        }
        return api.patch(params);
      },
    });
    h = await startPcHarness(kind, racing);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    const id = opportunityIdOfReferral(sent.id);
    await run(id, { kind: 'accept', dealName: 'Raced deal', changes: {} });
    expect((await h.sync.push()).outcomes).toEqual({ patched: 1 });
    expect(raced).toBe(true);
    expect(h.sim.state.get(sent.id)).toMatchObject({ status: 'Active', substatus: 'Accepted', trackingInfo: { microsoftMsxId: 'MSX-1' } });
  });

  it('a 412 caused by a Microsoft-side close: re-read, the clash kept as a conflict, nothing patched', async () => {
    let raced = false;
    const racing = (api: ReferralApi): ReferralApi => ({
      ...api,
      patch: async (params) => {
        if (!raced) {
          raced = true;
          h.sim.microsoftUpdate(params.id, { status: 'Closed', substatus: 'Expired' });
        }
        return api.patch(params);
      },
    });
    h = await startPcHarness(kind, racing);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    const id = opportunityIdOfReferral(sent.id);
    await run(id, { kind: 'accept', dealName: 'Too late', changes: {} });
    expect((await h.sync.push()).outcomes).toEqual({ terminal: 1 });
    expect(h.sim.state.get(sent.id)).toMatchObject({ status: 'Closed', substatus: 'Expired' });
    const [conflict] = await h.store.listConflicts({ connector: 'partner-center' });
    expect(conflict).toMatchObject({ kind: 'illegal-transition', crmValue: 'Closed/Expired', cosellValue: 'accepted' });
  });

  it('a referral closed on Microsoft’s side is never patched, even when the deal changed here', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    const id = opportunityIdOfReferral(sent.id);
    await run(id, { kind: 'accept', dealName: 'Accepted', changes: {} });
    await h.sync.push();
    await run(id, { kind: 'edit', changes: { notes: 'new notes here' } });
    await run(id, { kind: 'win', dealRegistration: null });
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Lost' });
    const etag = h.sim.state.get(sent.id)?.eTag;
    expect((await h.sync.push()).outcomes).toEqual({ terminal: 1 });
    expect(h.sim.state.get(sent.id)?.eTag).toBe(etag);
    // Partner Center's side was read first: two different terminal outcomes, kept for review (S2).
    expect((await h.sync.pull()).outcomes).toEqual({ unchanged: 1 });
    const [conflict] = await h.store.listConflicts({ connector: 'partner-center' });
    expect(conflict).toMatchObject({ kind: 'terminal-outcome', rule: 'S2', crmValue: 'Closed/Lost', cosellValue: 'won' });
  });

  it('a push that fails is dead-lettered and tried again from the outbox until it goes through', async () => {
    h = await startPcHarness(kind);
    const sent = h.sim.receive(anIncomingBody());
    await h.sync.pull();
    const id = opportunityIdOfReferral(sent.id);
    await run(id, { kind: 'accept', dealName: 'Retried', changes: {} });
    // The GET succeeds, the PATCH meets a 503 (a write is not repeated blindly).
    const realGet = h.api.get;
    let gets = 0;
    h.api.get = async (rid, signal) => {
      gets++;
      const r = await realGet(rid, signal);
      if (gets === 1) h.sim.injectFault({ kind: 'server_error', times: 1 });
      return r;
    };
    expect((await h.sync.push()).outcomes).toEqual({ failed: 1 });
    const [letter] = await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
    expect(letter).toMatchObject({ direction: 'push', opportunityId: id, code: 'transient' });
    expect(await h.store.countOutbox('partner-center')).toBe(1);
    h.clock.advance(61_000);
    expect((await h.sync.push()).outcomes).toEqual({ patched: 1 });
    expect(h.sim.state.get(sent.id)).toMatchObject({ status: 'Active', substatus: 'Accepted' });
    expect(await h.store.countOutbox('partner-center')).toBe(0);
    expect(await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true })).toEqual([]);
  });

  it('pages through more than 100 changed referrals and keeps the watermark', async () => {
    h = await startPcHarness(kind);
    for (let i = 0; i < 120; i++) h.sim.receive(anIncomingBody({ name: `lead ${i}` }));
    const report = await h.sync.pull();
    expect(report.outcomes).toEqual({ received: 120 });
    const last = [...h.sim.state.referrals.values()].map((r) => String(r.updatedDateTime)).sort().at(-1);
    expect(report.watermark).toBe(last);
    expect((await h.store.getCursor('partner-center:watermark'))?.cursor).toBe(last);
  }, 120_000);

  it('dead-letters a referral that cannot be received, naming the field', async () => {
    h = await startPcHarness(kind);
    const bad = h.sim.receive(anIncomingBody({ customerProfile: { name: 'No Country Inc', address: {} } }));
    expect((await h.sync.pull()).outcomes).toEqual({ 'dead-letter': 1 });
    const [letter] = await h.store.listDeadLetters({ connector: 'partner-center' });
    expect(letter?.externalId).toBe(bad.id);
    expect(letter?.reason).toMatch(/customerProfile\.address\.country is missing/);
  });
});
