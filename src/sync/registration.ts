/**
 * R17 on the pull path: a CRM record's mapped registration fields become the won deal's
 * registration in the core. A deal that is not won yet takes it once it is won (R17 refuses it
 * before); the same registration read again changes nothing. A registration that cannot be
 * read makes the record a dead letter before the merge (pull.ts).
 */
import type { OpportunityId } from '../core/model';
import type { RegistrationRead } from '../mapping/registration';
import { connectorSource, type RunContext, type Tx } from './context';
import { sameValue } from './values';

export async function pullRegistration(tx: Tx, ctx: RunContext, opportunityId: OpportunityId, read: RegistrationRead | undefined): Promise<void> {
  if (read === undefined || !read.ok || read.value === null) return;
  const stored = await tx.getOpportunity(opportunityId);
  if (!stored || stored.opportunity.stage !== 'won') return;
  const current = stored.opportunity.dealRegistration;
  if (current !== null && sameValue({ registrationId: current.registrationId, details: current.details }, read.value)) return;
  await tx.applyCommand({
    id: opportunityId,
    command: { kind: 'registerDeal', registration: read.value },
    source: connectorSource(ctx),
    now: ctx.clock.now(),
    expectedVersion: stored.version,
    details: { runId: ctx.runId },
  });
  ctx.counters.applied += 1;
  ctx.logger.info('deal registration taken from the CRM', { event: 'sync.registered', opportunityId });
}
