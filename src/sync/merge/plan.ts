/**
 * The merge of one linked CRM record, as a pure planner (architecture.md, sync protocol 1-3 and 6):
 * (link base, held fields, CRM record with its modification time, co-sell opportunity, field
 * policies, reconciliation policy, co-sell field change times) -> a plan: field decisions, core
 * commands, conflicts to record or settle, the base and held fields to save, and whether to push.
 *
 * Core commands are tried here through the core's own pure `transition`, so the plan already knows
 * which the core refuses (held and recorded) and what the opportunity becomes. The applier
 * (apply-plan.ts) runs the steps in the page's transaction and nothing else.
 */
import type { Command } from '../../core/commands';
import { COSELL_FIELDS, type CosellField, type CosellFieldSpec } from '../../core/fields';
import { isTerminal, type Opportunity, type Stage } from '../../core/model';
import { isRuleViolation } from '../../core/rules';
import { transition } from '../../core/lifecycle';
import { cosellValues, crmFacingValues, editChangesFrom, pathsOfViolation } from '../cosell-values';
import { linkStatus, REASON_KEY, STATUS_KEY, statusWrites, type StatusWanted } from '../status';
import { sameValue } from '../values';
import { mergeFields, type ChangeTimes, type FieldDecision, type FieldPolicy } from './fields';
import { decideStage, normalizeWantedStage, type IllegalMovePolicy } from './stage';

export type Values = Partial<Record<CosellField, unknown>>;

/** A CRM record's values as the mapping reads them. */
export interface Mapped {
  values: Values;
  wantedStage: Stage | null;
  declineReason: string | null;
}

/** The conflict kinds the merge records (the store's `ConflictKind`). */
export type PlanConflictKind = 'field' | 'terminal' | 'illegal-transition' | 'terminal-outcome' | 'refused';

/** A conflict to store: both values, the rule applied and the outcome, and a message for the log. */
export interface PlannedConflict {
  kind: PlanConflictKind;
  field: string;
  base: unknown;
  crmValue: unknown;
  cosellValue: unknown;
  rule: string;
  outcome: string;
  status: 'pending' | 'resolved';
  message: string;
}

/** A pending conflict of this record, as the planner needs to see it. */
export interface PendingConflict {
  id: number;
  kind: string;
  field: string;
  outcome: string;
}

export type PlanStep =
  | { kind: 'command'; command: Command }
  | { kind: 'conflict'; conflict: PlannedConflict }
  | { kind: 'resolve'; conflictId: number; resolution: string };

export interface MergeInput {
  /** The CRM record's id. */
  externalId: string;
  base: Readonly<Record<string, unknown>>;
  held: Readonly<Record<string, unknown>>;
  opportunity: Opportunity;
  crm: Mapped;
  /** The CRM's current sync-status field values. */
  crmStatus: unknown;
  /** The instance's mapped fields (lifecycle fields are left out here). */
  fields: ReadonlyMap<CosellField, FieldPolicy>;
  policy: { terminalConflicts: 'flag' | 'enforce'; illegalMoves: IllegalMovePolicy };
  times: ChangeTimes;
  /** Pending conflicts of this opportunity on this connector. */
  pending: readonly PendingConflict[];
  /** The mapping's sync-status fields for a wanted status. */
  statusFields: (status: StatusWanted) => Record<string, unknown>;
  now: Date;
}

export interface MergePlan {
  decisions: FieldDecision[];
  /** In order: core commands, conflicts to record, pending conflicts to settle. */
  steps: PlanStep[];
  base: Record<string, unknown>;
  held: Record<string, unknown>;
  /** The opportunity once the commands ran. */
  opportunity: Opportunity;
  /** Queue a push of the co-sell values (a decision, a conflict or a status the CRM must show). */
  push: boolean;
}

/** Fields a CRM edit can change directly; the others move through lifecycle commands. */
export function mergeableFields<P extends FieldPolicy>(instanceFields: ReadonlyMap<CosellField, P>): Map<CosellField, P> {
  const out = new Map<CosellField, P>();
  for (const [field, policy] of instanceFields) {
    const spec: CosellFieldSpec = COSELL_FIELDS[field];
    if (spec.lifecycle !== true) out.set(field, policy);
  }
  return out;
}

