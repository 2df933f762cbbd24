/**
 * A pulled CRM record that is already linked: three-way merge per field, stage changes through the
 * core, terminal opportunities never changed (S1-S3), the link's base and held fields updated.
 */

import type { CosellField } from '../core/fields';
import { isTerminal, type Opportunity } from '../core/model';
import type { CrmRecord } from '../ports/connector';
import type { Link } from '../store/types';
import type { RunContext, Tx } from './context';
import { cosellValues } from './cosell-values';
import { mergeFields, type FieldDecision } from './merge';
import { recordConflict } from './record-conflict';
import { decideStage, normalizeWantedStage } from './stage-decision';
import { linkStatus, REASON_KEY, STATUS_KEY, statusWrites } from './status';
import { heldOrBase, mergeableFields, settleBase, type ChangeSet, type Mapped, type MergeState } from './merge-state';
import { openChanges } from './open-changes';
import { sameValue } from './values';

export async function mergeLinked(tx: Tx, ctx: RunContext, record: CrmRecord, link: Link, mapped: Mapped, crmStatus: unknown): Promise<void> {
  const stored = await tx.getOpportunity(link.opportunityId);
  if (!stored) throw new Error(`link ${ctx.instance.name}/${record.id} names opportunity ${link.opportunityId}, which is missing`);
  const fields = mergeableFields(ctx.instance.mapping.fields);
  const state: MergeState = { stored, base: { ...link.base }, held: { ...link.held } };
  const opp = stored.opportunity;
  const decisions = mergeFields({
    fields,
    base: link.base,
    crm: mapped.values,
    cosell: cosellValues(opp, fields.keys()),
    held: link.held,
    crmIsNewer: crmIsNewer(record.version, stored.updatedAt),
  });
  const conflictsBefore = ctx.counters.conflicts;
  const wanted = normalizeWantedStage(mapped.wantedStage, opp.direction);
  for (const [i, d] of decisions.entries()) if (isCrmIdEcho(d, opp)) decisions[i] = { field: d.field, action: 'agree', value: (d as { value: unknown }).value };
  if (isTerminal(opp.stage)) {
    await terminalChanges(tx, ctx, { record, state, decisions, wanted });
    if (mapped.wantedStage !== null) await terminalReason(tx, ctx, state, record, mapped.declineReason);
  } else {
    await openChanges(tx, ctx, { record, state, decisions, wanted, mapped });
    if (mapped.wantedStage !== null && !(REASON_KEY in state.held)) state.base[REASON_KEY] = mapped.declineReason;
  }
  state.base[STATUS_KEY] = crmStatus;
  const statusChange = statusWrites(ctx.instance.mapping, crmStatus, linkStatus(state.stored.opportunity, state.held));
  const pushWanted = decisions.some((d) => d.action === 'push-cosell') || ctx.counters.conflicts > conflictsBefore || Object.keys(statusChange).length > 0;
  if (pushWanted) await tx.enqueueOutbox({ connector: ctx.instance.name, opportunityId: opp.id, reason: 'merge' }, ctx.clock.now());
  await tx.saveLink({
    ...link,
    base: state.base,
    held: state.held,
    crmVersion: record.version,
    opportunityVersion: state.stored.version,
    syncedAt: ctx.clock.now().toISOString(),
  });
}

/**
 * S4: the co-sell CRM ID is the id of the first CRM record the deal was accepted or created in.
 * Another CRM's own id, or an id the accept will set (R12), is not a change to apply.
 */
function isCrmIdEcho(d: FieldDecision, opp: Opportunity): boolean {
  return d.field === 'crmId' && d.action === 'take-crm' && (opp.crmId !== null || opp.stage !== 'accepted');
}

function crmIsNewer(crmVersion: string, cosellUpdatedAt: string): boolean {
  const crm = Date.parse(crmVersion);
  return Number.isNaN(crm) ? true : crm >= Date.parse(cosellUpdatedAt);
}

/** S1: nothing from the CRM reaches a terminal opportunity; each change is a conflict, flagged or enforced. */
async function terminalChanges(tx: Tx, ctx: RunContext, change: ChangeSet): Promise<void> {
  const { state, record } = change;
  const opp = state.stored.opportunity;
  const flag = ctx.policy.terminalConflicts === 'flag';
  const outcome = flag ? 'flagged' : 'enforced';
  for (const d of change.decisions) {
    if (d.action === 'push-cosell' || d.action === 'agree') {
      settleBase(state, d);
      continue;
    }
    const crmValue = d.action === 'hold' ? d.crmValue : d.value;
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: 'terminal', field: d.field,
      base: state.base[d.field] ?? null, crmValue, cosellValue: cosellValues(opp, [d.field as CosellField])[d.field],
      rule: `S1/${ctx.policy.terminalConflicts}`, outcome, status: 'pending',
      message: `the CRM changed ${d.field} of a ${opp.stage} opportunity (R16)`,
    });
    holdOrEnforce(state, d.field, crmValue, flag);
  }
  const stage = decideStage({ current: opp.stage, direction: opp.direction, wanted: change.wanted, baseWanted: heldOrBase(state, 'stage'), dealName: opp.dealName, declineReason: null, illegalMoves: ctx.policy.illegalMoves });
  if (stage.kind === 'conflict') {
    await recordConflict(tx, ctx, {
      opportunityId: opp.id, externalId: record.id, kind: stage.conflictKind, field: 'stage',
      base: state.base.stage ?? null, crmValue: change.wanted, cosellValue: opp.stage,
      rule: `${stage.rule}/${ctx.policy.terminalConflicts}`, outcome, status: 'pending', message: stage.message,
    });
    holdOrEnforce(state, 'stage', change.wanted, flag);
  }
}

/** S1: the decline reason of a terminal deal is final too; a CRM change of it is a conflict. */
async function terminalReason(tx: Tx, ctx: RunContext, state: MergeState, record: CrmRecord, reason: string | null): Promise<void> {
  const opp = state.stored.opportunity;
  const before = heldOrBase(state, REASON_KEY) ?? null;
  if (sameValue(reason, before)) return;
  if (sameValue(reason, opp.declineReason)) {
    state.base[REASON_KEY] = reason;
    delete state.held[REASON_KEY];
    return;
  }
  const flag = ctx.policy.terminalConflicts === 'flag';
  await recordConflict(tx, ctx, {
    opportunityId: opp.id, externalId: record.id, kind: 'terminal', field: REASON_KEY, base: before, crmValue: reason,
    cosellValue: opp.declineReason, rule: `S1/${ctx.policy.terminalConflicts}`, outcome: flag ? 'flagged' : 'enforced', status: 'pending',
    message: `the CRM changed the decline reason of a ${opp.stage} opportunity (R16)`,
  });
  holdOrEnforce(state, REASON_KEY, reason, flag);
}

function holdOrEnforce(state: MergeState, field: string, crmValue: unknown, flag: boolean): void {
  if (flag) state.held[field] = crmValue;
  else state.base[field] = crmValue; // the push then writes the co-sell value over it
}
