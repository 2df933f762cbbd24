/**
 * What must hold once the quiet sync rounds are over (architecture.md, "The sync protocol";
 * cosell-rules.md S1-S4). Each check returns the violations it found, in words, so that a failing
 * run says what diverged, where, and what the conflict table holds for it.
 */
import { isDeepStrictEqual } from 'node:util';
import { isTerminal, type Opportunity, type OpportunityId, type Stage } from '../../../src/core/model';
import { cosellValues } from '../../../src/sync/cosell-values';
import type { SyncMapping } from '../../../src/sync/ports';
import { normalizeWantedStage } from '../../../src/sync/merge/stage';
import { sameValue } from '../../../src/sync/values';
import type { CosellField } from '../../../src/core/fields';
import type { Conflict } from '../../../src/store/types';
import { sharingViolation } from '../../../src/partner-center/consent';
import { commandTowards, PARTNER_CENTER_CONNECTOR } from '../../../src/partner-center/inbound';
import { stageOfStatus } from '../../../src/partner-center/status';
import { patchToMatch } from '../../../src/partner-center/to-referral';
import { syncPartnerCenter, type World } from './world';

const CRM_RECORD_KEY: Record<string, string> = { sf: 'CoSell_Id__c', dyn: 'cosell_cosellid' };

function crmRecord(w: World, connector: string, id: string): Record<string, unknown> | null {
  return connector === 'sf' ? w.h.sf.get(id) : w.h.dyn.get(id);
}

function crmRecords(w: World, connector: string): Array<Record<string, unknown>> {
  return connector === 'sf' ? w.h.sf.all() : w.h.dyn.list();
}

function mappingOf(w: World, connector: string): SyncMapping {
  const instance = w.h.instances.find((i) => i.name === connector);
  if (!instance) throw new Error(`no instance ${connector}`);
  return instance.mapping;
}

/** The stage as this CRM shows it once it holds the co-sell stage (expired reads back as lost). */
export function stageAsRead(mapping: SyncMapping, opp: Pick<Opportunity, 'stage' | 'declineReason' | 'direction'>): Stage | null {
  const written = mapping.toCrm({ stage: opp.stage, declineReason: opp.declineReason }, null);
  return normalizeWantedStage(mapping.toCosell(written).wantedStage ?? opp.stage, opp.direction);
}

/** What a CRM is given for a co-sell value (an unnamed referral shows its customer's name: see src/sync/push.ts). */
function crmFacing(opp: Opportunity, field: CosellField): unknown {
  if (field === 'dealName' && opp.dealName === '') return `${opp.customer.name} (co-sell referral)`;
  return cosellValues(opp, [field])[field];
}

const show = (v: unknown): string => JSON.stringify(v ?? null);

/** A co-sell value as the CRM can hold it (an amount rounded to the field's scale): what it reads back after a push. */
function asCrmHolds(mapping: SyncMapping, field: CosellField, value: unknown): unknown {
  if (field !== 'estimatedValue' || value === null) return value;
  const back = mapping.toCosell(mapping.toCrm({ [field]: value }, null)).values[field];
  return back === undefined ? value : back;
}

/** An unresolved push dead letter of this connector for this deal (a write the CRM refused). */
async function refusedWrite(w: World, connector: string, opportunityId: string): Promise<boolean> {
  return (await w.h.store.listDeadLetters({ unresolvedOnly: true })).some((d) => d.connector === connector && d.direction === 'push' && d.opportunityId === opportunityId);
}

/**
 * A pending `deleted` conflict: a CRM user deleted this deal's record in that CRM. The deal is kept,
 * unlinked, and not given to that CRM again while the conflict is pending. Once an admin settles it
 * (either way), the next push of a change to the deal creates the record again; until the deal
 * changes, the CRM may lack it.
 */
async function deletedIn(w: World, connector: string, opportunityId: string, status: 'pending' | 'any' = 'pending'): Promise<boolean> {
  return (await w.h.store.listConflicts({ opportunityId: opportunityId as OpportunityId, connector, ...(status === 'pending' ? { status } : {}) })).some((c) => c.kind === 'deleted');
}

