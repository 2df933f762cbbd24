/**
 * CRM changes to a received or accepted opportunity: field decisions applied through the core
 * (edits refused by a rule are held and recorded), received referrals waiting for their accept
 * (R12), and the stage move the CRM asks for.
 */
import type { Command } from '../core/commands';
import type { CosellField } from '../core/fields';
import type { Opportunity, Stage } from '../core/model';
import { isRuleViolation } from '../core/rules';
import type { CrmRecord } from '../ports/connector';
import type { Conflict } from '../store/types';
import type { RunContext, Tx } from './context';
import { cosellValues, editChangesFrom, pathsOfViolation } from './cosell-values';
import type { FieldDecision } from './merge';
import { recordConflict } from './record-conflict';
import { decideStage } from './stage-decision';
import { sameValue } from './values';
import { heldOrBase, runCommand, settleBase, type ChangeSet, type Mapped, type MergeState, type Values } from './merge-state';

export interface OpenChangeSet extends ChangeSet {
  mapped: Mapped;
}

/** A received or accepted opportunity: merge decisions, then the stage move the CRM asks for. */
export async function openChanges(tx: Tx, ctx: RunContext, change: OpenChangeSet): Promise<void> {
  const { state, record, mapped } = change;
  const opp = state.stored.opportunity;
  const taken: Values = {};
  for (const d of change.decisions) await settleDecision(tx, ctx, state, record, d, taken, mapped.values);
  // A refused accept is tried again once the CRM changes anything else (the user may have fixed it).
  const retryAccept = opp.stage === 'received' && Object.keys(taken).length > 0;
  const wantedBase = retryAccept ? state.base.stage : heldOrBase(state, 'stage');
  const stage = decideStage({
    current: opp.stage, direction: opp.direction, wanted: change.wanted, baseWanted: wantedBase,
    dealName: acceptName(taken, opp, mapped),
    declineReason: mapped.declineReason, illegalMoves: ctx.policy.illegalMoves,
  });
  if (stage.kind === 'conflict') {
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: stage.conflictKind, field: 'stage',
      base: state.base.stage ?? null, crmValue: change.wanted, cosellValue: opp.stage,
      rule: stage.rule, outcome: 'flagged', status: 'pending', message: stage.message,
    });
    state.held.stage = change.wanted;
  }
  const accepting = stage.kind === 'commands' && stage.commands.some((c) => c.kind === 'accept');
  if (opp.stage === 'received' && !accepting) {
    await deferUntilAccept(tx, ctx, state, record, taken);
  } else {
    const deferred = accepting ? await gatherDeferred(tx, ctx, state, mapped.values, taken) : [];
    const commands = stage.kind === 'commands' ? withAcceptChanges(stage.commands, taken, record.id, opp) : [];
    if (!(await applyEdits(tx, ctx, state, record, taken, commands, change.wanted))) return;
    await settleDeferred(tx, ctx, state, deferred);
  }
  if (stage.kind === 'commands' || (change.wanted !== null && change.wanted === state.stored.opportunity.stage)) {
    if (stage.kind === 'commands') {
      const rest = stage.commands.filter((c) => c.kind !== 'accept');
      const applied = await runStageCommands(tx, ctx, state, record, rest, change.wanted);
      if (applied && stage.reinterpreted !== undefined) {
        await recordConflict(tx, ctx, {
          opportunityId: opp.id, externalId: record.id, kind: 'illegal-transition', field: 'stage', base: state.base.stage ?? null,
          crmValue: change.wanted, cosellValue: state.stored.opportunity.stage, rule: 'S3', outcome: 'recorded-as-lost', status: 'pending',
          message: stage.reinterpreted,
        });
      }
    }
    else {
      state.base.stage = change.wanted;
      delete state.held.stage;
    }
  }
}

