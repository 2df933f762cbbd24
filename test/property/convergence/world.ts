/**
 * The system under test of the convergence property: the end-to-end sync harness (both simulators
 * over real HTTP, the real connectors, the shipped mappings, SQLite, the sync engine) and the deals
 * seeded into it, addressed by index so that generated commands stay valid whatever happened before.
 */
import { asOpportunityId, type OpportunityId } from '../../../src/core/model';
import type { FieldOwner } from '../../../src/mapping/schema';
import type { StoredOpportunity } from '../../../src/store/types';
import { sfOpportunity, startSyncHarness, type SyncHarness } from '../../integration/sync/harness';
import { anInboundInput } from '../../unit/core/builders';

export type Origin = 'sf' | 'dyn' | 'inbound';
export type CrmSide = 'sf' | 'dyn';

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
}

/** Notes a CRM user's write of a record, for the `latest` prediction. */
export function noteCrmWrite(world: World, side: CrmSide, id: string): void {
  const key = `${side}/${id}`;
  world.crmWrites.set(key, [...(world.crmWrites.get(key) ?? []), world.h.clock.now().toISOString()]);
}

export const USER = { kind: 'user' as const, name: 'property' };

export async function startWorld(config: WorldConfig): Promise<World> {
  const h = await startSyncHarness({ policy: { terminalConflicts: config.policy }, owners: config.owners, dynamicsOnHarnessClock: true });
  const deals: Deal[] = [];
  for (const [i, origin] of config.deals.entries()) {
    if (origin === 'sf') {
      const [id] = h.sf.seed([sfOpportunity({ Name: `SF deal ${i}`, Amount: 10_000 + i })]);
      deals.push({ origin, seededId: id ?? null, opportunityId: null });
    } else if (origin === 'dyn') {
      const [id] = h.dyn.seed([dynOpportunity(i)]);
      deals.push({ origin, seededId: id ?? null, opportunityId: null });
    } else {
      const id = asOpportunityId(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      // Half of the referrals arrive unnamed (R12: the receiver names the deal on accept).
      const input = anInboundInput({ dealName: i % 2 === 0 ? `Referral ${i}` : '', estimatedValue: { amount: 20_000 + i, currency: 'USD' } });
      await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input }, source: USER, now: h.clock.now() });
      deals.push({ origin, seededId: null, opportunityId: id });
    }
  }
  if (config.initialSync) await h.syncAll();
  return { h, config, deals, trace: [], crmWrites: new Map() };
}

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
  if (deal.opportunityId === null && deal.seededId !== null && deal.origin !== 'inbound') {
    const link = await world.h.store.getLink(deal.origin, deal.seededId);
    if (link) deal.opportunityId = link.opportunityId;
  }
  return deal.opportunityId === null ? null : world.h.store.getOpportunity(deal.opportunityId);
}

/** The deal's record in one CRM, if it has one yet. */
export async function recordIdIn(world: World, deal: Deal, side: CrmSide): Promise<string | null> {
  if (deal.origin === side) return deal.seededId;
  const opp = await opportunityOf(world, deal);
  if (!opp) return null;
  return (await world.h.store.getLinkByOpportunity(side, opp.opportunity.id))?.externalId ?? null;
}