/** The planner's running state: what the commands made of the opportunity, the link, the steps so far. */
interface Sim {
  input: MergeInput;
  opp: Opportunity;
  base: Record<string, unknown>;
  held: Record<string, unknown>;
  steps: PlanStep[];
}

export function planMerge(input: MergeInput): MergePlan {
  const opp = input.opportunity;
  const sim: Sim = { input, opp, base: { ...input.base }, held: { ...input.held }, steps: [] };
  const decisions = mergeFields({
    fields: input.fields,
    base: input.base,
    crm: input.crm.values,
    // An unnamed referral shows the CRM a stand-in name (see crmFacingValues): that is no co-sell change.
    cosell: crmFacingValues(opp, input.fields.keys()),
    held: input.held,
    times: input.times,
  });
  for (const [i, d] of decisions.entries()) if (isCrmIdEcho(d, opp)) decisions[i] = { field: d.field, action: 'agree', value: (d as { value: unknown }).value };
  const wanted = normalizeWantedStage(input.crm.wantedStage, opp.direction);
  if (isTerminal(opp.stage)) {
    terminalChanges(sim, decisions, wanted);
    if (input.crm.wantedStage !== null) terminalReason(sim, input.crm.declineReason);
    settleReleased(sim);
  } else {
    openChanges(sim, decisions, wanted);
    if (input.crm.wantedStage !== null && !(REASON_KEY in sim.held)) sim.base[REASON_KEY] = input.crm.declineReason;
  }
  sim.base[STATUS_KEY] = input.crmStatus;
  const statusChange = statusWrites({ statusFields: input.statusFields }, input.crmStatus, linkStatus(sim.opp, sim.held));
  const push = decisions.some((d) => d.action === 'push-cosell') || sim.steps.some((s) => s.kind === 'conflict') || Object.keys(statusChange).length > 0;
  return { decisions, steps: sim.steps, base: sim.base, held: sim.held, opportunity: sim.opp, push };
}

/**
 * S4: the co-sell CRM ID is the id of the first CRM record the deal was accepted or created in.
 * Another CRM's own id, or an id the accept will set (R12), is not a change to apply.
 */
function isCrmIdEcho(d: FieldDecision, opp: Opportunity): boolean {
  return d.field === 'crmId' && d.action === 'take-crm' && (opp.crmId !== null || opp.stage !== 'accepted');
}

function heldOrBase(sim: Sim, field: string): unknown {
  return field in sim.held ? sim.held[field] : sim.base[field];
}

function record(sim: Sim, conflict: PlannedConflict): void {
  sim.steps.push({ kind: 'conflict', conflict });
}

function cosellValueOf(opp: Opportunity, field: string): unknown {
  return cosellValues(opp, [field as CosellField])[field];
}

/** Runs a command through the core; a refusal throws the core's RuleViolation and changes nothing. */
function run(sim: Sim, command: Command): void {
  const result = transition(sim.opp, command, sim.input.now);
  if (!result.ok) throw result.error;
  sim.opp = result.value.opportunity;
  sim.steps.push({ kind: 'command', command });
}

// ---------------------------------------------------------------------------------------------
// Terminal opportunities (S1-S3)

/** S1: nothing from the CRM reaches a terminal opportunity; each change is a conflict, flagged or enforced. */
function terminalChanges(sim: Sim, decisions: readonly FieldDecision[], wanted: Stage | null): void {
  const opp = sim.opp;
  const { terminalConflicts, illegalMoves } = sim.input.policy;
  const flag = terminalConflicts === 'flag';
  const outcome = flag ? 'flagged' : 'enforced';
  for (const d of decisions) {
    // A co-sell value the CRM has not seen yet is pushed; a CRM change is a conflict whatever the field's owner.
    if (d.action === 'push-cosell' && !d.conflict) continue;
    if (d.action === 'agree') {
      sim.base[d.field] = d.value;
      delete sim.held[d.field];
      continue;
    }
    const crmValue = d.action === 'hold' ? d.crmValue : d.action === 'push-cosell' ? (sim.input.crm.values[d.field as CosellField] ?? null) : d.value;
    record(sim, {
      kind: 'terminal', field: d.field, base: sim.base[d.field] ?? null, crmValue, cosellValue: cosellValueOf(opp, d.field),
      rule: `S1/${terminalConflicts}`, outcome, status: 'pending', message: `the CRM changed ${d.field} of a ${opp.stage} opportunity (R16)`,
    });
    holdOrEnforce(sim, d.field, crmValue, flag);
  }
  const stage = decideStage({ current: opp.stage, direction: opp.direction, wanted, baseWanted: heldOrBase(sim, 'stage'), dealName: opp.dealName, declineReason: null, illegalMoves });
  if (stage.kind === 'conflict') {
    record(sim, {
      kind: stage.conflictKind, field: 'stage', base: sim.base.stage ?? null, crmValue: wanted, cosellValue: opp.stage,
      rule: `${stage.rule}/${terminalConflicts}`, outcome, status: 'pending', message: stage.message,
    });
    holdOrEnforce(sim, 'stage', wanted, flag);
  }
}

