/**
 * The random actions of the convergence property, as fast-check model-based commands: CRM users
 * editing, moving and deleting deals in either simulator, co-sell users running core commands
 * (edits, stage moves, inviting Microsoft, registering a won deal: R17), Microsoft deciding on its
 * referrals in Partner Center, time passing (with the R13 expiry sweep), sync runs of any side
 * (some of them while the CRM or Partner Center refuses writes, transiently or permanently), two
 * CRMs closing one deal differently, and admins settling conflicts and replaying dead letters.
 * Deals are named by index; an action that has nothing to act on yet is a no-op.
 */
import fc from 'fast-check';
import { DAY_MS } from '../../../src/core/clock';
import type { Command } from '../../../src/core/commands';
import type { Opportunity } from '../../../src/core/model';
import { isRuleViolation } from '../../../src/core/rules';
import { runExpirySweep } from '../../../src/store';
import { CAMPAIGNS, dealAt, noteCrmWrite, opportunityOf, recordIdIn, syncPartnerCenter, USER, type CrmSide, type Side, type World } from './world';

/** The model only counts steps: every command is valid in every state (the core may refuse it). */
export interface Model {
  steps: number;
}

type Cmd = fc.AsyncCommand<Model, World, false>;

export type EditField = 'amount' | 'money' | 'closeDate' | 'name' | 'notes' | 'city' | 'team' | 'solutions' | 'contact' | 'campaign';
export type StageMove = 'accept' | 'decline' | 'win' | 'lose' | 'reopen';

export const DECLINE_REASONS = ['Not a fit', 'No capacity', 'Customer not interested', 'Duplicate', 'Other'] as const;
const DYN_DECLINE_CODE: Record<(typeof DECLINE_REASONS)[number], number> = {
  'Not a fit': 100000000, 'No capacity': 100000001, 'Customer not interested': 100000002, Duplicate: 100000003, Other: 100000004,
};


/** Money as a user types it: an amount (decimals allowed) and, for `money`, a currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** A solution the partner offers, as the CRMs' JSON solutions columns hold it. */
const solutionsOf = (name: string): Array<{ id: string; name: string; kind: 'own' }> => [{ id: `sol-${name.split(' ')[0]!.toLowerCase()}`, name, kind: 'own' }];
/** A customer contact (with consent to be contacted, so Microsoft may be invited: R2, R10). */
const contactOf = (name: string): { name: string; phone: string; email: string } => ({ name, phone: '+1 555 0199', email: `${name.split(' ')[0]!.toLowerCase()}@customer.example` });

/** The CRM columns a CRM user changes for one edit. */
function crmColumns(side: CrmSide, field: EditField, value: string | number | Money | null): Record<string, unknown> | null {
  const sf = side === 'sf';
  // Both CRMs' currency fields hold two decimals and round what a user types (sub-cent amounts come from co-sell).
  const cents = (n: number): number => Math.round(n * 100) / 100;
  switch (field) {
    case 'amount': return { [sf ? 'Amount' : 'estimatedvalue']: value === null ? null : cents(Number(value)) };
    // Dataverse changes a row's currency through its transactioncurrency lookup: only Salesforce users change both here.
    case 'money': return sf ? { Amount: cents((value as Money).amount), CurrencyIsoCode: (value as Money).currency } : { estimatedvalue: cents((value as Money).amount) };
    case 'closeDate': return { [sf ? 'CloseDate' : 'estimatedclosedate']: value };
    case 'name': return { [sf ? 'Name' : 'name']: value };
    case 'notes': return { [sf ? 'Description' : 'description']: value };
    case 'city': return { [sf ? 'CoSell_Customer_City__c' : 'cosell_customercity']: value };
    case 'team': return { [sf ? 'CoSell_Team__c' : 'cosell_team']: JSON.stringify(teamOf(String(value))) };
    case 'solutions': return { [sf ? 'CoSell_Solutions__c' : 'cosell_solutions']: JSON.stringify(solutionsOf(String(value))) };
    case 'contact': {
      const c = contactOf(String(value));
      return sf
        ? { CoSell_Contact_Name__c: c.name, CoSell_Contact_Email__c: c.email, CoSell_Contact_Phone__c: c.phone, CoSell_Contact_Consent__c: true }
        : { cosell_contactname: c.name, cosell_contactemail: c.email, cosell_contactphone: c.phone, cosell_contactconsent: true };
    }
    // A Dataverse user sets the campaign lookup by its own form; the property only edits it from Salesforce and co-sell.
    case 'campaign': return sf ? { CampaignId: value } : null;
  }
}