/**
 * (1) + (3): every linked record agrees with the co-sell opportunity on every mapped field, except
 * where a pending conflict of that connector names that field. S4: the CRM ID is a linked record's id.
 */
export async function disagreementsWithoutConflict(w: World): Promise<string[]> {
  const out: string[] = [];
  // The CRM links (Partner Center's are checked by partnerCenterViolations).
  const links = (await w.h.store.listLinks({})).filter((l) => w.h.instances.some((i) => i.name === l.connector));
  // Read through the connectors, as the sync reads them (Dataverse sends the currency as a formatted-value annotation).
  const read = new Map<string, Record<string, unknown>>();
  for (const instance of w.h.instances) {
    const ids = links.filter((l) => l.connector === instance.name).map((l) => l.externalId);
    for (const r of await instance.connector.readRecords(ids, instance.mapping.crmFields)) read.set(`${instance.name}/${r.id}`, r.fields);
  }
  for (const link of links) {
    const where = `${link.connector}/${link.externalId} (opportunity ${link.opportunityId})`;
    const record = read.get(`${link.connector}/${link.externalId}`) ?? null;
    const stored = await w.h.store.getOpportunity(link.opportunityId);
    if (!record || !stored) {
      out.push(`${where}: linked ${record ? 'opportunity' : 'CRM record'} is missing`);
      continue;
    }
    const opp = stored.opportunity;
    const mapping = mappingOf(w, link.connector);
    const pending = await w.h.store.listConflicts({ opportunityId: opp.id, connector: link.connector, status: 'pending' });
    const underConflict = (field: string): boolean => pending.some((c) => c.field === field || (field.startsWith('customer.') && c.field === 'customer'));
    // A write the CRM refused waits as a dead letter (with the CRM's message) until the next change or a replay: the record may lag.
    if (await refusedWrite(w, link.connector, opp.id)) continue;
    const mapped = mapping.toCosell(record);
    for (const [field, policy] of mapping.fields) {
      if (field === 'crmId' || underConflict(field)) continue;
      if (policy.direction === 'to-crm') {
        const wanted = mapping.toCrm({ [field]: cosellValues(opp, [field])[field] }, null);
        for (const [column, value] of Object.entries(wanted)) {
          if (!sameValue(record[column], value)) out.push(`${where}: ${field} (to-crm) CRM ${column}=${show(record[column])}, co-sell wants ${show(value)}, no pending conflict`);
        }
        continue;
      }
      const crm = field in mapped.values ? mapped.values[field] : null;
      const cosell = asCrmHolds(mapping, field, crmFacing(opp, field));
      if (!sameValue(crm, cosell)) out.push(`${where}: ${field} CRM ${show(crm)} vs co-sell ${show(cosell)} (stage ${opp.stage}), no pending conflict${describe(pending)}`);
    }
    if (!underConflict('stage')) {
      const crmStage = normalizeWantedStage(mapped.wantedStage, opp.direction);
      const cosellStage = stageAsRead(mapping, opp);
      if (crmStage !== cosellStage) out.push(`${where}: stage CRM reads ${show(crmStage)} vs co-sell ${opp.stage} (reads ${show(cosellStage)}), no pending conflict${describe(pending)}`);
      else if (opp.stage === 'declined' && !underConflict('declineReason') && !sameValue(mapped.declineReason, opp.declineReason)) {
        out.push(`${where}: decline reason CRM ${show(mapped.declineReason)} vs co-sell ${show(opp.declineReason)}, no pending conflict`);
      }
    }
  }
  return out;
}

function describe(pending: Conflict[]): string {
  return pending.length === 0 ? '' : ` (pending: ${pending.map((c) => `${c.kind}:${c.field}`).join(', ')})`;
}

