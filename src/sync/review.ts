/**
 * What a person does with what the sync could not settle alone: resolve a conflict by keeping one
 * side, or replay a dead letter.
 */
import type { Clock } from '../core/clock';
import type { CosellField } from '../core/fields';
import { isTerminal } from '../core/model';
import { isRuleViolation } from '../core/rules';
import type { DeadLetter, StateStore } from '../store/types';
import type { RunContext } from './context';
import { editChangesFrom } from './cosell-values';
import { runCommand } from './merge-state';
import { applyRecord } from './pull';
import { pushOutbox } from './push';
import { decideStage } from './stage-decision';
import type { Stage } from '../core/model';

interface ReviewDeps {
  store: StateStore;
  clock: Clock;
  context: (connector: string) => RunContext;
  /** Store only: the implied writes wait in the outbox for the daemon's next run (nothing is pushed now). */
  offline?: boolean;
}

type Outcome = { ok: boolean; message: string };

export async function resolveConflict(deps: ReviewDeps, id: number, keep: 'crm' | 'cosell'): Promise<Outcome> {
  const { store, clock } = deps;
  const conflict = await store.getConflict(id);
  if (!conflict) return { ok: false, message: `conflict ${id} does not exist` };
  if (conflict.status !== 'pending') return { ok: false, message: `conflict ${id} is already resolved (${conflict.resolution ?? conflict.outcome})` };
  const link = conflict.externalId ? await store.getLink(conflict.connector, conflict.externalId) : null;
  if (!link) {
    await store.resolveConflict(id, `kept-${keep} (record no longer linked)`, clock.now());
    return { ok: true, message: `conflict ${id} closed: the CRM record is no longer linked` };
  }
  const ctx = deps.context(conflict.connector);
  try {
    await store.transaction(async (tx) => {
      const stored = await tx.getOpportunity(conflict.opportunityId);
      if (!stored) throw new Error(`opportunity ${conflict.opportunityId} is missing`);
      const base = { ...link.base };
      const held = { ...link.held };
      const state = { stored };
      if (keep === 'crm') {
        if (isTerminal(stored.opportunity.stage)) {
          throw new Error(`refused by R16: opportunity ${stored.opportunity.id} is ${stored.opportunity.stage}; a terminal opportunity never changes (use --keep cosell to set the CRM to the co-sell outcome)`);
        }
        if (conflict.field === 'stage') {
          const decision = decideStage({ current: stored.opportunity.stage, direction: stored.opportunity.direction, wanted: conflict.crmValue as Stage, baseWanted: null, dealName: stored.opportunity.dealName, declineReason: stored.opportunity.declineReason, illegalMoves: 'accept-then-apply' });
          if (decision.kind !== 'commands') throw new Error(`refused by ${decision.kind === 'conflict' ? decision.rule : 'R15'}: the CRM's stage ${String(conflict.crmValue)} cannot be applied`);
          for (const command of decision.commands) await runCommand(tx, ctx, state, command);
        } else {
          const changes = editChangesFrom(stored.opportunity, { [conflict.field as CosellField]: conflict.crmValue });
          await runCommand(tx, ctx, state, { kind: 'edit', changes });
        }
      }
      // Keeping co-sell's stage writes it even where the CRM shows an alike one (declined vs lost).
      base[conflict.field] = keep === 'cosell' && conflict.field === 'stage' ? null : conflict.crmValue;
      delete held[conflict.field];
      await tx.saveLink({ ...link, base, held, opportunityVersion: state.stored.version, syncedAt: clock.now().toISOString() });
      for (const other of await tx.listConflicts({ opportunityId: conflict.opportunityId, connector: conflict.connector, status: 'pending' })) {
        if (other.field === conflict.field) await tx.resolveConflict(other.id, `kept-${keep}`, clock.now());
      }
      await tx.enqueueOutbox({ connector: conflict.connector, opportunityId: conflict.opportunityId, reason: 'conflict-resolved' }, clock.now());
    });
  } catch (error) {
    if (isRuleViolation(error)) return { ok: false, message: `refused by ${error.rule}: ${error.message}` };
    if (error instanceof Error && error.message.startsWith('refused by')) return { ok: false, message: error.message };
    throw error;
  }
  const kept = `conflict ${id} resolved: kept the ${keep === 'crm' ? 'CRM' : 'co-sell'} value of ${conflict.field}`;
  if (deps.offline === true) return { ok: true, message: `${kept}; the daemon writes it to ${conflict.connector} at its next run` };
  await pushOutbox(store, ctx, false);
  return { ok: true, message: kept };
}

export async function retryDeadLetter(deps: ReviewDeps, id: number): Promise<Outcome> {
  const { store, clock } = deps;
  const letter = await store.getDeadLetter(id);
  if (!letter) return { ok: false, message: `dead letter ${id} does not exist` };
  if (letter.resolvedAt !== null) return { ok: false, message: `dead letter ${id} is already resolved` };
  if (deps.offline === true) return queueDeadLetter(deps, letter);
  const ctx = deps.context(letter.connector);
  if (letter.direction === 'pull' && letter.externalId) {
    const records = await ctx.instance.connector.readRecords([letter.externalId], ctx.instance.mapping.crmFields);
    const record = records[0];
    if (!record) {
      await store.resolveDeadLetter(id, clock.now());
      return { ok: true, message: `CRM record ${letter.externalId} no longer exists; dead letter closed` };
    }
    await store.transaction((tx) => applyRecord(tx, ctx, record));
  } else if (letter.opportunityId) {
    await store.enqueueOutbox({ connector: letter.connector, opportunityId: letter.opportunityId, reason: 'replay' }, clock.now());
    await pushOutbox(store, ctx, false);
  }
  const after = await store.getDeadLetter(id);
  return after?.resolvedAt
    ? { ok: true, message: `dead letter ${id} replayed: the record synced` }
    : { ok: false, message: `dead letter ${id} replayed but still fails: ${after?.reason ?? letter.reason}` };
}

/** Store only: a push is queued for the daemon's next run; a pull needs the CRM record read again. */
async function queueDeadLetter(deps: ReviewDeps, letter: DeadLetter): Promise<Outcome> {
  if (letter.direction === 'pull' || !letter.opportunityId) {
    return { ok: false, message: `dead letter ${letter.id} needs the CRM record read again from ${letter.connector}: give --config (not --store only)` };
  }
  await deps.store.enqueueOutbox({ connector: letter.connector, opportunityId: letter.opportunityId, reason: 'replay' }, deps.clock.now());
  return { ok: true, message: `dead letter ${letter.id} queued: the daemon pushes it to ${letter.connector} at its next run` };
}
