/**
 * Checks a world after the daemon has run: every co-sell opportunity is in the store once, linked
 * once per CRM, present once in each CRM with the same mapped values; every participating seeded
 * record is linked; no CRM holds two records of one co-sell id, nor a participating record linked
 * to nothing.
 */
import type { Opportunity } from '../../src/core/model';
import { createStore, type StoreConfig } from '../../src/store';
import type { StateStore, StoredOpportunity } from '../../src/store/types';
import { DYN, SF, type World } from './sim-world';

export interface WorldReport {
  opportunities: number;
  sfRecords: number;
  dynRecords: number;
  /** Co-sell ids held by more than one record of a CRM (each extra record counts). */
  duplicates: { sf: number; dyn: number; links: number };
  /** Seeded participating records or referrals without their one co-sell opportunity. */
  lost: { sf: number; dyn: number; referrals: number };
  /** Co-sell opportunities missing from a CRM, or whose link names another record. */
  missing: { sf: number; dyn: number };
  /** Participating CRM records linked to no co-sell opportunity (e.g. a second copy made without the co-sell id). */
  strays: { sf: number; dyn: number };
  /** Non-participating Salesforce records that were given a co-sell id. */
  touchedOutsideFilter: number;
  /** Mapped values that differ between the store and a CRM. */
  mismatches: string[];
  deadLetters: number;
  pendingConflicts: number;
  outbox: number;
}