/** S4: the CRM ID of an opportunity created from a CRM record is that record's id; any CRM ID is a linked record's id. */
export async function crmIdViolations(w: World): Promise<string[]> {
  const out: string[] = [];
  for (const deal of w.deals) {
    if (deal.opportunityId === null) continue;
    const stored = await w.h.store.getOpportunity(deal.opportunityId);
    if (!stored) continue;
    const { crmId } = stored.opportunity;
    if ((deal.origin === 'sf' || deal.origin === 'dyn') && crmId !== deal.seededId) out.push(`${deal.opportunityId}: created from ${deal.origin}/${deal.seededId} but its CRM ID is ${show(crmId)} (S4)`);
    const linked = (await w.h.store.listLinks({ opportunityId: deal.opportunityId })).map((l) => l.externalId);
    // A CRM ID may name a record a CRM user deleted since (the deal is kept, unlinked from it).
    const deletedHere = [...w.deleted].some((k) => k.endsWith(`/${crmId ?? ''}`));
    if (crmId !== null && !linked.includes(crmId) && !deletedHere) out.push(`${deal.opportunityId}: CRM ID ${crmId} is none of its linked records ${show(linked)} (S4)`);
  }
  return out;
}

/** (2) R16/S1: once an opportunity reached a terminal stage, no later event changed anything but the favorite mark. */
export async function terminalChanges(w: World): Promise<string[]> {
  const out: string[] = [];
  const { items } = await w.h.store.listOpportunities({ view: 'all', limit: 1000 });
  const strip = ({ favorite: _f, ...rest }: Opportunity): Omit<Opportunity, 'favorite'> => rest;
  for (const { opportunity } of items) {
    const events = await w.h.store.listEvents(opportunity.id);
    const first = events.findIndex((e) => isTerminal(e.after.stage));
    if (first < 0) continue;
    let frozen = strip(events[first]!.after);
    for (const later of events.slice(first + 1)) {
      // R17: a won deal takes registration details afterwards (kept as data; it does not reopen it), and that is the only change.
      if (later.kind === 'registerDeal' && frozen.stage === 'won' && isDeepStrictEqual({ ...strip(later.after), dealRegistration: frozen.dealRegistration }, frozen)) {
        frozen = strip(later.after);
        continue;
      }
      if (!isDeepStrictEqual(strip(later.after), frozen)) {
        const changed = Object.keys(frozen).filter((k) => !isDeepStrictEqual((frozen as Record<string, unknown>)[k], (later.after as unknown as Record<string, unknown>)[k]));
        out.push(`${opportunity.id}: ${events[first]!.after.stage} at event ${events[first]!.seq}, then event ${later.seq} (${later.kind} by ${later.source.kind}:${later.source.name}) changed ${changed.join(', ')}`);
      }
    }
  }
  return out;
}

