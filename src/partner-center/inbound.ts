/**
 * One referral read from Partner Center (a page of the watermark read, or a webhook's fetch)
 * applied to the store. Partner Center is the authority for what Microsoft decides: an expiry,
 * a decline or a close there becomes the same move here. A referral already applied at this
 * ETag changes nothing, so duplicate and out-of-order deliveries are harmless.
 */
import { v5 as uuidV5 } from 'uuid';
import type { Command, Opportunity, OpportunityId, Stage } from '../core';
import { asOpportunityId, isRuleViolation, isTerminal, type RuleViolation } from '../core';
import type { Logger } from '../log';
import type { Referral } from '../ports/referral';
import type { ChangeSource, Conflict, Link, StoreOps } from '../store/types';
import { isMicrosoftOwned } from './engagement';
import { fromReferral, type FromReferralContext } from './from-referral';
import { stageOfStatus } from './status';
import { patchToMatch } from './to-referral';

export const PARTNER_CENTER_CONNECTOR = 'partner-center';
export const PARTNER_CENTER_SOURCE: ChangeSource = { kind: 'connector', name: PARTNER_CENTER_CONNECTOR };

export type InboundOutcome = 'received' | 'updated' | 'unchanged' | 'dead-letter' | 'conflict' | 'ignored';

export interface InboundDeps {
  store: StoreOps;
  logger: Logger;
  now: () => Date;
  context: FromReferralContext;
}

/** Namespace of the name-based ids of opportunities received from Partner Center. */
const REFERRAL_NAMESPACE = '6f1c3a52-8d0e-4c4b-9a57-3e2b1d9c7f10';

/**
 * A stable RFC 4122 version-5 id per referral: the same referral read twice (poll and webhook, or
 * two workers) is the same opportunity, and it fits the CRMs' 36-character co-sell id fields.
 */
export function opportunityIdOfReferral(referralId: string): OpportunityId {
  return asOpportunityId(uuidV5(referralId, REFERRAL_NAMESPACE));
}

/** The command that takes the opportunity from its stage to Partner Center's, or null when none is legal. */
export function commandTowards(opp: Opportunity, target: Stage, referral: Referral): Command | null {
  if (opp.stage === target || isTerminal(opp.stage)) return null;
  const reason = referral.statusReason?.trim() || 'Declined in Partner Center';
  if (opp.stage === 'received') {
    if (target === 'accepted') return { kind: 'accept', dealName: opp.dealName || referral.name || opp.customer.name, changes: {} };
    if (target === 'declined') return { kind: 'decline', reason, notes: null };
    if (target === 'expired') return { kind: 'expire' };
  }
  if (opp.stage === 'accepted') {
    if (target === 'won') return { kind: 'win', dealRegistration: null };
    if (target === 'lost') return { kind: 'lose', notes: referral.statusReason ?? null };
  }
  return null;
}

async function linkTo(deps: InboundDeps, referral: Referral, opp: { id: OpportunityId; version: number }): Promise<void> {
  const link: Link = {
    connector: PARTNER_CENTER_CONNECTOR,
    externalId: referral.id,
    opportunityId: opp.id,
    base: { status: referral.status ?? null, substatus: referral.substatus ?? null, updatedDateTime: referral.updatedDateTime ?? null },
    crmVersion: referral.eTag ?? null,
    opportunityVersion: opp.version,
    held: {},
    syncedAt: deps.now().toISOString(),
  };
  await deps.store.saveLink(link);
}