async function allOpportunities(store: StateStore): Promise<StoredOpportunity[]> {
  const out: StoredOpportunity[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listOpportunities({ view: 'all', limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Groups records by their co-sell id; returns the map and how many records are extra copies. */
function byCosellId(records: ReadonlyArray<Record<string, unknown>>, field: string): { map: Map<string, Record<string, unknown>>; extra: number } {
  const map = new Map<string, Record<string, unknown>>();
  let extra = 0;
  for (const r of records) {
    const id = r[field];
    if (typeof id !== 'string' || id === '') continue;
    if (map.has(id)) extra += 1;
    else map.set(id, r);
  }
  return { map, extra };
}

const day = (v: unknown): string => String(v ?? '').slice(0, 10);

function compareSf(o: Opportunity, r: Record<string, unknown>, out: string[]): void {
  const diffs: Array<[string, unknown, unknown]> = [
    ['Name', r.Name, o.dealName], ['Amount', Number(r.Amount), o.estimatedValue.amount], ['CurrencyIsoCode', r.CurrencyIsoCode, o.estimatedValue.currency],
    ['CloseDate', day(r.CloseDate), o.estimatedCloseDate], ['CoSell_Customer_Name__c', r.CoSell_Customer_Name__c, o.customer.name],
  ];
  const stage = String(r.StageName);
  const stageOk = o.stage === 'received' ? stage === 'Prospecting' : o.stage === 'accepted' ? !['Prospecting', 'Closed Won', 'Closed Lost'].includes(stage) : true;
  if (!stageOk) diffs.push(['StageName', stage, o.stage]);
  for (const [field, crm, cosell] of diffs) if (crm !== cosell) out.push(`${o.id} salesforce ${field}: ${JSON.stringify(crm)} != ${JSON.stringify(cosell)}`);
}

function compareDyn(o: Opportunity, r: Record<string, unknown>, isoOf: Map<string, string>, out: string[]): void {
  const diffs: Array<[string, unknown, unknown]> = [
    ['name', r.name, o.dealName], ['estimatedvalue', Number(r.estimatedvalue), o.estimatedValue.amount],
    ['transactioncurrency', isoOf.get(String(r._transactioncurrencyid_value)), o.estimatedValue.currency],
    ['estimatedclosedate', day(r.estimatedclosedate), o.estimatedCloseDate], ['cosell_customername', r.cosell_customername, o.customer.name],
  ];
  const received = r.statecode === 0 && r.statuscode === 2 && r.salesstage === 0;
  const stageOk = o.stage === 'received' ? received : o.stage === 'accepted' ? r.statecode === 0 && !received : true;
  if (!stageOk) diffs.push(['statecode/statuscode/salesstage', `${String(r.statecode)}/${String(r.statuscode)}/${String(r.salesstage)}`, o.stage]);
  for (const [field, crm, cosell] of diffs) if (crm !== cosell) out.push(`${o.id} dynamics ${field}: ${JSON.stringify(crm)} != ${JSON.stringify(cosell)}`);
}

/**
 * Opens the store (the daemon must not be running: SQLite, one writer) and checks everything.
 * `storeConfig` names another store than the world's SQLite file (a PostgreSQL database).
 */
export async function verifyWorld(world: World, storeConfig: StoreConfig = { kind: 'sqlite', path: world.storePath }): Promise<WorldReport> {
  const store = await createStore(storeConfig);
  try {
    const opps = await allOpportunities(store);
    const sfLinks = await store.listLinks({ connector: SF });
    const dynLinks = await store.listLinks({ connector: DYN });
    const sfAll = world.sf.all();
    const dynAll = world.dyn.list();
    const sf = byCosellId(sfAll, 'CoSell_Id__c');
    const dyn = byCosellId(dynAll, 'cosell_cosellid');
    const isoOf = new Map(Object.entries(world.dyn.currencies).map(([iso, id]) => [id, iso] as const));
    const sfLinkOf = new Map(sfLinks.map((l) => [l.opportunityId as string, l]));
    const dynLinkOf = new Map(dynLinks.map((l) => [l.opportunityId as string, l]));
    const oppIds = new Set(opps.map((o) => o.opportunity.id as string));
    const sfById = new Map(sfAll.map((r) => [String(r.Id), r]));
    const dynById = new Map(dynAll.map((r) => [String(r.opportunityid), r]));
    const report: WorldReport = {
      opportunities: opps.length, sfRecords: sfAll.length, dynRecords: dynAll.length,
      duplicates: { sf: sf.extra, dyn: dyn.extra, links: sfLinks.length - sfLinkOf.size + (dynLinks.length - dynLinkOf.size) },
      lost: { sf: 0, dyn: 0, referrals: 0 }, missing: { sf: 0, dyn: 0 }, touchedOutsideFilter: 0,
      strays: { sf: 0, dyn: 0 }, mismatches: [],
      deadLetters: (await store.listDeadLetters({ unresolvedOnly: true, limit: 100_000 })).length,
      pendingConflicts: (await store.listConflicts({ status: 'pending', limit: 100_000 })).length,
      outbox: await store.countOutbox(),
    };
    const linkedOnce = (links: typeof sfLinks, externalId: string): boolean => links.filter((l) => l.externalId === externalId).length === 1;
    for (const id of world.seeded.sf) {
      const cosellId = sfById.get(id)?.CoSell_Id__c;
      if (typeof cosellId !== 'string' || !oppIds.has(cosellId) || sfLinkOf.get(cosellId)?.externalId !== id || !linkedOnce(sfLinks, id)) report.lost.sf += 1;
    }
    for (const id of world.seeded.dyn) {
      const cosellId = dynById.get(id)?.cosell_cosellid;
      if (typeof cosellId !== 'string' || !oppIds.has(cosellId) || dynLinkOf.get(cosellId)?.externalId !== id || !linkedOnce(dynLinks, id)) report.lost.dyn += 1;
    }
    const sfLinked = new Set(sfLinks.map((l) => l.externalId));
    const dynLinked = new Set(dynLinks.map((l) => l.externalId));
    report.strays.sf = sfAll.filter((r) => r.CoSell_Sync__c === true && !sfLinked.has(String(r.Id))).length;
    report.strays.dyn = dynAll.filter((r) => r.cosell_sync === true && !dynLinked.has(String(r.opportunityid))).length;
    for (const id of world.seeded.referrals) if (!oppIds.has(id)) report.lost.referrals += 1;
    for (const id of world.seeded.sfOut) if (sfById.get(id)?.CoSell_Id__c) report.touchedOutsideFilter += 1;
    for (const { opportunity: o } of opps) {
      const sfRec = sf.map.get(o.id);
      const dynRec = dyn.map.get(o.id);
      if (!sfRec || sfLinkOf.get(o.id)?.externalId !== sfRec.Id) report.missing.sf += 1;
      else compareSf(o, sfRec, report.mismatches);
      if (!dynRec || dynLinkOf.get(o.id)?.externalId !== dynRec.opportunityid) report.missing.dyn += 1;
      else compareDyn(o, dynRec, isoOf, report.mismatches);
    }
    return report;
  } finally {
    await store.close();
  }
}

/** Every record's version stamp (SystemModstamp, versionnumber): equal snapshots mean nothing was written. */
export function versionSnapshot(world: World): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of world.sf.all()) out.set(`sf:${String(r.Id)}`, String(r.SystemModstamp));
  for (const r of world.dyn.list()) out.set(`dyn:${String(r.opportunityid)}`, String(r.versionnumber));
  return out;
}

/** Keys whose stamps differ between two snapshots (changed, added or removed records). */
export function changedRecords(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k));
}
