/**
 * What the merge of one linked record works on: its state, the fields it merges, and running a
 * core command for it.
 */
import type { Command } from '../core/commands';
import { COSELL_FIELDS, type CosellField, type CosellFieldSpec } from '../core/fields';
import type { Stage } from '../core/model';
import type { CrmRecord } from '../ports/connector';
import type { StoredOpportunity } from '../store/types';
import { connectorSource, plan, type RunContext, type Tx } from './context';
import type { FieldDecision, FieldPolicy } from './merge';
import { sameValue } from './values';

export type Values = Partial<Record<CosellField, unknown>>;
export interface Mapped {
  values: Values;
  wantedStage: Stage | null;
  declineReason: string | null;
}

/** Fields a CRM edit can change directly; the others move through lifecycle commands. */
export function mergeableFields(instanceFields: ReadonlyMap<CosellField, FieldPolicy>): Map<CosellField, FieldPolicy> {
  const out = new Map<CosellField, FieldPolicy>();
  for (const [field, policy] of instanceFields) {
    const spec: CosellFieldSpec = COSELL_FIELDS[field];
    if (spec.lifecycle !== true) out.set(field, policy);
  }
  return out;
}

export interface MergeState {
  stored: StoredOpportunity;
  base: Record<string, unknown>;
  held: Record<string, unknown>;
}

export interface ChangeSet {
  record: CrmRecord;
  state: MergeState;
  decisions: FieldDecision[];
  wanted: Stage | null;
}

export function heldOrBase(state: MergeState, field: string): unknown {
  return field in state.held ? state.held[field] : state.base[field];
}

export function settleBase(state: MergeState, d: FieldDecision): void {
  if (d.action === 'agree') {
    state.base[d.field] = d.value;
    delete state.held[d.field];
  }
}

export async function runCommand(tx: Tx, ctx: RunContext, state: { stored: StoredOpportunity }, command: Command): Promise<void> {
  const before = state.stored;
  state.stored = await tx.applyCommand({
    id: before.opportunity.id,
    command,
    source: connectorSource(ctx),
    now: ctx.clock.now(),
    expectedVersion: before.version,
    details: { runId: ctx.runId },
  });
  if (state.stored.version !== before.version) ctx.counters.applied += 1;
  plan(ctx, {
    target: 'cosell', action: 'command', opportunityId: before.opportunity.id, externalId: null,
    changes: command.kind === 'edit' ? { ...command.changes } : { command: command.kind },
    reason: `${command.kind} from ${ctx.instance.name}`,
  });
  if (!sameValue(before.opportunity.stage, state.stored.opportunity.stage)) {
    ctx.logger.info('stage changed from the CRM', { event: 'sync.stage', opportunityId: before.opportunity.id, from: before.opportunity.stage, to: state.stored.opportunity.stage });
  }
}