async function receive(deps: InboundDeps, referral: Referral): Promise<InboundOutcome> {
  const mapped = fromReferral(referral, deps.context);
  if (!mapped.ok) return deadLetter(deps, referral, { problems: mapped.problems, code: 'validation' });
  const { input, receivedAt, stage, unknown, defaulted } = mapped.value;
  if (unknown.length > 0) deps.logger.warn('partner center referral has values we do not know; kept as sent', { externalId: referral.id, unknown });
  if (defaulted.length > 0) deps.logger.info('partner center referral left fields empty; defaults used', { externalId: referral.id, defaulted });
  const id = opportunityIdOfReferral(referral.id);
  // R13: the expiry clock runs from Partner Center's received time, not from when we first saw it.
  const violation = await tryApplyAt(deps, { id, command: { kind: 'receiveInbound', id, input }, now: new Date(receivedAt) });
  // A referral the co-sell rules refuse (a team member without a phone: R4) is this record's problem, not the run's.
  if (violation !== null) return deadLetter(deps, referral, { problems: [`${violation.rule}: ${violation.message}`], code: violation.rule });
  const received = await deps.store.getOpportunity(id);
  if (received === null) throw new Error(`opportunity ${id} missing right after it was received`);
  let stored = received;
  const next = stage === null ? null : commandTowards(stored.opportunity, stage, referral);
  // A referral first read already moved on (say, expired by Microsoft earlier than our clock allows): a refusal is a conflict, not a failed pass.
  const refused = next === null ? null : await tryApply(deps, id, next);
  // No legal move leads there (Microsoft closed it as won or lost before it was accepted here): S3, kept as a conflict.
  const illegal = stage !== null && next === null && stage !== stored.opportunity.stage;
  if (refused !== null || illegal) {
    await deps.store.addConflict(
      {
        opportunityId: id, connector: PARTNER_CENTER_CONNECTOR, externalId: referral.id, kind: refused !== null ? 'refused' : 'illegal-transition', field: 'stage', base: null,
        crmValue: `${String(referral.status)}/${String(referral.substatus)}`, cosellValue: stored.opportunity.stage, rule: refused?.rule ?? 'S3',
        outcome: refused !== null ? `refused by the co-sell rules: ${refused.message}` : 'kept the co-sell stage; Partner Center differs',
      },
      deps.now(),
    );
    deps.logger.warn('partner center stage not applied; conflict recorded', { externalId: referral.id, opportunityId: id });
  }
  stored = (await deps.store.getOpportunity(id)) ?? stored;
  await linkTo(deps, referral, { id, version: stored.version });
  if (next !== null && refused === null) await sendBackWhatTheMoveAdded(deps, referral, stored.opportunity);
  return refused === null && !illegal ? 'received' : 'conflict';
}

/**
 * Microsoft's accept of a referral that came without a name names the deal here (R12: the customer's
 * name stands in); the next push gives the referral what the move added. The change itself came from
 * Partner Center, so the event feed would not send it back: the outbox does.
 */
async function sendBackWhatTheMoveAdded(deps: InboundDeps, referral: Referral, opp: Opportunity): Promise<void> {
  if (opp.stage !== 'accepted') return;
  let differs: boolean;
  try {
    differs = patchToMatch(referral, opp).some((op) => op.path !== '/status' && op.path !== '/substatus');
  } catch {
    differs = true; // a value the referral cannot carry: the push says which, as a dead letter
  }
  if (differs) await deps.store.enqueueOutbox({ connector: PARTNER_CENTER_CONNECTOR, opportunityId: opp.id, reason: 'accepted in Partner Center' }, deps.now());
}

async function deadLetter(deps: InboundDeps, referral: Referral, p: { problems: string[]; code: string }): Promise<InboundOutcome> {
  const reason = `referral ${referral.id} cannot be received: ${p.problems.join('; ')}`;
  await deps.store.addDeadLetter(
    { connector: PARTNER_CENTER_CONNECTOR, direction: 'pull', externalId: referral.id, opportunityId: null, reason, code: p.code, payload: { id: referral.id, problems: p.problems } },
    deps.now(),
  );
  deps.logger.warn('partner center referral dead-lettered', { externalId: referral.id, problems: p.problems });
  return 'dead-letter';
}

/** Applies a command; a refusal by the co-sell rules (e.g. R13 on a clock that disagrees) is returned, not thrown. */
async function tryApplyAt(deps: InboundDeps, p: { id: OpportunityId; command: Command; now: Date }): Promise<RuleViolation | null> {
  try {
    await deps.store.applyCommand({ id: p.id, command: p.command, source: PARTNER_CENTER_SOURCE, now: p.now });
    return null;
  } catch (error) {
    if (isRuleViolation(error)) return error;
    throw error;
  }
}

async function tryApply(deps: InboundDeps, id: OpportunityId, command: Command): Promise<RuleViolation | null> {
  return tryApplyAt(deps, { id, command, now: deps.now() });
}

