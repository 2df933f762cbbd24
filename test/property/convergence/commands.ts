/**
 * The random actions of the convergence property, as fast-check model-based commands: CRM users
 * editing and moving deals in either simulator, co-sell users running core commands, time passing
 * (with the R13 expiry sweep), sync runs of either connector, and two CRMs closing one deal
 * differently. Deals are named by index; an action that has nothing to act on yet is a no-op.
 */
import fc from 'fast-check';
import { DAY_MS } from '../../../src/core/clock';
import type { Command } from '../../../src/core/commands';
import type { Opportunity } from '../../../src/core/model';
import { isRuleViolation } from '../../../src/core/rules';
import { runExpirySweep } from '../../../src/store';
import { dealAt, noteCrmWrite, opportunityOf, recordIdIn, USER, type CrmSide, type World } from './world';

/** The model only counts steps: every command is valid in every state (the core may refuse it). */
export interface Model {
  steps: number;
}

type Cmd = fc.AsyncCommand<Model, World, false>;

export type EditField = 'amount' | 'closeDate' | 'name' | 'notes' | 'city' | 'team';
export type StageMove = 'accept' | 'decline' | 'win' | 'lose' | 'reopen';

export const DECLINE_REASONS = ['Not a fit', 'No capacity', 'Customer not interested', 'Duplicate', 'Other'] as const;
const DYN_DECLINE_CODE: Record<(typeof DECLINE_REASONS)[number], number> = {
  'Not a fit': 100000000, 'No capacity': 100000001, 'Customer not interested': 100000002, Duplicate: 100000003, Other: 100000004,
};

const SF_COLUMN: Record<EditField, string> = { amount: 'Amount', closeDate: 'CloseDate', name: 'Name', notes: 'Description', city: 'CoSell_Customer_City__c', team: 'CoSell_Team__c' };
const DYN_COLUMN: Record<EditField, string> = { amount: 'estimatedvalue', closeDate: 'estimatedclosedate', name: 'name', notes: 'description', city: 'cosell_customercity', team: 'cosell_team' };

/** A one-member deal team, as the CRMs' JSON team columns hold it. */
const teamOf = (name: string): Array<{ name: string; phone: string; email: string }> => [{ name, phone: '+1 555 0100', email: `${name.split(' ')[0]!.toLowerCase()}@partner.example` }];

const dynClosed = (row: Record<string, unknown> | null): boolean => row !== null && row.statecode !== 0;

