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
import type { RunContext, Tx } from './context';
import { cosellValues, editChangesFrom, pathsOfViolation } from './cosell-values';
import type { FieldDecision } from './merge';
import { recordConflict } from './record-conflict';
import { decideStage } from './stage-decision';
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
  const wantedBase = heldOrBase(state, 'stage');
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
    if (accepting) await takeDeferred(tx, ctx, state, mapped.values, taken);
    const commands = stage.kind === 'commands' ? withAcceptChanges(stage.commands, taken, record.id, opp) : [];
    if (!(await applyEdits(tx, ctx, state, record, taken, commands, change.wanted))) return;
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
    state.held[field] = value;
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: 'refused', field,
      base: state.base[field] ?? null, crmValue: value, cosellValue: cosellValues(opp, [field as CosellField])[field],
      rule: 'R12', outcome: 'deferred-until-accept', status: 'pending',
      message: `a received referral is not edited before it is accepted; ${field} is applied on accept`,
    });
  }
}

/** On accept, the CRM values held under R12 are applied with it. */
async function takeDeferred(tx: Tx, ctx: RunContext, state: MergeState, crm: Values, taken: Values): Promise<void> {
  const pending = await tx.listConflicts({ opportunityId: state.stored.opportunity.id, status: 'pending', connector: ctx.instance.name });
  for (const conflict of pending) {
    if (conflict.rule !== 'R12') continue;
    if (conflict.field in state.held && conflict.field in crm) {
      taken[conflict.field as CosellField] = crm[conflict.field as CosellField];
      delete state.held[conflict.field];
    }
    await tx.resolveConflict(conflict.id, 'applied on accept', ctx.clock.now());
  }
}

const ACCEPT_FIELDS = ['estimatedValue', 'estimatedCloseDate', 'notes', 'crmId', 'campaignId', 'team'] as const;

/** The accept command carries what R12 lets it set; the rest of the CRM's edits follow as an edit. */
function withAcceptChanges(commands: Command[], taken: Values, crmId: string, opp: Opportunity): Command[] {
  return commands.map((c) => {
    if (c.kind !== 'accept') return c;
    const values: Values = {};
    for (const f of ACCEPT_FIELDS) if (f in taken) values[f] = taken[f];
    if (opp.crmId === null && !('crmId' in values)) values.crmId = crmId;
    const { dealName: _d, customer: _c, solutions: _s, ...changes } = editChangesFrom(opp, values);
    for (const f of ACCEPT_FIELDS) delete taken[f];
    return { ...c, changes };
  });
}

/** Returns false when the accept the CRM asked for was refused (the rest then waits, as for any received referral). */
async function applyEdits(
  tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, taken: Values, stageCommands: Command[], wanted: Stage | null,
): Promise<boolean> {
  const accept = stageCommands.find((c) => c.kind === 'accept');
  if (accept && !(await runStageCommands(tx, ctx, state, record, [accept], wanted))) {
    await deferUntilAccept(tx, ctx, state, record, taken);
    return false;
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
    delete state.held.stage;
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