/** S1: the decline reason of a terminal deal is final too; a CRM change of it is a conflict. */
function terminalReason(sim: Sim, reason: string | null): void {
  const opp = sim.opp;
  const before = heldOrBase(sim, REASON_KEY) ?? null;
  if (sameValue(reason, before)) return;
  if (sameValue(reason, opp.declineReason)) {
    sim.base[REASON_KEY] = reason;
    delete sim.held[REASON_KEY];
    return;
  }
  const { terminalConflicts } = sim.input.policy;
  const flag = terminalConflicts === 'flag';
  record(sim, {
    kind: 'terminal', field: REASON_KEY, base: before, crmValue: reason, cosellValue: opp.declineReason,
    rule: `S1/${terminalConflicts}`, outcome: flag ? 'flagged' : 'enforced', status: 'pending',
    message: `the CRM changed the decline reason of a ${opp.stage} opportunity (R16)`,
  });
  holdOrEnforce(sim, REASON_KEY, reason, flag);
}

/**
 * S1 flag: a CRM value held for review that the CRM itself has since put back to the co-sell value
 * is no longer held, and its pending conflict is settled (nothing is left to review).
 */
function settleReleased(sim: Sim): void {
  const recorded = new Set(sim.steps.flatMap((s) => (s.kind === 'conflict' ? [s.conflict.field] : [])));
  for (const c of sim.input.pending) {
    if (c.kind !== 'terminal' && c.kind !== 'terminal-outcome') continue;
    if (!(c.field in sim.input.held) || c.field in sim.held || recorded.has(c.field)) continue;
    sim.steps.push({ kind: 'resolve', conflictId: c.id, resolution: `settled: the CRM put ${c.field} back to the co-sell value` });
  }
}

function holdOrEnforce(sim: Sim, field: string, crmValue: unknown, flag: boolean): void {
  if (flag) sim.held[field] = crmValue;
  else {
    // The push then writes the co-sell value over it, also over a value held before the deal closed (R12).
    sim.base[field] = crmValue;
    delete sim.held[field];
  }
}

// ---------------------------------------------------------------------------------------------
// Received and accepted opportunities

const DEFERRED = 'deferred-until-accept';
const ACCEPT_FIELDS = ['estimatedValue', 'estimatedCloseDate', 'notes', 'crmId', 'campaignId', 'team'] as const;