export class CrmEdit implements Cmd {
  constructor(readonly side: CrmSide, readonly deal: number, readonly field: EditField, readonly value: string | number | null) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const id = await recordIdIn(w, dealAt(w, this.deal), this.side);
    if (id === null) return void w.trace.push(`${this.toString()}: no record yet`);
    // A Dataverse user cannot edit a closed opportunity without reopening it first.
    if (this.side === 'dyn' && dynClosed(w.h.dyn.get(id))) return void w.trace.push(`${this.toString()}: row closed, skipped`);
    const value = this.field === 'team' ? JSON.stringify(teamOf(String(this.value))) : this.value;
    const fields = { [(this.side === 'sf' ? SF_COLUMN : DYN_COLUMN)[this.field]]: value };
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

export type CoreKind = 'edit' | 'accept' | 'decline' | 'win' | 'lose' | 'favorite';

function coreCommand(kind: CoreKind, opp: Opportunity, field: EditField, value: string | number | null, reason: string): Command {
  switch (kind) {
    case 'accept':
      return { kind: 'accept', dealName: opp.dealName || 'Accepted referral', changes: { team: [{ name: 'Cy Core', phone: '+1 555 0100', email: 'cy@partner.example' }] } };
    case 'decline': return { kind: 'decline', reason, notes: null };
    case 'win': return { kind: 'win', dealRegistration: null };
    case 'lose': return { kind: 'lose', notes: null };
    case 'favorite': return opp.favorite ? { kind: 'unfavorite' } : { kind: 'favorite' };
    case 'edit':
      switch (field) {
        case 'amount': return { kind: 'edit', changes: { estimatedValue: { amount: Number(value ?? 1), currency: opp.estimatedValue.currency } } };
        case 'closeDate': return { kind: 'edit', changes: { estimatedCloseDate: String(value) } };
        case 'name': return { kind: 'edit', changes: { dealName: String(value) } };
        case 'notes': return { kind: 'edit', changes: { notes: value === null ? null : String(value) } };
        case 'city': return { kind: 'edit', changes: { customer: { ...opp.customer, location: { ...opp.customer.location, city: value === null ? null : String(value) } } } };
        case 'team': return { kind: 'edit', changes: { team: teamOf(String(value)) } };
      }
  }
}

export class CoreAction implements Cmd {
  constructor(readonly deal: number, readonly kind: CoreKind, readonly field: EditField, readonly value: string | number | null, readonly reason: string) {}
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

export class SyncRun implements Cmd {
  constructor(readonly side: CrmSide) {}
  check = (): boolean => true;
  async run(m: Model, w: World): Promise<void> {
    m.steps += 1;
    const summary = await w.h.engine.runOnce({ connector: this.side });
    w.trace.push(`${this.toString()}: pulled ${summary.pulled}, applied ${summary.applied}, pushed ${summary.pushed}, conflicts ${summary.conflicts}, dead letters ${summary.deadLetters}`);
    if (summary.error) throw new Error(`sync of ${this.side} failed: ${summary.error}`);
  }
  toString = (): string => `sync(${this.side})`;
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
  constructor(readonly side: CrmSide, readonly deal: number, readonly field: EditField, readonly crmValue: string | number | null, readonly cosellValue: string | number | null) {}
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
    const pending = await w.h.store.listConflicts({ status: 'pending' });
    const conflict = pending[this.pick % Math.max(1, pending.length)];
    if (!conflict) return void w.trace.push(`${this.toString()}: no pending conflict`);
    const outcome = await w.h.engine.resolveConflict(conflict.id, this.keep);
    w.trace.push(`${this.toString()} on ${conflict.kind}:${conflict.field} of ${conflict.connector}/${conflict.opportunityId}: ${outcome.ok ? 'ok' : 'refused'} (${outcome.message})`);
  }
  toString = (): string => `resolveConflict(#${this.pick}, keep ${this.keep})`;
}

const editField = fc.constantFrom<EditField>('amount', 'closeDate', 'name', 'notes', 'city', 'team');
const valueFor: Record<EditField, fc.Arbitrary<string | number | null>> = {
  // Whole amounts and amounts in cents.
  amount: fc.oneof(fc.integer({ min: 1_000, max: 900_000 }), fc.integer({ min: 100_000, max: 90_000_000 }).map((cents) => cents / 100)),
  closeDate: fc.constantFrom('2026-05-31', '2026-07-15', '2026-10-01', '2027-01-31'),
  name: fc.constantFrom('Contoso expansion', 'Fabrikam renewal', 'Northwind pilot'),
  notes: fc.constantFrom('Workshop booked', 'Budget approved', 'Call next week', null),
  city: fc.constantFrom('Lyon', 'Paris', 'Munich', 'Osaka'),
  team: fc.constantFrom('Cy Core', 'Di Field', 'Ed Sales'),
};
const fieldAndValue = editField.chain((field) => valueFor[field].map((value) => ({ field, value })));
const side = fc.constantFrom<CrmSide>('sf', 'dyn');
const reason = fc.constantFrom(...DECLINE_REASONS);

/** The command arbitraries; `deals` is the number of seeded deals (commands name them by index). */
export function commandArbitraries(deals: number): Array<fc.Arbitrary<Cmd>> {
  const deal = fc.nat({ max: Math.max(0, deals - 1) });
  return [
    fc.tuple(side, deal, fieldAndValue).map(([s, d, fv]) => new CrmEdit(s, d, fv.field, fv.value)),
    fc.tuple(side, deal, fc.constantFrom<StageMove>('accept', 'decline', 'win', 'lose', 'reopen'), reason).map(([s, d, mv, r]) => new CrmStage(s, d, mv, r)),
    fc.tuple(deal, fc.constantFrom<CoreKind>('edit', 'accept', 'decline', 'win', 'lose', 'favorite'), fieldAndValue, reason).map(([d, k, fv, r]) => new CoreAction(d, k, fv.field, fv.value, r)),
    fc.constantFrom(1, 3, 7, 14).map((days) => new AdvanceClock(days)),
    side.map((s) => new SyncRun(s)),
    side.map((s) => new SyncRun(s)),
    fc.tuple(deal, fc.boolean()).map(([d, w]) => new CloseDifferently(d, w)),
    fc.tuple(side, deal, editField).chain(([s, d, f]) => fc.tuple(valueFor[f], valueFor[f]).map(([a, b]) => new EditBothSides(s, d, f, a, b))),
    fc.tuple(fc.nat({ max: 7 }), fc.constantFrom<'crm' | 'cosell'>('crm', 'cosell')).map(([p, k]) => new ResolveConflict(p, k)),
  ];
}
