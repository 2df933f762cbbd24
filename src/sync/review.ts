/**
 * What a person does with what the sync could not settle alone: resolve a conflict by keeping one
 * side, or replay a dead letter. Both run under the instance's lease (review-lease.ts).
 */
import type { Clock } from '../core/clock';
import type { CosellField } from '../core/fields';
import { isTerminal } from '../core/model';
import { isRuleViolation } from '../core/rules';
import type { Conflict, DeadLetter, StateStore } from '../store/types';
import type { RunContext } from './context';
import { editChangesFrom } from './cosell-values';
import { runCommand } from './merge/apply-plan';
import { applyRecord } from './pull';
import { pushOutbox, RESTORE_REASON } from './push';
import { decideStage, equivalentInCrm } from './merge/stage';
import type { Stage } from '../core/model';
import { DEFAULT_REVIEW_LEASE_WAIT_MS, underInstanceLease } from './review-lease';

interface ReviewDeps {
  store: StateStore;
  clock: Clock;
  context: (connector: string) => RunContext;
  /** How long to wait for a running sync of the instance before queuing the push for its next run. */
  reviewLeaseWaitMs?: number | undefined;
  /** Store only: the implied writes wait in the outbox for the daemon's next run (nothing is pushed now). */
  offline?: boolean;
}

type Outcome = { ok: boolean; message: string };

const waitOf = (deps: ReviewDeps): number => deps.reviewLeaseWaitMs ?? DEFAULT_REVIEW_LEASE_WAIT_MS;

export async function resolveConflict(deps: ReviewDeps, id: number, keep: 'crm' | 'cosell'): Promise<Outcome> {
  const { store, clock } = deps;
  const conflict = await store.getConflict(id);
  if (!conflict) return { ok: false, message: `conflict ${id} does not exist` };
  if (conflict.status !== 'pending') return { ok: false, message: `conflict ${id} is already resolved (${conflict.resolution ?? conflict.outcome})` };
  if (conflict.kind === 'deleted') return settleDelete(deps, conflict, keep);
  if (!conflict.externalId || !(await store.getLink(conflict.connector, conflict.externalId))) {
    await store.resolveConflict(id, `kept-${keep} (record no longer linked)`, clock.now());
    return { ok: true, message: `conflict ${id} closed: the CRM record is no longer linked` };
  }
  const ctx = deps.context(conflict.connector);
  const resolved = `conflict ${id} resolved: kept the ${keep === 'crm' ? 'CRM' : 'co-sell'} value of ${conflict.field}`;
  try {
    if (deps.offline === true) {
      // Store only: settle now; the daemon's next run of the instance writes the CRM.
      await settleConflict(deps, ctx, { conflict, keep });
      return { ok: true, message: `${resolved}; the daemon writes it to ${conflict.connector} at its next run` };
    }
    const leased = await underInstanceLease({ store, connector: conflict.connector, waitMs: waitOf(deps) }, async () => {
      await settleConflict(deps, ctx, { conflict, keep });
      await pushOutbox(store, ctx, false);
    });
    if (leased.held) return { ok: true, message: resolved };
    // A run holds the instance: settle in the store now (one transaction), and leave the CRM write to that run's next pass.
    await settleConflict(deps, ctx, { conflict, keep });
    return { ok: true, message: `${resolved}; a sync of ${conflict.connector} is running, so the CRM is written by its next run (queued)` };
  } catch (error) {
    if (isRuleViolation(error)) return { ok: false, message: `refused by ${error.rule}: ${error.message}` };
    if (error instanceof ReviewRefusal) return { ok: false, message: error.message };
    throw error;
  }
}

class ReviewRefusal extends Error {}

/**
 * A CRM record deleted while its deal lives on. `--keep crm` accepts the delete: the deal stays
 * unlinked and that CRM is not given it again. `--keep cosell` keeps the deal there: it is created
 * again in the CRM (now, under the instance's lease, or by the next run).
 */
async function settleDelete(deps: ReviewDeps, conflict: Conflict, keep: 'crm' | 'cosell'): Promise<Outcome> {
  const { store, clock } = deps;
  const relinked = await store.getLinkByOpportunity(conflict.connector, conflict.opportunityId);
  if (relinked !== null) {
    await store.resolveConflict(conflict.id, `kept-${keep} (linked again to ${relinked.externalId})`, clock.now());
    return { ok: true, message: `conflict ${conflict.id} closed: the deal is linked again to CRM record ${relinked.externalId}` };
  }
  if (keep === 'crm') {
    await store.resolveConflict(conflict.id, 'kept-crm (delete accepted; the deal stays unlinked)', clock.now());
    return { ok: true, message: `conflict ${conflict.id} resolved: the delete in ${conflict.connector} stands; the deal stays unlinked and is not created there again` };
  }
  await store.transaction(async (tx) => {
    await tx.resolveConflict(conflict.id, 'kept-cosell (created again in the CRM)', clock.now());
    await tx.enqueueOutbox({ connector: conflict.connector, opportunityId: conflict.opportunityId, reason: RESTORE_REASON }, clock.now());
  });
  const kept = `conflict ${conflict.id} resolved: the deal is created again in ${conflict.connector}`;
  if (deps.offline === true) return { ok: true, message: `${kept} by the daemon's next run` };
  const ctx = deps.context(conflict.connector);
  const leased = await underInstanceLease({ store, connector: conflict.connector, waitMs: waitOf(deps) }, () => pushOutbox(store, ctx, false));
  if (!leased.held) return { ok: true, message: `${kept}; a sync of ${conflict.connector} is running, so its next run creates it (queued)` };
  const link = await store.getLinkByOpportunity(conflict.connector, conflict.opportunityId);
  return { ok: true, message: link === null ? `${kept} (queued: the push did not go through yet)` : `${kept} as record ${link.externalId}` };
}