/** A one-member deal team, as the CRMs' JSON team columns hold it. */
const teamOf = (name: string): Array<{ name: string; phone: string; email: string }> => [{ name, phone: '+1 555 0100', email: `${name.split(' ')[0]!.toLowerCase()}@partner.example` }];

const dynClosed = (row: Record<string, unknown> | null): boolean => row !== null && row.statecode !== 0;

export class CrmEdit implements Cmd {
  constructor(readonly side: CrmSide, readonly deal: number, readonly field: EditField, readonly value: string | number | Money | null) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const id = await recordIdIn(w, dealAt(w, this.deal), this.side);
    if (id === null) return void w.trace.push(`${this.toString()}: no record yet`);
    // A Dataverse user cannot edit a closed opportunity without reopening it first.
    if (this.side === 'dyn' && dynClosed(w.h.dyn.get(id))) return void w.trace.push(`${this.toString()}: row closed, skipped`);
    const fields = crmColumns(this.side, this.field, this.value);
    if (fields === null) return void w.trace.push(`${this.toString()}: not edited in this CRM`);
    if (this.side === 'sf') w.h.sf.update(id, fields);
    else w.h.dyn.update(id, fields);
    noteCrmWrite(w, this.side, id);
    w.trace.push(`${this.toString()} on ${id}`);
  }
  toString = (): string => `crmEdit(${this.side}, deal ${this.deal}, ${this.field} = ${JSON.stringify(this.value)})`;
}

function sfStageFields(move: StageMove, reason: string): Record<string, unknown> {
  switch (move) {
    case 'accept': return { StageName: 'Needs Analysis' };
    case 'decline': return { StageName: 'Closed Lost', CoSell_Decline_Reason__c: reason };
    case 'win': return { StageName: 'Closed Won' };
    case 'lose': return { StageName: 'Closed Lost', CoSell_Decline_Reason__c: null };
    case 'reopen': return { StageName: 'Negotiation/Review' };
  }
}

function dynStageFields(move: StageMove, reason: (typeof DECLINE_REASONS)[number], closed: boolean): Record<string, unknown> | null {
  // Closed rows can only be reopened (statecode 0 alone); open rows close as WinOpportunity/LoseOpportunity would leave them.
  if (closed) return move === 'accept' || move === 'reopen' ? { statecode: 0, statuscode: 1 } : null;
  switch (move) {
    case 'accept': return { statecode: 0, statuscode: 1, salesstage: 1 };
    case 'decline': return { statecode: 2, statuscode: 4, cosell_declinereason: DYN_DECLINE_CODE[reason] };
    case 'win': return { statecode: 1, statuscode: 3 };
    case 'lose': return { statecode: 2, statuscode: 5, cosell_declinereason: null };
    case 'reopen': return { salesstage: 2 };
  }
}

export class CrmStage implements Cmd {
  constructor(readonly side: CrmSide, readonly deal: number, readonly move: StageMove, readonly reason: (typeof DECLINE_REASONS)[number]) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const id = await recordIdIn(w, dealAt(w, this.deal), this.side);
    if (id === null) return void w.trace.push(`${this.toString()}: no record yet`);
    if (this.side === 'sf') {
      w.h.sf.update(id, sfStageFields(this.move, this.reason));
    } else {
      const fields = dynStageFields(this.move, this.reason, dynClosed(w.h.dyn.get(id)));
      if (!fields) return void w.trace.push(`${this.toString()}: row closed, skipped`);
      w.h.dyn.update(id, fields);
    }
    noteCrmWrite(w, this.side, id);
    w.trace.push(`${this.toString()} on ${id}`);
  }
  toString = (): string => `crmStage(${this.side}, deal ${this.deal}, ${this.move}${this.move === 'decline' ? ` "${this.reason}"` : ''})`;
}