/** (4) No record duplicated on any side: one opportunity per seeded deal, one record per CRM per opportunity, every record linked once. */
export async function duplicates(w: World): Promise<string[]> {
  const out: string[] = [];
  const { items } = await w.h.store.listOpportunities({ view: 'all', limit: 1000 });
  // A CRM record deleted before any sync saw it never became a deal.
  const neverSeen = w.deals.filter((d) => d.opportunityId === null && d.seededId !== null && w.deleted.has(`${d.origin}/${d.seededId}`)).length;
  const expected = w.deals.length - neverSeen;
  if (items.length !== expected) out.push(`${items.length} co-sell opportunities for ${expected} seeded deals (${neverSeen} deleted before any sync)`);
  const links = await w.h.store.listLinks({});
  for (const connector of ['sf', 'dyn']) {
    const mine = links.filter((l) => l.connector === connector);
    const records = crmRecords(w, connector);
    const keys = records.map((r) => r[CRM_RECORD_KEY[connector]!]).filter((k) => typeof k === 'string' && k !== '');
    const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (repeated.length > 0) out.push(`${connector}: co-sell id(s) ${show(repeated)} on more than one CRM record`);
    // CRM delete (documented): the deal is kept and unlinked from that CRM, which is never given it again.
    let unlinked = 0;
    for (const { opportunity } of items) if (!byOppOf(mine).has(opportunity.id) && (await deletedIn(w, connector, opportunity.id, 'any'))) unlinked += 1;
    let refused = 0;
    for (const { opportunity } of items) if (!byOppOf(mine).has(opportunity.id) && !(await deletedIn(w, connector, opportunity.id, 'any')) && (await refusedWrite(w, connector, opportunity.id))) refused += 1;
    if (records.length !== expected - unlinked - refused) out.push(`${connector}: ${records.length} CRM records for ${expected} deals, ${unlinked} deleted in ${connector}, ${refused} refused at creation`);
    const byOpp = new Set(mine.map((l) => l.opportunityId));
    const byRecord = new Set(mine.map((l) => l.externalId));
    if (byOpp.size !== mine.length) out.push(`${connector}: an opportunity is linked to more than one record`);
    if (byRecord.size !== mine.length) out.push(`${connector}: a record is linked more than once`);
    for (const { opportunity } of items) {
      if (byOpp.has(opportunity.id)) {
        if (await deletedIn(w, connector, opportunity.id)) out.push(`${connector}: opportunity ${opportunity.id} was unlinked by a CRM delete, yet is linked again`);
        continue;
      }
      if (await deletedIn(w, connector, opportunity.id, 'any')) continue;
      if (await refusedWrite(w, connector, opportunity.id)) continue;
      out.push(`${connector}: opportunity ${opportunity.id} (${opportunity.direction}, ${opportunity.stage}) has no record`);
    }
    for (const link of mine) {
      const record = crmRecord(w, connector, link.externalId);
      const key = record?.[CRM_RECORD_KEY[connector]!];
      if (record && key !== link.opportunityId && !(key == null && (await refusedWrite(w, connector, link.opportunityId)))) out.push(`${connector}/${link.externalId}: carries co-sell id ${show(key)} but is linked to ${link.opportunityId}`);
    }
  }
  return out;
}

const byOppOf = (links: Array<{ opportunityId: string }>): Set<string> => new Set(links.map((l) => l.opportunityId));

/** Unresolved dead letters: not an invariant by themselves (a CRM may refuse), but they explain a failure. */
export async function openDeadLetters(w: World): Promise<string[]> {
  const letters = await w.h.store.listDeadLetters({ unresolvedOnly: true });
  return letters.map((d) => `dead letter ${d.connector} ${d.direction} ${d.externalId ?? d.opportunityId ?? ''}: ${d.code ?? ''} ${d.reason}`);
}

/** S1 "the CRM record is told": the CRM's conflict flag shows exactly the held fields, and every held field has a pending conflict. */
export async function statusViolations(w: World): Promise<string[]> {
  const out: string[] = [];
  const links = await w.h.store.listLinks({});
  for (const instance of w.h.instances) {
    const flagColumn = Object.entries(instance.mapping.statusFields({ message: null, conflict: true })).find(([, v]) => v === true)?.[0];
    const mine = links.filter((l) => l.connector === instance.name);
    const records = new Map((await instance.connector.readRecords(mine.map((l) => l.externalId), instance.mapping.crmFields)).map((r) => [r.id, r.fields]));
    for (const link of mine) {
      const where = `${link.connector}/${link.externalId} (opportunity ${link.opportunityId})`;
      // A status write the CRM refused waits as a dead letter, like any other write.
      if (await refusedWrite(w, link.connector, link.opportunityId)) continue;
      const pending = await w.h.store.listConflicts({ opportunityId: link.opportunityId, connector: link.connector, status: 'pending' });
      for (const field of Object.keys(link.held)) {
        if (!pending.some((c) => c.field === field)) out.push(`${where}: ${field} is held (not merged, not pushed) without a pending conflict`);
      }
      const flagged = flagColumn === undefined ? null : records.get(link.externalId)?.[flagColumn];
      if (flagColumn !== undefined && Boolean(flagged) !== Object.keys(link.held).length > 0) {
        out.push(`${where}: CRM ${flagColumn}=${show(flagged)} but held fields are ${show(Object.keys(link.held))}`);
      }
    }
  }
  return out;
}

