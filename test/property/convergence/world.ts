/**
 * The system under test of the convergence property: the end-to-end sync harness (both CRM
 * simulators over real HTTP, the real connectors, the shipped mappings, SQLite, the sync engine),
 * Partner Center as the third side (its simulator, connector and sync, on the same store and
 * clock), and the deals seeded into them, addressed by index so that generated commands stay valid
 * whatever happened before.
 */
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { asOpportunityId, type Opportunity, type OpportunityId } from '../../../src/core/model';
import type { FieldOwner } from '../../../src/mapping/schema';
import { sharingViolation } from '../../../src/partner-center/consent';
import { opportunityIdOfReferral, PARTNER_CENTER_CONNECTOR } from '../../../src/partner-center/inbound';
import { createPartnerCenterSync, type PartnerCenterSync } from '../../../src/partner-center/sync';
import type { ReferralApi, ReferralBody } from '../../../src/ports/referral';
import type { StoredOpportunity } from '../../../src/store/types';
import { sfOpportunity, startSyncHarness, type SyncHarness } from '../../integration/sync/harness';
import { anIncomingBody, connectorFor, quietLogger } from '../../integration/partner-center/setup';
import { anInboundInput } from '../../unit/core/builders';

/** `pc`: a referral Microsoft sends through Partner Center (received by the Partner Center pull). */
export type Origin = 'sf' | 'dyn' | 'inbound' | 'pc';
export type CrmSide = 'sf' | 'dyn';
export type Side = CrmSide | 'pc';

/** Campaigns both CRMs hold (Dataverse checks its lookups); co-sell names them by these ids. */
export const CAMPAIGNS = ['6a1f0c2e-0b1d-4c47-9e41-3f7a5d2c9b01', '6a1f0c2e-0b1d-4c47-9e41-3f7a5d2c9b02'] as const;

export interface Deal {
  origin: Origin;
  /** The CRM record seeded by a CRM user (outbound deals). */
  seededId: string | null;
  /** Known from the start for inbound referrals; found through the links for outbound deals. */
  opportunityId: OpportunityId | null;
}

export interface WorldConfig {
  policy: 'flag' | 'enforce';
  owners: Record<string, FieldOwner>;
  /** Origins of the seeded deals, in order. */
  deals: Origin[];
  /** Whether one sync round runs before the random actions (otherwise they start on unsynced CRMs). */
  initialSync: boolean;
}

export interface World {
  h: SyncHarness;
  config: WorldConfig;
  deals: Deal[];
  /** A log of what the run did, for the failure report. */
  trace: string[];
  /** When CRM users wrote each record (`side/id` -> harness-clock times, in order); Dynamics stamps modifiedon on this clock. */
  crmWrites: Map<string, string[]>;
  /** Partner Center: its simulator (Microsoft's side), the connector as the sync uses it, and the sync. */
  pc: { sim: PartnerCenterSimulator; api: ReferralApi; sync: PartnerCenterSync };
  /** CRM records a CRM user deleted (`side/id`). */
  deleted: Set<string>;
  /** What was sent to Partner Center against R11 (checked when it was sent, against the deal as it stood then). */
  consentBreaches: string[];
  /** Referral ids whose status Microsoft set (the last Microsoft move on each), in order. */
  microsoftMoves: Map<string, { status: string; substatus: string; at: string }>;
  /** What a refused write left wrong (checked right after the sync run that met the refusal). */
  refusals: string[];
}

/** Notes a CRM user's write of a record, for the `latest` prediction. */
export function noteCrmWrite(world: World, side: CrmSide, id: string): void {
  const key = `${side}/${id}`;
  world.crmWrites.set(key, [...(world.crmWrites.get(key) ?? []), world.h.clock.now().toISOString()]);
}

export const USER = { kind: 'user' as const, name: 'property' };