export type CoreKind = 'edit' | 'accept' | 'decline' | 'win' | 'lose' | 'favorite' | 'inviteMicrosoft' | 'winRegistered' | 'register';

const registration = (n: string) => ({ registrationId: `REG-${n}`, details: { program: 'Azure IP co-sell' } });

function coreCommand(kind: CoreKind, opp: Opportunity, field: EditField, value: string | number | Money | null, reason: string): Command {
  switch (kind) {
    case 'accept':
      return { kind: 'accept', dealName: opp.dealName || 'Accepted referral', changes: { team: [{ name: 'Cy Core', phone: '+1 555 0100', email: 'cy@partner.example' }] } };
    case 'decline': return { kind: 'decline', reason, notes: null };
    case 'win': return { kind: 'win', dealRegistration: null };
    // R17: a registration with the win, or one added to a won deal afterwards.
    case 'winRegistered': return { kind: 'win', dealRegistration: registration(opp.id.slice(0, 8)) };
    case 'register': return { kind: 'registerDeal', registration: registration(`${opp.id.slice(0, 8)}-late`) };
    case 'lose': return { kind: 'lose', notes: null };
    case 'favorite': return opp.favorite ? { kind: 'unfavorite' } : { kind: 'favorite' };
    case 'inviteMicrosoft': return { kind: 'inviteMicrosoft', helpType: 'technical-architecture', notes: null };
    case 'edit':
      switch (field) {
        case 'amount': return { kind: 'edit', changes: { estimatedValue: { amount: Number(value ?? 1), currency: opp.estimatedValue.currency } } };
        case 'money': return { kind: 'edit', changes: { estimatedValue: { ...(value as Money) } } };
        case 'closeDate': return { kind: 'edit', changes: { estimatedCloseDate: String(value) } };
        case 'name': return { kind: 'edit', changes: { dealName: String(value) } };
        case 'notes': return { kind: 'edit', changes: { notes: value === null ? null : String(value) } };
        case 'city': return { kind: 'edit', changes: { customer: { ...opp.customer, location: { ...opp.customer.location, city: value === null ? null : String(value) } } } };
        case 'team': return { kind: 'edit', changes: { team: teamOf(String(value)) } };
        case 'solutions': return { kind: 'edit', changes: { solutions: solutionsOf(String(value)) } };
        case 'contact': return { kind: 'edit', changes: { customer: { ...opp.customer, contact: contactOf(String(value)), contactConsent: true } } };
        case 'campaign': return { kind: 'edit', changes: { campaignId: value === null ? null : String(value) } };
      }
  }
}

export class CoreAction implements Cmd {
  constructor(readonly deal: number, readonly kind: CoreKind, readonly field: EditField, readonly value: string | number | Money | null, readonly reason: string) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const stored = await opportunityOf(w, dealAt(w, this.deal));
    if (!stored) return void w.trace.push(`${this.toString()}: no opportunity yet`);
    const command = coreCommand(this.kind, stored.opportunity, this.field, this.value, this.reason);
    try {
      await w.h.store.applyCommand({ id: stored.opportunity.id, command, source: USER, now: w.h.clock.now() });
      w.trace.push(`${this.toString()} on ${stored.opportunity.id}: applied`);
    } catch (error) {
      // A refusal is the core doing its job (R15, R16 ...); anything else is a failure.
      if (!isRuleViolation(error)) throw error;
      w.trace.push(`${this.toString()} on ${stored.opportunity.id}: refused (${error.rule})`);
    }
  }
  toString = (): string => `core(deal ${this.deal}, ${this.kind}${this.kind === 'edit' ? ` ${this.field} = ${JSON.stringify(this.value)}` : this.kind === 'decline' ? ` "${this.reason}"` : ''})`;
}

export class AdvanceClock implements Cmd {
  constructor(readonly days: number) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    w.h.clock.advance(this.days * DAY_MS);
    const { expired } = await runExpirySweep(w.h.store, w.h.clock);
    w.trace.push(`${this.toString()}: expired ${JSON.stringify(expired)}`);
  }
  toString = (): string => `advanceClock(${this.days} days) + expiry sweep`;
}