/** Converged means settled: one more round of every connector applies, pushes and records nothing. */
export async function unsettledRound(w: World): Promise<string[]> {
  const out: string[] = [];
  for (const name of w.h.engine.connectorNames()) {
    const s = await w.h.engine.runOnce({ connector: name });
    if (s.error || s.applied > 0 || s.pushed > 0 || s.conflicts > 0 || s.deadLetters > 0) {
      out.push(`${name}: a round after the quiet rounds still did something: applied ${s.applied}, pushed ${s.pushed}, conflicts ${s.conflicts}, dead letters ${s.deadLetters}, error ${show(s.error)}`);
    }
  }
  const pc = await syncPartnerCenter(w);
  const pulled = /pulled \d+ (\{[^}]*\})/.exec(pc)?.[1] ?? '{}';
  const pushed = /pushed (\{.*\})$/.exec(pc)?.[1] ?? '{}';
  const busy = [...Object.keys(JSON.parse(pulled) as object).filter((k) => k !== 'unchanged' && k !== 'ignored'), ...Object.keys(JSON.parse(pushed) as object).filter((k) => k !== 'unchanged' && k !== 'terminal' && k !== 'held-private')];
  if (busy.length > 0) out.push(`partner-center: a round after the quiet rounds still did something: ${pc}`);
  return out;
}

/** The owner a connector's mapping gives a field (the property's configured owners over the shipped `crm`). */
function ownerOf(w: World, connector: string, field: string): string {
  return mappingOf(w, connector).fields.get(field as CosellField)?.owner ?? 'crm';
}

/** What each owner may do with a field changed on both sides (architecture.md, sync protocol 2). */
const OUTCOMES_OF_OWNER: Record<string, string[]> = {
  crm: ['took-crm'],
  cosell: ['kept-cosell'],
  latest: ['took-crm', 'kept-cosell'],
  manual: ['pending'],
};

/**
 * Every conflict says why (a rule and an outcome), and every field settled on both sides was won by
 * the side its owner names: the recorded rule is the field's configured owner, the outcome one that
 * owner allows, and the co-sell event log shows that outcome happened (the CRM value applied by
 * that connector at that instant for `took-crm`, never for `kept-cosell` or `pending`). For `latest`,
 * `expectLatest` predicts the winner from the two change times.
 */