async function settleDecision(tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, d: FieldDecision, taken: Values, crm: Values): Promise<void> {
  const opp = state.stored.opportunity;
  const cosellValue = cosellValues(opp, [d.field as CosellField])[d.field];
  switch (d.action) {
    case 'agree':
      settleBase(state, d);
      return;
    case 'take-crm':
      taken[d.field as CosellField] = d.value;
      delete state.held[d.field];
      break;
    case 'push-cosell':
      // The base becomes what the CRM holds; the push then writes the co-sell value over it.
      if (d.field in crm) state.base[d.field] = crm[d.field as CosellField];
      break;
    case 'hold':
      state.held[d.field] = d.crmValue;
      break;
  }
  if (d.action === 'hold' || d.conflict) {
    const owner = ctx.instance.mapping.fields.get(d.field as CosellField)?.owner ?? 'crm';
    const crmValue = d.action === 'hold' ? d.crmValue : d.action === 'take-crm' ? d.value : null;
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: 'field', field: d.field,
      base: state.base[d.field] ?? null, crmValue: d.action === 'push-cosell' ? (crm[d.field as CosellField] ?? null) : crmValue, cosellValue,
      rule: owner, outcome: d.action === 'hold' ? 'pending' : d.action === 'take-crm' ? 'took-crm' : 'kept-cosell',
      status: d.action === 'hold' ? 'pending' : 'resolved',
      message: `both sides changed ${d.field}; owner ${owner}`,
    });
  }
}

/** R12: a received referral is not edited; CRM changes wait for the accept, held and recorded. */
async function deferUntilAccept(tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, taken: Values): Promise<void> {
  const opp = state.stored.opportunity;
  for (const [field, value] of Object.entries(taken)) {
    if (field in state.held && sameValue(state.held[field], value)) continue;
    state.held[field] = value;
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: 'refused', field,
      base: state.base[field] ?? null, crmValue: value, cosellValue: cosellValues(opp, [field as CosellField])[field],
      rule: 'R12', outcome: DEFERRED, status: 'pending',
      message: `a received referral is not edited before it is accepted; ${field} is applied on accept`,
    });
  }
}

/** On accept, the CRM values held under R12 go with it; the conflicts that held them are returned. */
async function gatherDeferred(tx: Tx, ctx: RunContext, state: MergeState, crm: Values, taken: Values): Promise<Conflict[]> {
  const pending = await tx.listConflicts({ opportunityId: state.stored.opportunity.id, status: 'pending', connector: ctx.instance.name });
  const deferred = pending.filter((c) => c.kind === 'refused' && c.outcome === DEFERRED);
  for (const conflict of deferred) {
    const field = conflict.field as CosellField;
    if (field in state.held && field in crm && !(field in taken)) taken[field] = crm[field];
  }
  return deferred;
}

/** After the accept: the held values are applied, and their conflicts settled. */
async function settleDeferred(tx: Tx, ctx: RunContext, state: MergeState, deferred: readonly Conflict[]): Promise<void> {
  for (const conflict of deferred) {
    delete state.held[conflict.field];
    await tx.resolveConflict(conflict.id, 'applied on accept', ctx.clock.now());
  }
}

const DEFERRED = 'deferred-until-accept';
const ACCEPT_FIELDS = ['estimatedValue', 'estimatedCloseDate', 'notes', 'crmId', 'campaignId', 'team'] as const;

/** The accept command carries what R12 lets it set; the rest of the CRM's edits follow as an edit. */
function withAcceptChanges(commands: Command[], taken: Values, crmId: string, opp: Opportunity): Command[] {
  return commands.map((c) => {
    if (c.kind !== 'accept') return c;
    const values: Values = {};
    for (const f of ACCEPT_FIELDS) if (f in taken) values[f] = taken[f];
    if (opp.crmId === null && !('crmId' in values)) values.crmId = crmId;
    const { dealName: _d, customer: _c, solutions: _s, ...changes } = editChangesFrom(opp, values);
    return { ...c, changes };
  });
}