/** A write failure the side injects for one sync run: `transient` (locks, 429/503: retried), `permanent` (a validation rule: dead letter). */
export type WriteFailure = 'none' | 'transient' | 'permanent';

/** The message the CRMs' validation rule gives while a permanent failure is injected (the dead letter must carry it). */
export const REFUSAL_MESSAGE = 'Opportunity is locked for review by the property';

function injectFailure(w: World, side: Side, failure: WriteFailure): void {
  if (failure === 'none') return;
  if (side === 'sf') {
    // Four locked saves outlast the connector's three attempts: the rest waits in the outbox.
    if (failure === 'transient') w.h.sf.injectFault('row_lock', 4);
    else w.h.sf.addValidationRule({ when: () => true, message: REFUSAL_MESSAGE });
  } else if (side === 'dyn') {
    if (failure === 'transient') w.h.dyn.injectFault({ kind: 'rate_limit', times: 2, retryAfterSeconds: 0 });
    else w.h.dyn.addValidationRule({ field: 'cosell_sync', equals: true, message: REFUSAL_MESSAGE });
  } else {
    // Transient: 429s the connector's retries absorb; permanent: an outage for the whole pass.
    w.pc.sim.injectFault({ kind: failure === 'transient' ? 'rate_limit' : 'server_error', times: failure === 'transient' ? 2 : 1000, retryAfterSeconds: 0 });
  }
}

function clearFailure(w: World, side: Side): void {
  if (side === 'sf') {
    w.h.sf.clearFaults();
    w.h.sf.clearValidationRules();
  } else if (side === 'dyn') {
    w.h.dyn.clearFaults();
    w.h.dyn.clearValidationRules();
  } else {
    w.pc.sim.state.faults = [];
  }
}

/** Unresolved push dead letters of a side, by `connector/opportunity`. */
async function openPushLetters(w: World, side: Side): Promise<Set<string>> {
  const connector = side === 'pc' ? 'partner-center' : side;
  return new Set((await w.h.store.listDeadLetters({ unresolvedOnly: true })).filter((d) => d.connector === connector).map((d) => `${d.opportunityId ?? d.externalId ?? ''}`));
}

export class SyncRun implements Cmd {
  constructor(readonly side: Side, readonly failure: WriteFailure = 'none') {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const before = this.failure === 'permanent' && this.side !== 'pc' ? await crmSnapshot(w, this.side) : null;
    const lettersBefore = await openPushLetters(w, this.side);
    injectFailure(w, this.side, this.failure);
    try {
      if (this.side === 'pc') {
        try {
          w.trace.push(`${this.toString()}: ${await syncPartnerCenter(w)}`);
        } catch (error) {
          // Partner Center down for the whole pass: the pass fails (the daemon retries at its next tick); anything else is a failure.
          if (this.failure !== 'permanent') throw error;
          w.trace.push(`${this.toString()}: pass failed (${String(error)})`);
        }
        return;
      }
      const summary = await w.h.engine.runOnce({ connector: this.side });
      w.trace.push(`${this.toString()}: pulled ${summary.pulled}, applied ${summary.applied}, pushed ${summary.pushed}, conflicts ${summary.conflicts}, dead letters ${summary.deadLetters}`);
      if (summary.error) throw new Error(`sync of ${this.side} failed: ${summary.error}`);
    } finally {
      clearFailure(w, this.side);
    }
    if (before !== null) {
      // What a refused write leaves: the CRM record as it was (nothing half-written), the co-sell deal
      // as it was (nothing lost), and a dead letter carrying the CRM's own message.
      const after = await crmSnapshot(w, this.side);
      const letters = (await w.h.store.listDeadLetters({ unresolvedOnly: true })).filter((d) => d.connector === this.side && !lettersBefore.has(`${d.opportunityId ?? d.externalId ?? ''}`));
      for (const d of letters) {
        if (!d.reason.includes(REFUSAL_MESSAGE)) w.refusals.push(`dead letter ${d.connector}/${d.opportunityId ?? ''} does not carry the CRM's message: ${d.reason}`);
        const id = d.externalId;
        if (id !== null && before.has(id) && !sameRecord(before.get(id)!, after.get(id))) w.refusals.push(`${this.side}/${id}: a refused write changed the record: ${JSON.stringify(before.get(id))} -> ${JSON.stringify(after.get(id))}`);
      }
      w.trace.push(`${this.toString()}: ${letters.length} write(s) refused`);
    }
  }
  toString = (): string => `sync(${this.side}${this.failure === 'none' ? '' : `, ${this.failure} write failure`})`;
}

