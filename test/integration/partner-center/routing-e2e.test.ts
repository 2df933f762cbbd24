/**
 * Partner Center -> core -> CRMs and back, over real HTTP: an inbound referral lands in the CRM
 * whose `inbound` rule takes it (by country here), one no rule takes stays listed as unrouted, and
 * accepting in the CRM shows as Active/Accepted in Partner Center.
 */
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import { createPartnerCenterSync, type PartnerCenterSync } from '../../../src/partner-center/sync';
import { unroutedInbound } from '../../../src/sync/inbound-routing';
import { listUnrouted } from '../../../src/sync/unrouted';
import { startSyncHarness, type SyncHarness } from '../sync/harness';
import { anIncomingBody, connectorFor, quietLogger } from './setup';

let h: SyncHarness;
let sim: PartnerCenterSimulator;
let pc: PartnerCenterSync;

beforeEach(async () => {
  h = await startSyncHarness({ start: new Date().toISOString(), inbound: { sf: { by: 'country', values: ['US'] }, dyn: { by: 'country', values: ['FR'] } } });
  sim = await startPartnerCenterSimulator();
  pc = createPartnerCenterSync({ api: connectorFor(sim), store: h.store, clock: h.clock, logger: quietLogger(), context: { ownPublisher: null, defaultCurrency: 'USD' } });
});
afterEach(async () => {
  await sim.close();
  await h.close();
});

const country = (code: string) =>
  anIncomingBody({ customerProfile: { name: `Customer ${code}`, address: { city: 'Somewhere', country: code }, team: [], ids: [] } });

describe('inbound routing across two CRM orgs', () => {
  it('routes by country, lists the unrouted, and a CRM accept reaches Partner Center', async () => {
    const us = sim.receive(country('US'));
    const fr = sim.receive(country('FR'));
    const de = sim.receive(country('DE'));
    expect((await pc.pull()).outcomes).toEqual({ received: 3 });
    await h.syncAll();
    expect(await h.store.listDeadLetters({})).toEqual([]);

    const linked = async (connector: string, referralId: string) => (await h.store.getLinkByOpportunity(connector, opportunityIdOfReferral(referralId)))?.externalId ?? null;
    expect([await linked('sf', us.id), await linked('dyn', us.id)]).toEqual([expect.any(String), null]);
    expect([await linked('sf', fr.id), await linked('dyn', fr.id)]).toEqual([null, expect.any(String)]);
    expect([await linked('sf', de.id), await linked('dyn', de.id)]).toEqual([null, null]);
    const all = (await h.store.listOpportunities({ view: 'all' })).items.map((s) => s.opportunity);
    expect(unroutedInbound(h.instances, all)).toEqual([opportunityIdOfReferral(de.id)]);

    // Accepted in Salesforce (Qualification maps to accepted), then Partner Center hears of it.
    const sfId = (await linked('sf', us.id)) as string;
    h.sf.update(sfId, { StageName: 'Qualification', Name: 'US deal accepted' });
    await h.syncAll();
    expect((await h.store.getOpportunity(opportunityIdOfReferral(us.id)))?.opportunity.stage).toBe('accepted');
    expect((await pc.push()).outcomes).toMatchObject({ patched: 1 });
    expect(sim.state.get(us.id)).toMatchObject({ status: 'Active', substatus: 'Accepted' });
    expect(sim.state.get(fr.id)).toMatchObject({ status: 'New', substatus: 'Pending' });
  }, 120_000);

  it('keeps a referral no rule takes listed, and routes it at the next pass once a rule takes it', async () => {
    const de = sim.receive(country('DE'));
    await pc.pull();
    await h.syncAll();
    const id = opportunityIdOfReferral(de.id);
    expect(await listUnrouted(h.store, h.instances)).toEqual([
      expect.objectContaining({ id, country: 'DE', stage: 'received', dealName: 'Contoso supply chain', receivedAt: expect.any(String) }),
    ]);
    // Partner Center, scheduled beside the CRMs with no inbound rule, takes no referral.
    expect(await listUnrouted(h.store, [...h.instances, { name: 'partner-center', kind: 'partner-center' }])).toEqual([expect.objectContaining({ id })]);
    await h.syncAll();
    expect(await h.store.getLinkByOpportunity('dyn', id)).toBeNull();

    // The Dynamics org now takes Germany too (a configuration change): no new event, yet the next pass routes it.
    const dyn = h.instances.find((i) => i.name === 'dyn');
    if (!dyn) throw new Error('no dyn instance');
    dyn.inbound = { by: 'country', values: ['FR', 'DE'] };
    await h.syncAll();
    const link = await h.store.getLinkByOpportunity('dyn', id);
    expect(link?.externalId).toEqual(expect.any(String));
    expect(await h.store.getLinkByOpportunity('sf', id)).toBeNull();
    expect(await listUnrouted(h.store, h.instances)).toEqual([]);
    // A pass with the same rules queues nothing again.
    await h.syncAll();
    expect(await h.store.countOutbox('dyn')).toBe(0);
  }, 120_000);
});