/** A received or accepted opportunity: merge decisions, then the stage move the CRM asks for. */
function openChanges(sim: Sim, decisions: readonly FieldDecision[], wanted: Stage | null): void {
  const opp = sim.opp;
  const mapped = sim.input.crm;
  const taken: Values = {};
  for (const d of decisions) settleDecision(sim, d, taken);
  // A refused accept is tried again once the CRM changes anything else (the user may have fixed it).
  const retryAccept = opp.stage === 'received' && Object.keys(taken).length > 0;
  const wantedBase = retryAccept ? sim.base.stage : heldOrBase(sim, 'stage');
  const stage = decideStage({
    current: opp.stage, direction: opp.direction, wanted, baseWanted: wantedBase,
    dealName: acceptName(taken, opp, mapped), declineReason: mapped.declineReason, illegalMoves: sim.input.policy.illegalMoves,
  });
  if (stage.kind === 'conflict') {
    record(sim, {
      kind: stage.conflictKind, field: 'stage', base: sim.base.stage ?? null, crmValue: wanted, cosellValue: opp.stage,
      rule: stage.rule, outcome: 'flagged', status: 'pending', message: stage.message,
    });
    sim.held.stage = wanted;
  }
  const accepting = stage.kind === 'commands' && stage.commands.some((c) => c.kind === 'accept');
  if (opp.stage === 'received' && !accepting) {
    deferUntilAccept(sim, taken);
  } else {
    const deferred = accepting ? gatherDeferred(sim, mapped.values, taken) : [];
    const commands = stage.kind === 'commands' ? withAcceptChanges(stage.commands, taken, sim.input.externalId, opp) : [];
    if (!applyEdits(sim, taken, commands, wanted)) return;
    settleDeferred(sim, deferred);
  }
  if (stage.kind === 'commands') {
    const rest = stage.commands.filter((c) => c.kind !== 'accept');
    const applied = runStageCommands(sim, rest, wanted);
    if (applied && stage.reinterpreted !== undefined) {
      record(sim, {
        kind: 'illegal-transition', field: 'stage', base: sim.base.stage ?? null, crmValue: wanted, cosellValue: sim.opp.stage,
        rule: 'S3', outcome: 'recorded-as-lost', status: 'pending', message: stage.reinterpreted,
      });
    }
  } else if (wanted !== null && wanted === sim.opp.stage) {
    sim.base.stage = wanted;
    delete sim.held.stage;
  }
}

function settleDecision(sim: Sim, d: FieldDecision, taken: Values): void {
  const crm = sim.input.crm.values;
  const cosellValue = cosellValueOf(sim.opp, d.field);
  switch (d.action) {
    case 'agree':
      sim.base[d.field] = d.value;
      delete sim.held[d.field];
      return;
    case 'take-crm':
      taken[d.field as CosellField] = d.value;
      delete sim.held[d.field];
      break;
    case 'push-cosell':
      // The base becomes what the CRM holds; the push then writes the co-sell value over it.
      if (d.field in crm) sim.base[d.field] = crm[d.field as CosellField];
      break;
    case 'hold':
      sim.held[d.field] = d.crmValue;
      break;
  }
  if (d.action === 'hold' || d.conflict) {
    const owner = sim.input.fields.get(d.field as CosellField)?.owner ?? 'crm';
    const crmValue = d.action === 'hold' ? d.crmValue : d.action === 'take-crm' ? d.value : (crm[d.field as CosellField] ?? null);
    const why = d.action !== 'hold' && d.rule !== undefined && d.rule !== owner ? ` (${d.rule})` : '';
    record(sim, {
      kind: 'field', field: d.field, base: sim.base[d.field] ?? null, crmValue, cosellValue,
      rule: owner, outcome: d.action === 'hold' ? 'pending' : d.action === 'take-crm' ? 'took-crm' : 'kept-cosell',
      status: d.action === 'hold' ? 'pending' : 'resolved', message: `both sides changed ${d.field}; owner ${owner}${why}`,
    });
  }
}

/** R12: a received referral is not edited; CRM changes wait for the accept, held and recorded. */
function deferUntilAccept(sim: Sim, taken: Values): void {
  for (const [field, value] of Object.entries(taken)) {
    if (field in sim.held && sameValue(sim.held[field], value)) continue;
    sim.held[field] = value;
    record(sim, {
      kind: 'refused', field, base: sim.base[field] ?? null, crmValue: value, cosellValue: cosellValueOf(sim.opp, field),
      rule: 'R12', outcome: DEFERRED, status: 'pending',
      message: `a received referral is not edited before it is accepted; ${field} is applied on accept`,
    });
  }
}

/** On accept, the CRM values held under R12 go with it; the conflicts that held them are returned. */
function gatherDeferred(sim: Sim, crm: Values, taken: Values): PendingConflict[] {
  const deferred = sim.input.pending.filter((c) => c.kind === 'refused' && c.outcome === DEFERRED);
  for (const conflict of deferred) {
    const field = conflict.field as CosellField;
    if (field in sim.held && field in crm && !(field in taken)) taken[field] = crm[field];
  }
  return deferred;
}