/** Status columns the sync writes beside a refusal; everything else is the deal's data. */
const STATUS_COLUMNS = new Set(['CoSell_Sync_Status__c', 'CoSell_Conflict__c', 'cosell_syncstatus', 'cosell_conflict', 'SystemModstamp', 'LastModifiedDate', 'modifiedon', 'versionnumber', 'LastModifiedById']);

function sameRecord(a: Record<string, unknown>, b: Record<string, unknown> | undefined): boolean {
  if (b === undefined) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !STATUS_COLUMNS.has(k)));
  return [...keys].every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null));
}

async function crmSnapshot(w: World, side: CrmSide): Promise<Map<string, Record<string, unknown>>> {
  const rows = side === 'sf' ? w.h.sf.all() : w.h.dyn.list();
  const key = side === 'sf' ? 'Id' : 'opportunityid';
  return new Map(rows.map((r) => [String(r[key]), { ...r }]));
}

/** A CRM user deletes the deal's record: the co-sell deal is kept and unlinked from that CRM, with a pending `deleted` conflict. */
export class CrmDelete implements Cmd {
  constructor(readonly side: CrmSide, readonly deal: number) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    // The deal's co-sell id is noted first: once the link is gone it is no longer found through it.
    await opportunityOf(w, dealAt(w, this.deal));
    const id = await recordIdIn(w, dealAt(w, this.deal), this.side);
    if (id === null) return void w.trace.push(`${this.toString()}: no record`);
    if (this.side === 'sf') w.h.sf.remove(id);
    else w.h.dyn.remove(id);
    w.deleted.add(`${this.side}/${id}`);
    w.trace.push(`${this.toString()} on ${id}`);
  }
  toString = (): string => `crmDelete(${this.side}, deal ${this.deal})`;
}

/** What Microsoft decides on a referral in Partner Center (a status move, or its seller engaging). */
export type MicrosoftMove = 'accept' | 'decline' | 'expire' | 'win' | 'lose' | 'engage';

const MICROSOFT_STATUS: Record<Exclude<MicrosoftMove, 'engage'>, { status: string; substatus: string }> = {
  accept: { status: 'Active', substatus: 'Accepted' },
  decline: { status: 'Closed', substatus: 'Declined' },
  expire: { status: 'Closed', substatus: 'Expired' },
  win: { status: 'Closed', substatus: 'Won' },
  lose: { status: 'Closed', substatus: 'Lost' },
};

/** Microsoft acts on the deal's referral in Partner Center, as only Microsoft can (a closed referral stays closed there too). */
export class MicrosoftAction implements Cmd {
  constructor(readonly deal: number, readonly move: MicrosoftMove) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const id = await recordIdIn(w, dealAt(w, this.deal), 'pc');
    const current = id === null ? undefined : w.pc.sim.state.get(id);
    if (id === null || !current) return void w.trace.push(`${this.toString()}: no referral`);
    if (current.status === 'Closed') return void w.trace.push(`${this.toString()}: referral ${id} is closed (${current.substatus ?? ''})`);
    if (this.move === 'engage') {
      // A Microsoft seller engages: Microsoft's side of the referral changes (its invite context), not its status.
      w.pc.sim.microsoftUpdate(id, { inviteContext: { ...(current.inviteContext ?? {}), notes: `Microsoft seller engaged at ${w.h.clock.now().toISOString()}` } });
      return void w.trace.push(`${this.toString()} on ${id}`);
    }
    const status = MICROSOFT_STATUS[this.move];
    w.pc.sim.microsoftUpdate(id, { ...status, ...(this.move === 'decline' ? { statusReason: 'Customer not interested' } : {}) });
    w.microsoftMoves.set(id, { ...status, at: w.h.clock.now().toISOString() });
    w.trace.push(`${this.toString()} on ${id}`);
  }
  toString = (): string => `microsoft(deal ${this.deal}, ${this.move})`;
}