/** Returns false when the accept the CRM asked for was refused (the rest then waits, as for any received referral). */
async function applyEdits(
  tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, taken: Values, stageCommands: Command[], wanted: Stage | null,
): Promise<boolean> {
  const accept = stageCommands.find((c) => c.kind === 'accept');
  if (accept) {
    if (!(await runStageCommands(tx, ctx, state, record, [accept], wanted))) {
      await deferUntilAccept(tx, ctx, state, record, taken);
      return false;
    }
    for (const field of ACCEPT_FIELDS) {
      if (!(field in taken)) continue;
      state.base[field] = taken[field];
      delete taken[field];
    }
  }
  const helpType = taken.microsoftHelpType;
  delete taken.microsoftHelpType;
  let pending = { ...taken };
  for (let attempt = 0; attempt < 5 && Object.keys(pending).length > 0; attempt += 1) {
    const changes = editChangesFrom(state.stored.opportunity, pending);
    try {
      await runCommand(tx, ctx, state, { kind: 'edit', changes });
      for (const [field, value] of Object.entries(pending)) state.base[field] = value;
      pending = {};
    } catch (error) {
      if (!isRuleViolation(error)) throw error;
      const refused = pathsOfViolation(error, Object.keys(pending));
      const drop = refused.length > 0 ? refused : Object.keys(pending);
      for (const field of drop) {
        await refuse(tx, ctx, state, record, field, pending[field as CosellField], `${error.rule}: ${error.message}`);
        delete pending[field as CosellField];
      }
    }
  }
  if (typeof helpType === 'string') await inviteMicrosoftFromCrm(tx, ctx, state, record, helpType);
  return true;
}

async function inviteMicrosoftFromCrm(tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, helpType: string): Promise<void> {
  const opp = state.stored.opportunity;
  if (helpType === opp.microsoftHelpType) {
    state.base.microsoftHelpType = helpType;
    return;
  }
  try {
    if (opp.microsoftHelpType !== 'none' || helpType === 'none') throw new Error('R10: the help type asked of Microsoft cannot be changed once asked');
    await runCommand(tx, ctx, state, { kind: 'inviteMicrosoft', helpType: helpType as Opportunity['microsoftHelpType'], notes: null });
    state.base.microsoftHelpType = helpType;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    if (!isRuleViolation(error) && !error.message.startsWith('R10')) throw error;
    await refuse(tx, ctx, state, record, 'microsoftHelpType', helpType, error.message);
  }
}

async function refuse(tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, field: string, value: unknown, message: string): Promise<void> {
  const opp = state.stored.opportunity;
  state.held[field] = value;
  await recordConflict(tx, ctx, {
    opportunityId: opp.id, externalId: record.id, kind: 'refused', field,
    base: state.base[field] ?? null, crmValue: value, cosellValue: cosellValues(opp, [field as CosellField])[field],
    rule: message.split(':')[0] ?? 'rule', outcome: 'refused', status: 'pending', message,
  });
}

async function runStageCommands(tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, commands: Command[], wanted: Stage | null): Promise<boolean> {
  try {
    for (const command of commands) await runCommand(tx, ctx, state, command);
    state.base.stage = wanted;
    if ('stage' in state.held) {
      // The move the CRM asked for went through after all: its earlier refusal is settled.
      delete state.held.stage;
      const pending = await tx.listConflicts({ opportunityId: state.stored.opportunity.id, connector: ctx.instance.name, status: 'pending' });
      for (const c of pending) if (c.field === 'stage' && c.kind === 'illegal-transition') await tx.resolveConflict(c.id, `applied: ${String(wanted)}`, ctx.clock.now());
    }
    return true;
  } catch (error) {
    if (!isRuleViolation(error)) throw error;
    const opp = state.stored.opportunity;
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: 'illegal-transition', field: 'stage',
      base: state.base.stage ?? null, crmValue: wanted, cosellValue: opp.stage,
      rule: error.rule, outcome: 'refused', status: 'pending', message: error.message,
    });
    state.held.stage = wanted;
    return false;
  }
}

/** R12: the accept names the deal: the CRM's new name, else the referral's, else the name the CRM shows. */
function acceptName(taken: Values, opp: Opportunity, mapped: Mapped): string {
  for (const name of [taken.dealName, opp.dealName, mapped.values.dealName]) if (typeof name === 'string' && name !== '') return name;
  return '';
}
