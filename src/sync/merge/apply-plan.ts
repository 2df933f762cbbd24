/**
 * The thin applier of a merge plan: it gathers what the planner reads (opportunity, pending
 * conflicts, co-sell field change times), runs the planner, and carries out its steps inside the
 * page's transaction. It decides nothing.
 */
import type { Command } from '../../core/commands';
import type { CosellField } from '../../core/fields';
import type { CrmRecord } from '../../ports/connector';
import type { Link, OpportunityEvent, StoredOpportunity } from '../../store/types';
import { connectorSource, plan, saying, type RunContext, type Tx } from '../context';
import { recordConflict } from '../record-conflict';
import { sameValue } from '../values';
import { cosellValues } from '../cosell-values';
import { mergeableFields, planMerge, type Mapped, type MergePlan } from './plan';

export async function mergeLinked(tx: Tx, ctx: RunContext, record: CrmRecord, link: Link, mapped: Mapped, crmStatus: unknown): Promise<MergePlan> {
  const stored = await tx.getOpportunity(link.opportunityId);
  if (!stored) throw new Error(`link ${ctx.instance.name}/${record.id} names opportunity ${link.opportunityId}, which is missing`);
  const fields = mergeableFields(ctx.instance.mapping.fields);
  const now = ctx.clock.now();
  const pending = await tx.listConflicts({ opportunityId: stored.opportunity.id, connector: ctx.instance.name, status: 'pending' });
  const usesLatest = [...fields.values()].some((p) => p.owner === 'latest');
  const cosellChangedAt = usesLatest ? fieldChangeTimes(await tx.listEvents(stored.opportunity.id), fields.keys()) : {};
  const planned = planMerge({
    externalId: record.id,
    base: link.base,
    held: link.held,
    opportunity: stored.opportunity,
    crm: mapped,
    crmStatus,
    fields,
    policy: ctx.policy,
    times: { crmModifiedAt: record.modifiedAt ?? null, cosellChangedAt },
    pending,
    statusFields: (status) => ctx.instance.mapping.statusFields(status),
    now,
  });
  const state = { stored };
  for (const step of planned.steps) {
    if (step.kind === 'command') await runCommand(tx, ctx, state, step.command, now);
    else if (step.kind === 'resolve') await tx.resolveConflict(step.conflictId, step.resolution, now);
    else await recordConflict(tx, ctx, { ...step.conflict, opportunityId: stored.opportunity.id, externalId: record.id });
  }
  if (planned.push) await tx.enqueueOutbox({ connector: ctx.instance.name, opportunityId: stored.opportunity.id, reason: 'merge' }, now);
  await tx.saveLink({
    ...link,
    base: planned.base,
    held: planned.held,
    crmVersion: record.version,
    opportunityVersion: state.stored.version,
    syncedAt: now.toISOString(),
  });
  return planned;
}

/** When each mapped field last changed in co-sell: the time of the last event whose before and after differ on it. */
export function fieldChangeTimes(events: readonly OpportunityEvent[], fields: Iterable<CosellField>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const field of fields) {
    out[field] = null;
    for (const event of events) {
      const before = event.before === null ? null : cosellValues(event.before, [field])[field];
      const after = cosellValues(event.after, [field])[field];
      if (event.before === null || !sameValue(before, after)) out[field] = event.at;
    }
  }
  return out;
}

/** Runs one core command in the transaction, counted and logged. */
export async function runCommand(tx: Tx, ctx: RunContext, state: { stored: StoredOpportunity }, command: Command, now: Date = ctx.clock.now()): Promise<void> {
  const before = state.stored;
  state.stored = await tx.applyCommand({
    id: before.opportunity.id,
    command,
    source: connectorSource(ctx),
    now,
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
    const said = saying(ctx, ['stage changed from the CRM', 'sync.stage'], ['dry run: would change the stage from the CRM', 'sync.would_stage']);
    ctx.logger.info(said.message, { event: said.event, opportunityId: before.opportunity.id, from: before.opportunity.stage, to: state.stored.opportunity.stage });
  }
}