/** An admin replays one open dead letter (`dead-letters retry`). */
export class ReplayDeadLetter implements Cmd {
  constructor(readonly pick: number) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const open = (await w.h.store.listDeadLetters({ unresolvedOnly: true })).filter((d) => d.connector !== 'partner-center');
    const letter = open[this.pick % Math.max(1, open.length)];
    if (!letter) return void w.trace.push(`${this.toString()}: no dead letter`);
    const outcome = await w.h.engine.retryDeadLetter(letter.id);
    w.trace.push(`${this.toString()} on ${letter.connector}/${letter.opportunityId ?? letter.externalId ?? ''}: ${outcome.ok ? 'ok' : 'refused'} (${outcome.message})`);
  }
  toString = (): string => `replayDeadLetter(#${this.pick})`;
}

/** Both CRM users close the same deal, with different outcomes, before either syncs (S2). */
export class CloseDifferently implements Cmd {
  constructor(readonly deal: number, readonly sfWins: boolean) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const deal = dealAt(w, this.deal);
    const sfId = await recordIdIn(w, deal, 'sf');
    const dynId = await recordIdIn(w, deal, 'dyn');
    if (sfId === null || dynId === null) return void w.trace.push(`${this.toString()}: not in both CRMs yet`);
    w.h.sf.update(sfId, sfStageFields(this.sfWins ? 'win' : 'lose', 'Other'));
    noteCrmWrite(w, 'sf', sfId);
    const dynFields = dynStageFields(this.sfWins ? 'lose' : 'win', 'Other', dynClosed(w.h.dyn.get(dynId)));
    if (dynFields) {
      w.h.dyn.update(dynId, dynFields);
      noteCrmWrite(w, 'dyn', dynId);
    }
    w.trace.push(`${this.toString()} on ${sfId} / ${dynId}${dynFields ? '' : ' (dyn row closed: only sf moved)'}`);
  }
  toString = (): string => `closeDifferently(deal ${this.deal}, sf ${this.sfWins ? 'won' : 'lost'}, dyn ${this.sfWins ? 'lost' : 'won'})`;
}

/** A CRM user and a co-sell user change the same field of one deal before the next sync: a two-sided edit the owner settles. */
export class EditBothSides implements Cmd {
  constructor(readonly side: CrmSide, readonly deal: number, readonly field: EditField, readonly crmValue: string | number | Money | null, readonly cosellValue: string | number | Money | null) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    await new CoreAction(this.deal, 'edit', this.field, this.cosellValue, '').run(m, w);
    await new CrmEdit(this.side, this.deal, this.field, this.crmValue).run(m, w);
  }
  toString = (): string => `editBothSides(${this.side}, deal ${this.deal}, ${this.field}: crm ${JSON.stringify(this.crmValue)}, co-sell ${JSON.stringify(this.cosellValue)})`;
}

/** An admin settles one pending conflict (`conflicts resolve --keep crm|cosell`); a refusal by the core is fine. */
export class ResolveConflict implements Cmd {
  constructor(readonly pick: number, readonly keep: 'crm' | 'cosell') {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    // The CRM instances' conflicts: the engine settles those (Partner Center's are Microsoft's to decide).
    const pending = (await w.h.store.listConflicts({ status: 'pending' })).filter((c) => c.connector !== 'partner-center');
    const conflict = pending[this.pick % Math.max(1, pending.length)];
    if (!conflict) return void w.trace.push(`${this.toString()}: no pending conflict`);
    const outcome = await w.h.engine.resolveConflict(conflict.id, this.keep);
    w.trace.push(`${this.toString()} on ${conflict.kind}:${conflict.field} of ${conflict.connector}/${conflict.opportunityId}: ${outcome.ok ? 'ok' : 'refused'} (${outcome.message})`);
  }
  toString = (): string => `resolveConflict(#${this.pick}, keep ${this.keep})`;
}

