import type { ConflictStatus, NewConflict } from '../store/types';
import { plan, saying, type RunContext, type Tx } from './context';

/** A conflict as the merge finds it: the store's record less the connector (the run's), plus a message for the log. */
export type ConflictNote = Omit<NewConflict, 'connector' | 'status'> & { status: ConflictStatus; message: string };

/** Stores a conflict with both versions, logs it and counts it. */
export async function recordConflict(tx: Tx, ctx: RunContext, note: ConflictNote): Promise<void> {
  const { message, ...conflict } = note;
  const stored = await tx.addConflict({ ...conflict, connector: ctx.instance.name }, ctx.clock.now());
  ctx.counters.conflicts += 1;
  plan(ctx, {
    target: 'cosell',
    action: 'conflict',
    opportunityId: note.opportunityId,
    externalId: note.externalId,
    changes: { [note.field]: { crm: note.crmValue, cosell: note.cosellValue } },
    reason: `${note.rule}: ${message} -> ${note.outcome}`,
  });
  const said = saying(ctx, ['conflict recorded', 'sync.conflict'], ['dry run: would record a conflict', 'sync.would_conflict']);
  ctx.logger.warn(said.message, {
    event: said.event,
    conflictId: stored.id,
    opportunityId: note.opportunityId,
    externalId: note.externalId,
    kind: note.kind,
    field: note.field,
    rule: note.rule,
    outcome: note.outcome,
    reason: message,
  });
}