export async function wrongWinners(w: World, expectLatest: (c: Conflict, cosellChangedAt: string | null) => 'took-crm' | 'kept-cosell' | null): Promise<string[]> {
  const out: string[] = [];
  const conflicts = await w.h.store.listConflicts({});
  for (const c of conflicts) {
    const where = `conflict ${c.id} (${c.kind}:${c.field} of ${c.connector}/${c.opportunityId})`;
    if (!c.rule || !c.outcome) out.push(`${where}: no reason recorded (rule ${show(c.rule)}, outcome ${show(c.outcome)})`);
    // Partner Center's conflicts follow its own rules (a closed referral is Microsoft's): partnerCenterViolations checks them.
    if (c.connector === PARTNER_CENTER_CONNECTOR) continue;
    if (c.kind === 'terminal' || c.kind === 'terminal-outcome') {
      const policy = w.config.policy;
      const want = policy === 'flag' ? 'flagged' : 'enforced';
      if (!c.rule.endsWith(`/${policy}`) || c.outcome !== want) out.push(`${where}: terminal policy ${policy} must give ${want} under S1-S3, got rule ${c.rule} -> ${c.outcome}`);
      // What the CRM is told: `flag` holds the CRM's value (the record keeps it, flagged); `enforce` sets the co-sell outcome (nothing held).
      const link = c.status === 'pending' && c.externalId !== null ? await w.h.store.getLink(c.connector, c.externalId) : null;
      if (link !== null && !(await refusedWrite(w, c.connector, c.opportunityId))) {
        const held = c.field in link.held;
        if (policy === 'flag' && !held) out.push(`${where}: terminal policy flag must keep the CRM's value held and flagged, but ${c.field} is not held`);
        if (policy === 'enforce' && held) out.push(`${where}: terminal policy enforce must set the co-sell outcome, but ${c.field} is held`);
      }
      continue;
    }
    if (c.kind !== 'field') continue;
    const owner = ownerOf(w, c.connector, c.field);
    if (c.rule !== owner) out.push(`${where}: settled by rule ${show(c.rule)} but the field's owner is ${owner}`);
    const allowed = OUTCOMES_OF_OWNER[owner] ?? [];
    if (!allowed.includes(c.outcome)) out.push(`${where}: owner ${owner} must give ${allowed.join(' or ')}, got ${c.outcome}`);
    const events = await w.h.store.listEvents(c.opportunityId);
    const applied = events.some((e) => e.at === c.createdAt && e.source.kind === 'connector' && e.source.name === c.connector && sameValue(cosellValues(e.after, [c.field as CosellField])[c.field], c.crmValue) && !sameValue(e.before === null ? null : cosellValues(e.before, [c.field as CosellField])[c.field], c.crmValue));
    // A CRM value the core refused, or one a received referral holds until its accept (R12), is recorded beside it.
    const heldBack = conflicts.some((r) => r.kind === 'refused' && r.field === c.field && r.connector === c.connector && r.opportunityId === c.opportunityId && r.createdAt === c.createdAt && sameValue(r.crmValue, c.crmValue));
    if (c.outcome === 'took-crm' && !applied && !heldBack) out.push(`${where}: recorded took-crm but the CRM value ${show(c.crmValue)} was not applied then`);
    // An admin who settled a held field with `--keep crm` applied the CRM value then, rightly.
    const keptCrmByAdmin = c.outcome === 'pending' && (c.resolution ?? '').startsWith('kept-crm');
    if (c.outcome !== 'took-crm' && applied && !keptCrmByAdmin) out.push(`${where}: recorded ${c.outcome} but the CRM value ${show(c.crmValue)} was applied to co-sell`);
    if (owner === 'latest') {
      // The co-sell field's last change before this merge (another connector's change in the same instant counts).
      const changed = events.filter((e) => e.at <= c.createdAt && !(e.at === c.createdAt && e.source.kind === 'connector' && e.source.name === c.connector));
      let cosellChangedAt: string | null = null;
      for (const e of changed) {
        const before = e.before === null ? null : cosellValues(e.before, [c.field as CosellField])[c.field];
        if (e.before === null || !sameValue(before, cosellValues(e.after, [c.field as CosellField])[c.field])) cosellChangedAt = e.at;
      }
      const predicted = expectLatest(c, cosellChangedAt);
      if (predicted !== null && predicted !== c.outcome) out.push(`${where}: owner latest, co-sell field changed at ${show(cosellChangedAt)}: the ${predicted === 'took-crm' ? 'CRM' : 'co-sell'} change must win, got ${c.outcome}`);
    }
  }
  return out;
}

/**
 * Partner Center as the third side. At quiescence every referral linked to a deal shows the deal's
 * stage, or a pending Partner Center conflict says why not, and says it rightly: S2 only against a
 * terminal deal, S3 only where no legal move leads there, R13 only for an expiry the co-sell clock
 * does not yet allow. Partner Center is the authority for what Microsoft decides: a Microsoft
 * decision the deal could legally follow was followed. An open referral holds the deal's data (one
 * more push would patch nothing); a won deal's registration reached its referral (R17); nothing was
 * ever sent with sharing consent the deal did not allow (R11).
 */
