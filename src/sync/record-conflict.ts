import type { OpportunityId } from '../core/model';
import type { ConflictKind, ConflictStatus } from '../store/types';
import { plan, type RunContext, type Tx } from './context';

export interface ConflictNote {
  opportunityId: OpportunityId;
  externalId: string | null;
  kind: ConflictKind;
  field: string;
  base: unknown;
  crmValue: unknown;
  cosellValue: unknown;
  rule: string;
  outcome: string;
  status: ConflictStatus;
  message: string;
}

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
  ctx.logger.warn('conflict recorded', {
    event: 'sync.conflict',
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