export async function applyReferral(deps: InboundDeps, referral: Referral): Promise<InboundOutcome> {
  const link = await deps.store.getLink(PARTNER_CENTER_CONNECTOR, referral.id);
  // Microsoft's own referral in one of our engagements (R9's answer) is read by the engagement check, not received.
  if (link === null && isMicrosoftOwned(referral)) return 'ignored';
  if (link === null) {
    if (referral.direction === 'Outgoing') {
      deps.logger.debug('partner center outgoing referral without a link ignored', { externalId: referral.id });
      return 'ignored';
    }
    return receive(deps, referral);
  }
  // The same ETag is the same referral, unless a decision of Microsoft's on it is still pending
  // here (refused by the co-sell rules): that one is weighed again, as it may have become legal.
  const sameETag = link.crmVersion !== null && link.crmVersion === referral.eTag;
  if (sameETag && (await pendingDecisions(deps.store, link)).length === 0) return 'unchanged';
  const seenAt = typeof link.base['updatedDateTime'] === 'string' ? link.base['updatedDateTime'] : null;
  if (seenAt !== null && referral.updatedDateTime && referral.updatedDateTime < seenAt) return 'unchanged';
  const current = await deps.store.getOpportunity(link.opportunityId);
  if (current === null) return 'ignored';
  const target = stageOfStatus(referral.status, referral.substatus);
  let version = current.version;
  let outcome: InboundOutcome = 'unchanged';
  if (target !== null && target !== current.opportunity.stage) {
    const command = commandTowards(current.opportunity, target, referral);
    const refused = command === null ? null : await tryApply(deps, link.opportunityId, command);
    const crmValue = `${String(referral.status)}/${String(referral.substatus)}`;
    const notApplied = command === null || refused !== null;
    const known = notApplied && (await pendingDecisions(deps.store, link)).some((c) => c.crmValue === crmValue && c.cosellValue === current.opportunity.stage);
    if (known) {
      // Weighed again and still refused: the pending conflict already says so.
      outcome = 'unchanged';
    } else if (notApplied) {
      await deps.store.addConflict(
        {
          opportunityId: link.opportunityId,
          connector: PARTNER_CENTER_CONNECTOR,
          externalId: referral.id,
          kind: refused !== null ? 'refused' : isTerminal(current.opportunity.stage) ? 'terminal-outcome' : 'illegal-transition',
          field: 'stage',
          base: link.base['substatus'] ?? null,
          crmValue,
          cosellValue: current.opportunity.stage,
          rule: refused?.rule ?? (isTerminal(current.opportunity.stage) ? 'S2' : 'S3'),
          outcome: refused ? `refused by the co-sell rules: ${refused.message}` : 'kept the co-sell stage; Partner Center differs',
        },
        deps.now(),
      );
      deps.logger.warn('partner center stage not applied; conflict recorded', { externalId: referral.id, opportunityId: link.opportunityId });
      outcome = 'conflict';
    } else {
      const moved = await deps.store.getOpportunity(link.opportunityId);
      version = moved?.version ?? version;
      outcome = 'updated';
      if (moved) await sendBackWhatTheMoveAdded(deps, referral, moved.opportunity);
      await settleDecisions(deps, link, `applied: Partner Center's ${crmValue} became legal here`);
    }
  } else if (target !== null && sameETag) {
    // The co-sell stage reached Partner Center's by another way: nothing is left to decide.
    await settleDecisions(deps, link, `settled: the co-sell stage is now Partner Center's ${String(referral.status)}/${String(referral.substatus)}`);
  }
  if (target === null) deps.logger.warn('partner center status not known; kept as sent', { externalId: referral.id, status: referral.status, substatus: referral.substatus });
  await linkTo(deps, referral, { id: link.opportunityId, version });
  return outcome;
}

/** Microsoft's stage decisions on this referral that the co-sell rules refused and no one settled yet. */
export async function pendingDecisions(store: StoreOps, link: Pick<Link, 'opportunityId' | 'externalId'>): Promise<Conflict[]> {
  const pending = await store.listConflicts({ opportunityId: link.opportunityId, connector: PARTNER_CENTER_CONNECTOR, status: 'pending' });
  return pending.filter((c) => c.field === 'stage' && c.externalId === link.externalId);
}

async function settleDecisions(deps: InboundDeps, link: Link, resolution: string): Promise<void> {
  const pending = await pendingDecisions(deps.store, link);
  for (const conflict of pending) await deps.store.resolveConflict(conflict.id, resolution, deps.now());
  if (pending.length > 0) deps.logger.info('a pending Partner Center decision is settled', { externalId: link.externalId, opportunityId: link.opportunityId, event: 'pc.decision-settled', resolution });
}