/** After the accept: the held values are applied, and their conflicts settled. */
function settleDeferred(sim: Sim, deferred: readonly PendingConflict[]): void {
  for (const conflict of deferred) {
    delete sim.held[conflict.field];
    sim.steps.push({ kind: 'resolve', conflictId: conflict.id, resolution: 'applied on accept' });
  }
}

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
function applyEdits(sim: Sim, taken: Values, stageCommands: Command[], wanted: Stage | null): boolean {
  const accept = stageCommands.find((c) => c.kind === 'accept');
  if (accept) {
    if (!runStageCommands(sim, [accept], wanted)) {
      deferUntilAccept(sim, taken);
      return false;
    }
    for (const field of ACCEPT_FIELDS) {
      if (!(field in taken)) continue;
      sim.base[field] = taken[field];
      delete taken[field];
    }
  }
  const helpType = taken.microsoftHelpType;
  delete taken.microsoftHelpType;
  let pending = { ...taken };
  for (let attempt = 0; attempt < 5 && Object.keys(pending).length > 0; attempt += 1) {
    const changes = editChangesFrom(sim.opp, pending);
    try {
      run(sim, { kind: 'edit', changes });
      for (const [field, value] of Object.entries(pending)) sim.base[field] = value;
      pending = {};
    } catch (error) {
      if (!isRuleViolation(error)) throw error;
      const refused = pathsOfViolation(error, Object.keys(pending));
      const drop = refused.length > 0 ? refused : Object.keys(pending);
      for (const field of drop) {
        refuse(sim, field, pending[field as CosellField], `${error.rule}: ${error.message}`);
        delete pending[field as CosellField];
      }
    }
  }
  if (typeof helpType === 'string') inviteMicrosoftFromCrm(sim, helpType);
  return true;
}

function inviteMicrosoftFromCrm(sim: Sim, helpType: string): void {
  const opp = sim.opp;
  if (helpType === opp.microsoftHelpType) {
    sim.base.microsoftHelpType = helpType;
    return;
  }
  if (opp.microsoftHelpType !== 'none' || helpType === 'none') {
    refuse(sim, 'microsoftHelpType', helpType, 'R10: the help type asked of Microsoft cannot be changed once asked');
    return;
  }
  try {
    run(sim, { kind: 'inviteMicrosoft', helpType: helpType as Opportunity['microsoftHelpType'], notes: null });
    sim.base.microsoftHelpType = helpType;
  } catch (error) {
    if (!isRuleViolation(error)) throw error;
    refuse(sim, 'microsoftHelpType', helpType, error.message);
  }
}

function refuse(sim: Sim, field: string, value: unknown, message: string): void {
  sim.held[field] = value;
  record(sim, {
    kind: 'refused', field, base: sim.base[field] ?? null, crmValue: value, cosellValue: cosellValueOf(sim.opp, field),
    rule: message.split(':')[0] ?? 'rule', outcome: 'refused', status: 'pending', message,
  });
}

function runStageCommands(sim: Sim, commands: Command[], wanted: Stage | null): boolean {
  try {
    for (const command of commands) run(sim, command);
    sim.base.stage = wanted;
    if ('stage' in sim.held) {
      // The move the CRM asked for went through after all: its earlier refusal is settled.
      delete sim.held.stage;
      for (const c of sim.input.pending) {
        if (c.field === 'stage' && c.kind === 'illegal-transition') sim.steps.push({ kind: 'resolve', conflictId: c.id, resolution: `applied: ${String(wanted)}` });
      }
    }
    return true;
  } catch (error) {
    if (!isRuleViolation(error)) throw error;
    record(sim, {
      kind: 'illegal-transition', field: 'stage', base: sim.base.stage ?? null, crmValue: wanted, cosellValue: sim.opp.stage,
      rule: error.rule, outcome: 'refused', status: 'pending', message: error.message,
    });
    sim.held.stage = wanted;
    return false;
  }
}

/** R12: the accept names the deal: the CRM's new name, else the referral's, else the name the CRM shows. */
function acceptName(taken: Values, opp: Opportunity, mapped: Mapped): string {
  for (const name of [taken.dealName, opp.dealName, mapped.values.dealName]) if (typeof name === 'string' && name !== '') return name;
  return '';
}