/** The store side of a resolution, in one transaction; the link is read inside it so that a run's newer base is kept. */
async function settleConflict(deps: ReviewDeps, ctx: RunContext, params: { conflict: Conflict; keep: 'crm' | 'cosell' }): Promise<void> {
  const { conflict, keep } = params;
  const { clock } = deps;
  await deps.store.transaction(async (tx) => {
    const link = conflict.externalId ? await tx.getLink(conflict.connector, conflict.externalId) : null;
    if (!link) throw new ReviewRefusal(`conflict ${conflict.id} not resolved: the CRM record was unlinked meanwhile`);
    const stored = await tx.getOpportunity(conflict.opportunityId);
    if (!stored) throw new Error(`opportunity ${conflict.opportunityId} is missing`);
    const base = { ...link.base };
    const held = { ...link.held };
    const state = { stored };
    if (keep === 'crm') {
      if (isTerminal(stored.opportunity.stage)) {
        throw new ReviewRefusal(`refused by R16: opportunity ${stored.opportunity.id} is ${stored.opportunity.stage}; a terminal opportunity never changes (use --keep cosell to set the CRM to the co-sell outcome)`);
      }
      if (conflict.field === 'stage') {
        const decision = decideStage({ current: stored.opportunity.stage, direction: stored.opportunity.direction, wanted: conflict.crmValue as Stage, baseWanted: null, dealName: stored.opportunity.dealName, declineReason: stored.opportunity.declineReason, illegalMoves: 'accept-then-apply' });
        if (decision.kind !== 'commands') throw new ReviewRefusal(`refused by ${decision.kind === 'conflict' ? decision.rule : 'R15'}: the CRM's stage ${String(conflict.crmValue)} cannot be applied`);
        for (const command of decision.commands) await runCommand(tx, ctx, state, command);
      } else {
        const changes = editChangesFrom(stored.opportunity, { [conflict.field as CosellField]: conflict.crmValue });
        await runCommand(tx, ctx, state, { kind: 'edit', changes });
      }
    }
    // The CRM's value stays the base: read back before our write lands (a stale guarded write is
    // re-read), it is then no CRM change and no new conflict, and the push writes co-sell's stage
    // because it differs from it. Where both stages look alike in the CRM (declined vs lost), no
    // base makes the push write co-sell's stage anyway.
    const alikeInCrm =
      keep === 'cosell' && conflict.field === 'stage' && typeof conflict.crmValue === 'string' &&
      equivalentInCrm((stage) => ctx.instance.mapping.toCrm({ stage }, null), conflict.crmValue as Stage, state.stored.opportunity.stage);
    base[conflict.field] = alikeInCrm ? null : conflict.crmValue;
    delete held[conflict.field];
    await tx.saveLink({ ...link, base, held, opportunityVersion: state.stored.version, syncedAt: clock.now().toISOString() });
    for (const other of await tx.listConflicts({ opportunityId: conflict.opportunityId, connector: conflict.connector, status: 'pending' })) {
      if (other.field === conflict.field) await tx.resolveConflict(other.id, `kept-${keep}`, clock.now());
    }
    await tx.enqueueOutbox({ connector: conflict.connector, opportunityId: conflict.opportunityId, reason: 'conflict-resolved' }, clock.now());
  });
}

export async function retryDeadLetter(deps: ReviewDeps, id: number): Promise<Outcome> {
  const { store, clock } = deps;
  const letter = await store.getDeadLetter(id);
  if (!letter) return { ok: false, message: `dead letter ${id} does not exist` };
  if (letter.resolvedAt !== null) return { ok: false, message: `dead letter ${id} is already resolved` };
  if (deps.offline === true) return queueDeadLetter(deps, letter);
  const ctx = deps.context(letter.connector);
  const lease = { store, connector: letter.connector, waitMs: waitOf(deps) };
  if (letter.direction === 'pull' && letter.externalId) {
    const externalId = letter.externalId;
    const leased = await underInstanceLease(lease, async () => {
      const records = await ctx.instance.connector.readRecords([externalId], ctx.instance.mapping.crmFields);
      const record = records[0];
      if (!record) {
        await store.resolveDeadLetter(id, clock.now());
        return { ok: true, message: `CRM record ${externalId} no longer exists; dead letter closed` };
      }
      await store.transaction((tx) => applyRecord(tx, ctx, record));
      return null;
    });
    if (!leased.held) {
      return { ok: false, message: `dead letter ${id} not replayed: a sync of ${letter.connector} kept the instance busy for ${waitOf(deps)} ms; try again when it ends` };
    }
    if (leased.value !== null) return leased.value;
  } else if (letter.opportunityId) {
    const opportunityId = letter.opportunityId;
    await store.enqueueOutbox({ connector: letter.connector, opportunityId, reason: 'replay' }, clock.now());
    const leased = await underInstanceLease(lease, () => pushOutbox(store, ctx, false));
    if (!leased.held) return { ok: true, message: `dead letter ${id} queued: a sync of ${letter.connector} is running; its next run pushes the record` };
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