const editField = fc.constantFrom<EditField>('amount', 'money', 'closeDate', 'name', 'notes', 'city', 'team', 'solutions', 'contact', 'campaign');
/** Whole amounts, cents, and sub-cent amounts (a CRM holds two decimals: its rounded echo is not an edit). */
const amount = fc.oneof(fc.integer({ min: 1_000, max: 900_000 }), fc.integer({ min: 100_000, max: 90_000_000 }).map((cents) => cents / 100), fc.integer({ min: 1_000_000, max: 900_000_000 }).map((mills) => mills / 1000));
const valueFor: Record<EditField, fc.Arbitrary<string | number | Money | null>> = {
  amount,
  money: fc.record({ amount, currency: fc.constantFrom('USD', 'EUR', 'GBP') }),
  closeDate: fc.constantFrom('2026-05-31', '2026-07-15', '2026-10-01', '2027-01-31'),
  name: fc.constantFrom('Contoso expansion', 'Fabrikam renewal', 'Northwind pilot'),
  notes: fc.constantFrom('Workshop booked', 'Budget approved', 'Call next week', null),
  city: fc.constantFrom('Lyon', 'Paris', 'Munich', 'Osaka'),
  team: fc.constantFrom('Cy Core', 'Di Field', 'Ed Sales'),
  solutions: fc.constantFrom('Data Estate Accelerator', 'Analytics Kit', 'Identity Guard'),
  contact: fc.constantFrom('Pat Buyer', 'Kim Owner'),
  campaign: fc.constantFrom<string | null>(...CAMPAIGNS, null),
};
const fieldAndValue = editField.chain((field) => valueFor[field].map((value) => ({ field, value })));
const side = fc.constantFrom<CrmSide>('sf', 'dyn');
const anySide = fc.constantFrom<Side>('sf', 'dyn', 'pc');
const reason = fc.constantFrom(...DECLINE_REASONS);
const failure = fc.constantFrom<WriteFailure>('none', 'none', 'none', 'transient', 'permanent');

/** The command arbitraries; `deals` is the number of seeded deals (commands name them by index). */
export function commandArbitraries(deals: number): Array<fc.Arbitrary<Cmd>> {
  const deal = fc.nat({ max: Math.max(0, deals - 1) });
  return [
    fc.tuple(side, deal, fieldAndValue).map(([s, d, fv]) => new CrmEdit(s, d, fv.field, fv.value)),
    fc.tuple(side, deal, fc.constantFrom<StageMove>('accept', 'decline', 'win', 'lose', 'reopen'), reason).map(([s, d, mv, r]) => new CrmStage(s, d, mv, r)),
    fc.tuple(deal, fc.constantFrom<CoreKind>('edit', 'edit', 'accept', 'decline', 'win', 'winRegistered', 'register', 'lose', 'favorite', 'inviteMicrosoft'), fieldAndValue, reason).map(([d, k, fv, r]) => new CoreAction(d, k, fv.field, fv.value, r)),
    fc.constantFrom(1, 3, 7, 14).map((days) => new AdvanceClock(days)),
    fc.tuple(anySide, failure).map(([s, f]) => new SyncRun(s, f)),
    side.map((s) => new SyncRun(s)),
    fc.tuple(deal, fc.boolean()).map(([d, w]) => new CloseDifferently(d, w)),
    fc.tuple(side, deal, editField).chain(([s, d, f]) => fc.tuple(valueFor[f], valueFor[f]).map(([a, b]) => new EditBothSides(s, d, f, a, b))),
    fc.tuple(fc.nat({ max: 7 }), fc.constantFrom<'crm' | 'cosell'>('crm', 'cosell')).map(([p, k]) => new ResolveConflict(p, k)),
    fc.tuple(deal, fc.constantFrom<MicrosoftMove>('accept', 'accept', 'decline', 'expire', 'win', 'lose', 'engage')).map(([d, mv]) => new MicrosoftAction(d, mv)),
    fc.tuple(side, deal).map(([s, d]) => new CrmDelete(s, d)),
    fc.nat({ max: 7 }).map((p) => new ReplayDeadLetter(p)),
  ];
}
