/**
 * A person settling what Partner Center's side could not: a Microsoft decision on a referral that
 * the co-sell rules refused (a pending stage conflict of the `partner-center` instance), or a dead
 * letter of that instance. As for a CRM instance, it runs under the instance's lease, so that it
 * never interleaves with a run of Partner Center's sync.
 *
 * `--keep crm` takes Partner Center's side (its referral is the "CRM record" of this instance):
 * the referral is read again and its stage applied through the core, a received deal accepted
 * first where Microsoft already closed it as won or lost (the reviewer confirms that it was
 * worked). `--keep cosell` keeps the co-sell stage: the conflict is closed, Microsoft's decision
 * is not applied again until the referral changes, and the deal is queued for the next push.
 */
import type { Clock, Command, Opportunity, Stage } from '../core';
import { isRuleViolation, isTerminal } from '../core';
import type { Logger } from '../log';
import type { Referral, ReferralApi } from '../ports/referral';
import type { Conflict, StateStore, StoreOps } from '../store/types';
import { DEFAULT_REVIEW_LEASE_WAIT_MS, underInstanceLease } from '../sync/review-lease';
import { commandTowards, PARTNER_CENTER_CONNECTOR, PARTNER_CENTER_SOURCE, pendingDecisions } from './inbound';
import { stageOfStatus } from './status';

export interface PartnerCenterReviewDeps {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** Partner Center's API; null with a store alone (the referral cannot be read then). */
  api: Pick<ReferralApi, 'get'> | null;
  leaseWaitMs?: number;
}

type Outcome = { ok: boolean; message: string };

class Refusal extends Error {}

/** The moves that take the deal to Partner Center's stage; a received deal is accepted first when Microsoft closed it. */
function movesTowards(opp: Opportunity, target: Stage, referral: Referral): Command[] {
  const direct = commandTowards(opp, target, referral);
  if (direct !== null) return [direct];
  if (opp.stage === 'received' && (target === 'won' || target === 'lost')) {
    const accept: Command = { kind: 'accept', dealName: opp.dealName || referral.name || opp.customer.name, changes: {} };
    const close = commandTowards({ ...opp, stage: 'accepted' }, target, referral);
    return close === null ? [] : [accept, close];
  }
  return [];
}

async function settle(tx: StoreOps, p: { conflict: Conflict; resolution: string; now: Date }): Promise<void> {
  const link = { opportunityId: p.conflict.opportunityId, externalId: p.conflict.externalId ?? '' };
  const pending = p.conflict.externalId === null ? [p.conflict] : await pendingDecisions(tx, link);
  const ids = new Set([p.conflict.id, ...pending.map((c) => c.id)]);
  for (const id of ids) await tx.resolveConflict(id, p.resolution, p.now);
}

async function keepCosell(deps: PartnerCenterReviewDeps, conflict: Conflict): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await settle(tx, { conflict, resolution: 'kept-cosell', now });
    await tx.enqueueOutbox({ connector: PARTNER_CENTER_CONNECTOR, opportunityId: conflict.opportunityId, reason: 'conflict-resolved' }, now);
  });
}

async function keepPartnerCenter(deps: PartnerCenterReviewDeps & { api: Pick<ReferralApi, 'get'> }, conflict: Conflict): Promise<string> {
  const externalId = conflict.externalId;
  if (externalId === null) throw new Refusal(`conflict ${conflict.id} names no referral to take Partner Center's stage from`);
  const referral = await deps.api.get(externalId);
  const now = deps.clock.now();
  if (referral === null) {
    await deps.store.transaction((tx) => settle(tx, { conflict, resolution: 'kept-crm (referral no longer exists)', now }));
    return `conflict ${conflict.id} closed: referral ${externalId} no longer exists in Partner Center`;
  }
  const target = stageOfStatus(referral.status, referral.substatus);
  const shown = `${String(referral.status)}/${String(referral.substatus)}`;
  if (target === null) throw new Refusal(`conflict ${conflict.id} not resolved: Partner Center's status ${shown} maps to no co-sell stage`);
  await deps.store.transaction(async (tx) => {
    const stored = await tx.getOpportunity(conflict.opportunityId);
    if (stored === null) throw new Error(`opportunity ${conflict.opportunityId} is missing`);
    const opp = stored.opportunity;
    if (opp.stage !== target) {
      if (isTerminal(opp.stage)) {
        throw new Refusal(`refused by R16: opportunity ${opp.id} is ${opp.stage}; a terminal opportunity never changes (use --keep cosell)`);
      }
      const moves = movesTowards(opp, target, referral);
      if (moves.length === 0) throw new Refusal(`refused by S3: no co-sell move leads from ${opp.stage} to Partner Center's ${shown} (${target})`);
      for (const command of moves) await tx.applyCommand({ id: opp.id, command, source: PARTNER_CENTER_SOURCE, now });
    }
    await settle(tx, { conflict, resolution: 'kept-crm', now });
  });
  return `conflict ${conflict.id} resolved: took Partner Center's ${shown}`;
}

export async function resolvePartnerCenterConflict(deps: PartnerCenterReviewDeps, id: number, keep: 'crm' | 'cosell'): Promise<Outcome> {
  const conflict = await deps.store.getConflict(id);
  if (conflict === null) return { ok: false, message: `conflict ${id} does not exist` };
  if (conflict.connector !== PARTNER_CENTER_CONNECTOR) return { ok: false, message: `conflict ${id} is not one of ${PARTNER_CENTER_CONNECTOR}` };
  if (conflict.status !== 'pending') return { ok: false, message: `conflict ${id} is already resolved (${conflict.resolution ?? conflict.outcome})` };
  const lease = { store: deps.store, connector: PARTNER_CENTER_CONNECTOR, waitMs: deps.leaseWaitMs ?? DEFAULT_REVIEW_LEASE_WAIT_MS };
  const busy = `a sync of ${PARTNER_CENTER_CONNECTOR} kept the instance busy`;
  try {
    if (keep === 'cosell') {
      const leased = await underInstanceLease(lease, () => keepCosell(deps, conflict));
      // Store only: the run holding the instance (or the next one) pushes the deal.
      if (!leased.held) await keepCosell(deps, conflict);
      const kept = `conflict ${id} resolved: kept the co-sell stage ${String(conflict.cosellValue)}`;
      return { ok: true, message: leased.held ? `${kept}; the next ${PARTNER_CENTER_CONNECTOR} run pushes the deal` : `${kept}; ${busy}, its next run pushes the deal (queued)` };
    }
    const api = deps.api;
    if (api === null) {
      return {
        ok: false,
        message: `conflict ${id} needs the referral read again from Partner Center, which this command cannot reach (--store only, or no partnerCenter section in the configuration); --keep cosell can be settled without it`,
      };
    }
    const leased = await underInstanceLease(lease, () => keepPartnerCenter({ ...deps, api }, conflict));
    if (!leased.held) return { ok: false, message: `conflict ${id} not resolved: ${busy} for ${lease.waitMs} ms; try again when it ends` };
    deps.logger.info('a Partner Center conflict was resolved', { event: 'conflict.resolved', connector: PARTNER_CENTER_CONNECTOR, opportunityId: conflict.opportunityId, externalId: conflict.externalId, keep });
    return { ok: true, message: leased.value };
  } catch (error) {
    if (isRuleViolation(error)) return { ok: false, message: `refused by ${error.rule}: ${error.message}` };
    if (error instanceof Refusal) return { ok: false, message: error.message };
    throw error;
  }
}