/** The referral connector, with every create and patch checked against R11 as it leaves (the deal as the store holds it then). */
function consentChecked(api: ReferralApi, getWorld: () => World | null): ReferralApi {
  const check = async (what: string, opportunityId: OpportunityId | null, consent: unknown, targetsMicrosoft: boolean): Promise<void> => {
    const w = getWorld();
    if (!w || opportunityId === null) return;
    const stored = await w.h.store.getOpportunity(opportunityId);
    if (!stored) return;
    const violation = sharingViolation(stored.opportunity, { consentToShareReferralWithMicrosoftSellers: consent === true ? true : consent === false ? false : null, targetsMicrosoft });
    if (violation !== null) w.consentBreaches.push(`${what} for ${opportunityId} (${stored.opportunity.type}, invitations ${stored.opportunity.invitations.map((i) => i.invitee.kind).join('/') || 'none'}): ${violation}`);
  };
  const opportunityOfReferral = async (referralId: string): Promise<OpportunityId | null> => (await getWorld()?.h.store.getLink(PARTNER_CENTER_CONNECTOR, referralId))?.opportunityId ?? null;
  return {
    list: (params) => api.list(params),
    get: (id, signal) => api.get(id, signal),
    apiUsage: () => api.apiUsage(),
    close: () => api.close(),
    async create(body) {
      const w = getWorld();
      const key = body.externalReferenceId ?? null;
      const opp = w === null || key === null ? null : await opportunityWithReference(w, key);
      await check('create', opp, body.consent?.consentToShareReferralWithMicrosoftSellers, (body.target ?? []).some((t) => t.id === 'msft'));
      return api.create(body);
    },
    async patch(request) {
      const sharing = request.operations.find((o) => o.path === '/consent/consentToShareReferralWithMicrosoftSellers' || o.path === '/consent');
      const value = sharing === undefined ? null : sharing.path === '/consent' ? (sharing.value as { consentToShareReferralWithMicrosoftSellers?: unknown } | null)?.consentToShareReferralWithMicrosoftSellers : sharing.value;
      const targets = request.operations.some((o) => o.path.startsWith('/target') && JSON.stringify(o.value ?? null).includes('"msft"'));
      await check('patch', await opportunityOfReferral(request.id), value, targets);
      return api.patch(request);
    },
  };
}

/** The opportunity a referral's externalReferenceId names (the CRM id, or the co-sell id). */
async function opportunityWithReference(w: World, key: string): Promise<OpportunityId | null> {
  const { items } = await w.h.store.listOpportunities({ view: 'all', limit: 1000 });
  return items.find(({ opportunity }) => (opportunity.crmId ?? opportunity.id) === key)?.opportunity.id ?? null;
}

/** A referral as Microsoft sends one (deal `i`), for the `pc` origin. */
export function incomingReferral(i: number): ReferralBody {
  return anIncomingBody({ name: i % 2 === 0 ? `Microsoft referral ${i}` : '', details: { dealValue: 40_000 + i, currency: 'USD', closingDateTime: '2026-11-30T00:00:00Z', requirements: { solutions: [{ id: 'SOL-1', name: 'Azure', type: 'Name', publisherName: 'Microsoft' }] } } });
}

/** One Partner Center pass: pull (Microsoft's decisions in), then push (ours out). A failure is thrown with its side. */
export async function syncPartnerCenter(w: World): Promise<string> {
  const pulled = await w.pc.sync.pull();
  const pushed = await w.pc.sync.push();
  return `pulled ${pulled.read} ${JSON.stringify(pulled.outcomes)}, pushed ${JSON.stringify(pushed.outcomes)}`;
}

/** Every side, in order: Salesforce, Dynamics, Partner Center. */
export async function syncEverything(w: World): Promise<void> {
  await w.h.syncAll();
  await syncPartnerCenter(w);
}