export async function partnerCenterViolations(w: World): Promise<string[]> {
  const out: string[] = [...w.consentBreaches.map((b) => `R11: ${b}`), ...w.refusals];
  const links = await w.h.store.listLinks({ connector: PARTNER_CENTER_CONNECTOR });
  for (const link of links) {
    const where = `partner-center/${link.externalId} (opportunity ${link.opportunityId})`;
    const referral = w.pc.sim.state.get(link.externalId);
    const stored = await w.h.store.getOpportunity(link.opportunityId);
    if (!referral || !stored) {
      out.push(`${where}: linked ${referral ? 'opportunity' : 'referral'} is missing`);
      continue;
    }
    const opp = stored.opportunity;
    const target = stageOfStatus(referral.status, referral.substatus);
    const conflicts = (await w.h.store.listConflicts({ opportunityId: opp.id, connector: PARTNER_CENTER_CONNECTOR, status: 'pending' })).filter((c) => c.field === 'stage');
    if (target !== null && target !== opp.stage) {
      const said = `Partner Center ${referral.status ?? ''}/${referral.substatus ?? ''} (${target}) vs co-sell ${opp.stage}`;
      const why = conflicts.find((c) => c.crmValue === `${referral.status ?? ''}/${referral.substatus ?? ''}`);
      // Judged against the deal as it stood when the conflict was recorded (a later move of the deal does not re-read an unchanged referral).
      const then = typeof why?.cosellValue === 'string' ? ({ ...opp, stage: why.cosellValue as Stage }) : opp;
      const legal = commandTowards(then, target, referral);
      if (!why) out.push(`${where}: ${said}, no pending Partner Center conflict`);
      else if (why.rule === 'S2' && !isTerminal(why.cosellValue as Stage)) out.push(`${where}: ${said}: conflict ${why.id} says S2 but the deal was ${show(why.cosellValue)} then`);
      else if (why.rule === 'S3' && legal !== null) out.push(`${where}: ${said}: conflict ${why.id} says S3 yet ${legal.kind} leads there`);
      else if (why.rule === 'R13' && target !== 'expired') out.push(`${where}: ${said}: conflict ${why.id} refused by R13 for a move other than an expiry`);
      // The authority: Microsoft closed the referral and the deal could follow (no rule against it): it must have.
      if (why && why.rule !== 'R13' && why.rule !== 'S2' && legal !== null && w.microsoftMoves.has(link.externalId)) out.push(`${where}: ${said}: Microsoft's decision was not followed (conflict ${why.id} ${why.rule})`);
    }
    // An accepted deal's open referral holds the deal's data (a received referral is Microsoft's as sent until accept: R12).
    if (referral.status !== 'Closed' && target === opp.stage && opp.stage === 'accepted') {
      const ops = patchToMatch(referral, opp).filter((o) => o.path !== '/status' && o.path !== '/substatus');
      if (ops.length > 0) out.push(`${where}: open referral differs from the deal: ${ops.map((o) => `${o.op} ${o.path}=${show(o.value)}`).join('; ')}`);
    }
    if (opp.stage === 'won' && opp.dealRegistration !== null && referral.substatus === 'Won') {
      const sent = (referral.registrations ?? []).map((r) => r.externalReferenceId);
      if (!sent.includes(opp.dealRegistration.registrationId)) out.push(`${where}: R17 registration ${opp.dealRegistration.registrationId} of the won deal is not on the referral (has ${show(sent)})`);
    }
  }
  // Every referral sent to us became a deal, once.
  for (const referral of w.pc.sim.state.referrals.values()) {
    if (referral.direction !== 'Incoming') continue;
    if (!links.some((l) => l.externalId === referral.id)) out.push(`partner-center/${referral.id}: a referral Microsoft sent never became a deal`);
  }
  // And every Outgoing referral is a deal's, sharing only what the deal allows (R11), checked on the final state too.
  for (const referral of w.pc.sim.state.referrals.values()) {
    if (referral.direction === 'Incoming') continue;
    const link = links.find((l) => l.externalId === referral.id);
    const stored = link ? await w.h.store.getOpportunity(link.opportunityId) : null;
    if (!stored) {
      out.push(`partner-center/${referral.id}: outgoing referral with no deal`);
      continue;
    }
    const violation = sharingViolation(stored.opportunity, { consentToShareReferralWithMicrosoftSellers: referral.consent?.consentToShareReferralWithMicrosoftSellers ?? null, targetsMicrosoft: (referral.target ?? []).some((t) => t.id === 'msft') });
    if (violation !== null) out.push(`partner-center/${referral.id}: ${violation}`);
  }
  return out;
}
