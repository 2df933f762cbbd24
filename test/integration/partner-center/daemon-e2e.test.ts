/**
 * Partner Center wired into the daemon, end to end over real HTTP and real SQL (SQLite and
 * PostgreSQL): referrals routed to the CRMs, CRM moves reaching Partner Center, Microsoft's
 * expiry reaching the CRMs, R11 on the way out, signed webhooks through the daemon's own HTTP
 * server, and notifications sent once across a restart.
 */
import { sampleDynamicsRow, sampleSalesforceRecord } from '../../../src/sandbox/seed-data';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import type { Referral } from '../../../src/ports/referral';
import { aCustomerWithConsentedContact, aPartnerInvitation, anOutboundInput } from '../../unit/core/builders';
import { anIncomingBody } from './setup';
import { ADMIN_TOKEN, DYN, PC, SF, startDaemonWorld, type DaemonWorld, type StoreKind } from './daemon-world';

jest.setTimeout(120_000);

const fromCountry = (code: string, name: string) =>
  anIncomingBody({ name, customerProfile: { name: `${name} customer`, address: { city: 'Somewhere', country: code }, team: [], ids: [] } });

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each<StoreKind>(['sqlite', 'postgres'])('the daemon with Partner Center on %s', (kind) => {
  let w: DaemonWorld;
  beforeEach(async () => {
    w = await startDaemonWorld(kind);
  });
  afterEach(async () => {
    await w?.close();
  });

  const linkOf = async (connector: string, referralId: string) => (await w.app.store.getLinkByOpportunity(connector, opportunityIdOfReferral(referralId)))?.externalId ?? null;
  const api = (method: string, url: string, body?: unknown) =>
    fetch(`${w.address}${url}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const referralOf = async (opportunityId: string): Promise<Referral | null> => {
    const link = await w.app.store.getLinkByOpportunity(PC, opportunityId as never);
    return link === null ? null : (w.pc.state.get(link.externalId) ?? null);
  };

  it('routes an inbound referral to its CRM; the CRM accept and win reach Partner Center; it shows in status', async () => {
    const us = w.pc.receive(fromCountry('US', 'US deal'));
    const fr = w.pc.receive(fromCountry('FR', 'FR deal'));
    // Partner Center is scheduled on its own cron expression; a tick of it runs the pass.
    expect(w.cron.jobs.filter((j) => j.name.startsWith('sync:')).map((j) => [j.name, j.expression])).toEqual([
      ['sync:sf', '*/5 * * * *'], ['sync:dyn', '*/5 * * * *'], ['sync:partner-center', '*/7 * * * *'],
    ]);
    w.cron.fire(`sync:${PC}`);
    await until('the scheduled Partner Center run', async () => ((await w.app.store.lastRuns()).some((r) => r.connector === PC && r.status === 'ok') ? true : undefined));
    await w.run(SF);
    await w.run(DYN);
    expect([await linkOf(SF, us.id), await linkOf(DYN, us.id)]).toEqual([expect.any(String), null]);
    expect([await linkOf(SF, fr.id), await linkOf(DYN, fr.id)]).toEqual([null, expect.any(String)]);

    const sfId = (await linkOf(SF, us.id)) as string;
    w.sf.update(sfId, { StageName: 'Qualification' });
    await w.run(SF);
    await w.run(PC);
    expect(w.pc.state.get(us.id)).toMatchObject({ status: 'Active', substatus: 'Accepted' });
    expect(w.pc.state.get(fr.id)).toMatchObject({ status: 'New', substatus: 'Pending' });

    // Won in the CRM -> Closed/Won. (The registration that follows is sent from the deal's
    // registration, when one is recorded: see the Partner Center sync tests.)
    w.sf.update(sfId, { StageName: 'Closed Won' });
    await w.run(SF);
    await w.run(PC);
    expect(w.pc.state.get(us.id)).toMatchObject({ status: 'Closed', substatus: 'Won' });

    const status = (await (await api('GET', '/api/status')).json()) as { connectors: Array<{ connector: string; lastRun: { status: string } | null }>; health: Array<{ name: string; kind: string; ready: boolean }> };
    expect(status.connectors.find((c) => c.connector === PC)?.lastRun?.status).toBe('ok');
    expect(status.health).toContainEqual({ name: PC, kind: 'partner-center', ready: true, reason: null });
    const metrics = await (await fetch(`${w.address}/metrics`)).text();
    expect(metrics).toMatch(/cosell_sync_runs_total\{connector="partner-center",status="ok"\} [1-9]/);
  });

  it('a Microsoft-side expiry reaches the CRM the referral was routed to', async () => {
    // Received 15 days ago in Partner Center: R13's 14 days count from there, so Microsoft's expiry is legal here too.
    const received = w.pc.receive(fromCountry('US', 'Expiring deal'));
    const us = w.pc.microsoftUpdate(received.id, { createdDateTime: new Date(Date.now() - 15 * 86_400_000).toISOString() });
    await w.run(PC);
    await w.run(SF);
    const sfId = (await linkOf(SF, us.id)) as string;
    expect(w.sf.get(sfId)?.['StageName']).toBe('Prospecting');
    w.pc.microsoftUpdate(us.id, { status: 'Closed', substatus: 'Expired' });
    await w.run(PC);
    expect((await w.app.store.getOpportunity(opportunityIdOfReferral(us.id)))?.opportunity.stage).toBe('expired');
    await w.run(SF);
    expect(w.sf.get(sfId)?.['StageName']).toBe('Closed Lost');
  });

  it('a Microsoft decision refused here is resolved over the admin API: --keep crm takes Partner Center\'s stage, --keep cosell keeps ours', async () => {
    const won = w.pc.receive(fromCountry('US', 'Won by Microsoft'));
    const lost = w.pc.receive(fromCountry('US', 'Lost by Microsoft'));
    await w.run(PC);
    // Closed on Microsoft's side before anyone accepted it here: no co-sell move leads there (S3).
    w.pc.microsoftUpdate(won.id, { status: 'Closed', substatus: 'Won' });
    w.pc.microsoftUpdate(lost.id, { status: 'Closed', substatus: 'Lost' });
    await w.run(PC);
    const pending = await w.app.store.listConflicts({ connector: PC, status: 'pending' });
    const conflictOf = (referralId: string) => pending.find((c) => c.externalId === referralId);
    expect(pending.map((c) => c.kind)).toEqual(['illegal-transition', 'illegal-transition']);

    const took = await api('POST', `/api/conflicts/${conflictOf(won.id)?.id}/resolve`, { keep: 'crm' });
    expect(took.status).toBe(200);
    expect(await took.json()).toMatchObject({ ok: true, message: expect.stringMatching(/took Partner Center's Closed\/Won/) });
    expect((await w.app.store.getOpportunity(opportunityIdOfReferral(won.id)))?.opportunity.stage).toBe('won');

    const kept = await api('POST', `/api/conflicts/${conflictOf(lost.id)?.id}/resolve`, { keep: 'cosell' });
    expect(kept.status).toBe(200);
    expect((await w.app.store.getOpportunity(opportunityIdOfReferral(lost.id)))?.opportunity.stage).toBe('received');
    expect(await w.app.store.listConflicts({ connector: PC, status: 'pending' })).toEqual([]);
    // Settled for good: the next runs neither apply Microsoft's decision nor record it again.
    await w.run(PC);
    expect((await w.app.store.getOpportunity(opportunityIdOfReferral(lost.id)))?.opportunity.stage).toBe('received');
    expect(await w.app.store.listConflicts({ connector: PC, status: 'pending' })).toEqual([]);
    // A resolved conflict is not resolved twice.
    expect((await api('POST', `/api/conflicts/${conflictOf(won.id)?.id}/resolve`, { keep: 'cosell' })).status).toBe(409);
  });

  it('R9 in the CRM: Microsoft sellers\' window shows on the Salesforce record as waiting with its deadline, then as their answer', async () => {
    const [sfId] = w.sf.seed([{
      ...sampleSalesforceRecord(2, 'Invites Microsoft'), CoSell_Contact_Name__c: 'Dana Buyer', CoSell_Contact_Email__c: 'dana@customer.example',
      CoSell_Contact_Phone__c: '+1 425 555 0100', CoSell_Contact_Consent__c: true,
    }]);
    await w.run(SF);
    const link = await w.app.store.getLink(SF, sfId!);
    expect(w.sf.get(sfId!)?.['CoSell_MS_Engagement__c'] ?? null).toBeNull();
    const invited = await api('POST', `/api/opportunities/${link!.opportunityId}/invite`, { kind: 'microsoft', helpType: 'product-demo', notes: null });
    expect(invited.status).toBe(200);
    const invitedAt = (await w.app.store.getOpportunity(link!.opportunityId))!.opportunity.invitations[0]!.invitedAt;
    await w.run(SF);
    expect(w.sf.get(sfId!)).toMatchObject({ CoSell_MS_Engagement__c: 'Waiting' });
    expect(Date.parse(String(w.sf.get(sfId!)?.['CoSell_MS_Engagement_Due__c']))).toBe(Date.parse(invitedAt) + 14 * 86_400_000);
    // Microsoft's sellers accept their side of the engagement in Partner Center.
    await w.run(PC);
    const ours = await referralOf(link!.opportunityId);
    w.pc.microsoftAnswer(ours!.id, 'Active', 'Accepted');
    await w.run(PC);
    await w.run(SF);
    expect(w.sf.get(sfId!)).toMatchObject({ CoSell_MS_Engagement__c: 'Engaged' });
    // Read back, the fields are our own write: nothing changes on the next passes.
    const version = (await w.app.store.getOpportunity(link!.opportunityId))!.version;
    await w.run(SF);
    expect((await w.app.store.getOpportunity(link!.opportunityId))!.version).toBe(version);
    expect(await w.app.store.listConflicts({ connector: SF, status: 'pending' })).toEqual([]);

    // The same two fields in Dataverse (a choice column and a date and time column).
    const [dynId] = w.dyn.seed([{
      ...sampleDynamicsRow(3, w.dyn.currencies, 'Invites Microsoft'), cosell_contactname: 'Lee Buyer', cosell_contactemail: 'lee@customer.example',
      cosell_contactphone: '+33 1 55 55 01 00', cosell_contactconsent: true,
    }]);
    await w.run(DYN);
    const dynLink = await w.app.store.getLink(DYN, dynId!);
    expect((await api('POST', `/api/opportunities/${dynLink!.opportunityId}/invite`, { kind: 'microsoft', helpType: 'general', notes: null })).status).toBe(200);
    const dynInvitedAt = (await w.app.store.getOpportunity(dynLink!.opportunityId))!.opportunity.invitations[0]!.invitedAt;
    await w.run(DYN);
    const row = w.dyn.get(dynId!);
    expect(row?.['cosell_msengagement']).toBe(100000000);
    expect(Date.parse(String(row?.['cosell_msengagementdue']))).toBe(Date.parse(dynInvitedAt) + 14 * 86_400_000);
  });

  it('R11: a private deal is not sent until Microsoft is invited, then shared; a p2p deal is never shared with Microsoft', async () => {
    const customer = aCustomerWithConsentedContact();
    const create = async (id: string, extra: Record<string, unknown>) =>
      expect((await api('POST', '/api/opportunities', { id, ...anOutboundInput({ customer, estimatedCloseDate: '2027-09-30' }), ...extra })).status).toBe(201);
    await create('opp-private', { crmId: 'SF-PRIVATE' });
    // R8 through the daemon's own Partner Center: an unknown partner is refused, a known one invited.
    const refused = await api('POST', '/api/opportunities', { id: 'opp-unknown', ...anOutboundInput({ customer, estimatedCloseDate: '2027-09-30' }), crmId: 'SF-UNKNOWN', partnerInvitations: [aPartnerInvitation({ closeDate: '2027-06-30', invitee: { kind: 'partner', partnerId: 'partner-404', partnerName: 'Nobody' } })] });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toMatch(/R8.*partner-404 is not known to Partner Center/);
    w.pc.addPartner('partner-42', 'Fabrikam');
    await create('opp-p2p', { crmId: 'SF-P2P', partnerInvitations: [aPartnerInvitation({ closeDate: '2027-06-30' })] });
    await w.run(PC);
    expect(await referralOf('opp-private')).toBeNull();
    const p2p = await referralOf('opp-p2p');
    expect(p2p?.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
    expect(p2p?.target ?? []).toEqual([]);
    expect([...w.pc.state.referrals.values()].map((r) => r.externalReferenceId)).toEqual(['SF-P2P']);

    expect((await api('POST', '/api/opportunities/opp-private/invite', { kind: 'microsoft', helpType: 'product-demo', notes: 'demo please' })).status).toBe(200);
    await w.run(PC);
    expect((await referralOf('opp-private'))?.consent?.consentToShareReferralWithMicrosoftSellers).toBe(true);
    // The p2p deal's referral still never consents to Microsoft sellers.
    expect((await referralOf('opp-p2p'))?.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
  });

  it('webhooks on the daemon: a signed event applies the referral (PEM or DER certificate), a replay changes nothing, a forged one is refused with one log line', async () => {
    const url = `${w.address}/webhooks/partner-center`;
    const sent = w.pc.receive(fromCountry('US', 'Webhook deal'));
    // A refusal names its reason in the daemon's log: shown with the status when this fails.
    const first = await w.pc.emitWebhook({ url, referralId: sent.id, eventName: 'referral-created' });
    expect({ status: first, refused: w.logger.events('webhook.refused').map((l) => l.meta['reason']) }).toEqual({ status: 202, refused: [] });
    const id = opportunityIdOfReferral(sent.id);
    const stored = await w.app.store.getOpportunity(id);
    expect(stored?.opportunity.stage).toBe('received');
    const events = (await w.app.store.listEvents(id)).length;

    expect(await w.pc.emitWebhook({ url, referralId: sent.id, eventName: 'referral-created' })).toBe(202);
    expect((await w.app.store.getOpportunity(id))?.version).toBe(stored?.version);
    expect(await w.app.store.listEvents(id)).toHaveLength(events);

    const other = w.pc.receive(fromCountry('US', 'Forged deal'));
    const before = w.pc.requests();
    expect(await w.pc.emitWebhook({ url, referralId: other.id, tamper: (b) => b.replace('referral', 'referraL') })).toBe(401);
    expect(w.pc.requests()).toBe(before);
    expect(await w.app.store.getOpportunity(opportunityIdOfReferral(other.id))).toBeNull();
    expect(w.logger.events('webhook.refused').map((l) => l.meta['reason'])).toEqual(['signature does not match the body']);
    expect(JSON.stringify(w.logger.lines)).not.toContain(w.pc.token);

    // A certificate served as binary DER (a .cer) verifies as the PEM one does.
    const viaDer = w.pc.receive(fromCountry('US', 'DER certificate deal'));
    expect(await w.pc.emitWebhook({ url, referralId: viaDer.id, certificateFormat: 'der' })).toBe(202);
    expect((await w.app.store.getOpportunity(opportunityIdOfReferral(viaDer.id)))?.opportunity.stage).toBe('received');

    // The polling backstop still reads what no webhook announced.
    await w.run(PC);
    expect((await w.app.store.getOpportunity(opportunityIdOfReferral(other.id)))?.opportunity.stage).toBe('received');
  });

  it('sends the new-referral mail once, also across a restart', async () => {
    const sent = w.pc.receive(fromCountry('FR', 'Notified deal'));
    await w.run(PC);
    const mails = await until('the new-referral mail', () => (w.mail.mailbox().length > 0 ? w.mail.mailbox() : undefined));
    expect(mails.map((m) => m.to)).toEqual([['cosell-team@partner.example']]);
    expect(mails[0]?.subject).toContain('Notified deal');

    await w.restart();
    w.pc.microsoftUpdate(sent.id, { notes: 'touched' } as never);
    await w.run(PC);
    await w.run(DYN);
    await w.app.notifier?.tick();
    expect(w.mail.mailbox()).toHaveLength(1);
  });
});

describe('isolation', () => {
  it('Partner Center down fails only its own runs; the CRMs sync, and /readyz names it', async () => {
    const w = await startDaemonWorld('sqlite');
    try {
      w.pc.injectFault({ kind: 'server_error', times: 1_000 });
      w.sf.seed([{ ...sampleSalesforceRecord(1, 'Isolated deal'), CoSell_Sync__c: true }]);
      const failed = await w.handle.scheduler.runInstance(PC);
      expect(failed?.error).toEqual(expect.any(String));
      await w.run(SF);
      expect(await w.app.store.listLinks({ connector: SF })).toHaveLength(1);
      const ready = (await (await fetch(`${w.address}/readyz`)).json()) as { connectors: Array<{ name: string; ready: boolean; reason: string | null }> };
      expect(ready.connectors.find((c) => c.name === PC)).toMatchObject({ ready: false, reason: expect.any(String) });
      expect(ready.connectors.find((c) => c.name === SF)).toMatchObject({ ready: true });
    } finally {
      await w.close();
    }
  });
});