export async function startWorld(config: WorldConfig): Promise<World> {
  // The property's campaigns are Dataverse campaign ids shared by both CRMs; Salesforce's check that a
  // CampaignId names a Campaign record is left to the Salesforce tests.
  const h = await startSyncHarness({ policy: { terminalConflicts: config.policy }, owners: config.owners, dynamicsOnHarnessClock: true, salesforceSimulator: { checkLookups: false }, sqlitePath: ':memory:' });
  let world: World | null = null;
  const sim = await startPartnerCenterSimulator({ now: () => h.clock.now().getTime() });
  const api = consentChecked(connectorFor(sim), () => world);
  const sync = createPartnerCenterSync({ api, store: h.store, clock: h.clock, logger: quietLogger(), context: { ownPublisher: sim.state.organizationName, defaultCurrency: 'USD' }, overlapMs: 1_000 });
  // The campaigns co-sell deals name (Dataverse resolves its campaign lookup against these rows).
  for (const [i, campaignid] of CAMPAIGNS.entries()) h.dyn.seed([{ campaignid, name: `Campaign ${i}` }], 'campaigns');
  const deals: Deal[] = [];
  for (const [i, origin] of config.deals.entries()) {
    if (origin === 'sf') {
      const [id] = h.sf.seed([sfOpportunity({ Name: `SF deal ${i}`, Amount: 10_000 + i })]);
      deals.push({ origin, seededId: id ?? null, opportunityId: null });
    } else if (origin === 'dyn') {
      const [id] = h.dyn.seed([dynOpportunity(i)]);
      deals.push({ origin, seededId: id ?? null, opportunityId: null });
    } else if (origin === 'pc') {
      const referral = sim.receive(incomingReferral(i));
      deals.push({ origin, seededId: referral.id, opportunityId: opportunityIdOfReferral(referral.id) });
    } else {
      const id = asOpportunityId(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      // Half of the referrals arrive unnamed (R12: the receiver names the deal on accept).
      const input = anInboundInput({ dealName: i % 2 === 0 ? `Referral ${i}` : '', estimatedValue: { amount: 20_000 + i, currency: 'USD' } });
      await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input }, source: USER, now: h.clock.now() });
      deals.push({ origin, seededId: null, opportunityId: id });
    }
  }
  world = { h, config, deals, trace: [], crmWrites: new Map(), pc: { sim, api, sync }, deleted: new Set(), consentBreaches: [], microsoftMoves: new Map(), refusals: [] };
  // Partner Center first: a referral Microsoft sent is received before the CRMs are told of it.
  if (config.initialSync) {
    await syncPartnerCenter(world);
    await syncEverything(world);
  }
  return world;
}

/** Stops every side of the world. */
export async function closeWorld(w: World): Promise<void> {
  await w.pc.api.close();
  await w.pc.sim.close();
  await w.h.close();
}

export type { Opportunity };

/** A Dynamics opportunity row with every column the shipped mapping needs to create a co-sell deal. */
export function dynOpportunity(i: number): Record<string, unknown> {
  return {
    name: `Dynamics deal ${i}`,
    estimatedvalue: 30_000 + i,
    estimatedclosedate: '2026-09-30',
    statecode: 0,
    statuscode: 1,
    salesstage: 1,
    cosell_sync: true,
    cosell_customername: 'Fabrikam Inc',
    cosell_customercity: 'Berlin',
    cosell_customercountry: 'DE',
    description: 'Dynamics sample',
    cosell_team: JSON.stringify([{ name: 'Bo Seller', phone: '+49 30 1234', email: 'bo@partner.example' }]),
    cosell_solutions: JSON.stringify([{ id: 'sol-2', name: 'Analytics Kit', kind: 'own' }]),
  };
}

export function dealAt(world: World, index: number): Deal {
  const deal = world.deals[index % world.deals.length];
  if (!deal) throw new Error('no deal seeded');
  return deal;
}

/** The co-sell opportunity of a deal, once the sync created it. */
export async function opportunityOf(world: World, deal: Deal): Promise<StoredOpportunity | null> {
  if (deal.opportunityId === null && deal.seededId !== null && (deal.origin === 'sf' || deal.origin === 'dyn')) {
    const link = await world.h.store.getLink(deal.origin, deal.seededId);
    if (link) deal.opportunityId = link.opportunityId;
  }
  return deal.opportunityId === null ? null : world.h.store.getOpportunity(deal.opportunityId);
}

/** The deal's record in one CRM, if it has one yet. */
export async function recordIdIn(world: World, deal: Deal, side: Side): Promise<string | null> {
  const id = await anyRecordIdIn(world, deal, side);
  return id === null || world.deleted.has(`${side}/${id}`) ? null : id;
}

async function anyRecordIdIn(world: World, deal: Deal, side: Side): Promise<string | null> {
  if (deal.origin === side) return deal.seededId;
  const opp = await opportunityOf(world, deal);
  if (!opp) return null;
  return (await world.h.store.getLinkByOpportunity(side === 'pc' ? PARTNER_CENTER_CONNECTOR : side, opp.opportunity.id))?.externalId ?? null;
}
