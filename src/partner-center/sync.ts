/**
 * The Partner Center side of a sync pass. Pull: referrals changed since the watermark, oldest
 * first, page by page (`@odata.nextLink`), the watermark stored after each page; the read starts a
 * little before the watermark so a referral written while a page was read is not missed, and
 * ETags make the overlap free. Push: every opportunity changed by someone other than Partner
 * Center since the last pass, in event order.
 */
import type { Clock, OpportunityId } from '../core';
import { coerceError } from '../errors';
import { outboxRetryDelayMs } from '../retry';
import type { Logger } from '../log';
import type { Referral, ReferralApi } from '../ports/referral';
import type { StateStore } from '../store/types';
import { isRuleViolation, isTerminal } from '../core';
import type { FromReferralContext } from './from-referral';
import type { PartnerCheck } from './partner-check';
import { referralFilter } from './filter';
import { microsoftAnswer, type MicrosoftAnswer } from './engagement';
import { applyReferral, PARTNER_CENTER_CONNECTOR, PARTNER_CENTER_SOURCE, type InboundOutcome } from './inbound';
import { pushOpportunity, type OutboundOutcome } from './outbound';

export const WATERMARK_CURSOR = `${PARTNER_CENTER_CONNECTOR}:watermark`;
export const EVENTS_CURSOR = `${PARTNER_CENTER_CONNECTOR}:events`;

export interface PartnerCenterSyncOptions {
  api: ReferralApi;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  context: FromReferralContext;
  /** Re-read this much before the watermark (ms). */
  overlapMs?: number;
  /** R8 partner lookup (cached); without it invitations are sent unchecked. */
  partners?: PartnerCheck;
}

export interface PullReport {
  read: number;
  outcomes: Partial<Record<InboundOutcome, number>>;
  watermark: string | null;
}

export interface PushReport {
  outcomes: Partial<Record<OutboundOutcome | 'failed', number>>;
}

const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export function createPartnerCenterSync(options: PartnerCenterSyncOptions) {
  const logger = options.logger.child({ module: 'partner-center-sync' });
  const deps = {
    api: options.api,
    store: options.store,
    logger,
    now: () => options.clock.now(),
    context: options.context,
    ...(options.partners ? { partners: options.partners } : {}),
  };

  async function pull(signal?: AbortSignal): Promise<PullReport> {
    const saved = (await options.store.getCursor(WATERMARK_CURSOR))?.cursor ?? null;
    const from = saved === null ? null : new Date(Date.parse(saved) - (options.overlapMs ?? 60_000)).toISOString();
    const report: PullReport = { read: 0, outcomes: {}, watermark: saved };
    const filter = from === null ? undefined : referralFilter([{ field: 'updatedDateTime', op: 'ge', value: from }]);
    for await (const page of options.api.list({ ...(filter ? { filter } : {}), orderBy: 'updatedDateTime asc', ...(signal ? { signal } : {}) })) {
      for (const referral of page.referrals) {
        report.read++;
        bump(report.outcomes, await applyReferral(deps, referral));
        const at = referral.updatedDateTime ?? null;
        if (at !== null && (report.watermark === null || at > report.watermark)) report.watermark = at;
      }
      if (report.watermark !== null) await options.store.setCursor(WATERMARK_CURSOR, report.watermark, options.clock.now());
      // A stop ends the read at this page boundary: the watermark covers what was applied.
      if (signal?.aborted === true) break;
    }
    return report;
  }

  /** One referral, fetched by id (a webhook's pointer). */
  async function pullOne(referralId: string): Promise<InboundOutcome | 'missing'> {
    const referral = await options.api.get(referralId);
    return referral === null ? 'missing' : applyReferral(deps, referral);
  }

  /**
   * Microsoft's decisions the co-sell rules refused and no one settled yet (pending stage
   * conflicts): each referral is read again and weighed, so that a decision that became legal here
   * (the deal accepted meanwhile, R13's 14 days passed) applies without waiting for Microsoft to
   * change the referral again. A deal already closed here can take none: it is not read.
   */
  async function recheck(signal?: AbortSignal): Promise<Partial<Record<InboundOutcome | 'missing', number>>> {
    const counts: Partial<Record<InboundOutcome | 'missing', number>> = {};
    const pending = await options.store.listConflicts({ connector: PARTNER_CENTER_CONNECTOR, status: 'pending' });
    const seen = new Set<string>();
    for (const conflict of pending) {
      if (signal?.aborted === true) break;
      if (conflict.field !== 'stage' || conflict.externalId === null || seen.has(conflict.externalId)) continue;
      seen.add(conflict.externalId);
      const stored = await options.store.getOpportunity(conflict.opportunityId);
      if (stored === null || isTerminal(stored.opportunity.stage)) continue;
      bump(counts, await pullOne(conflict.externalId));
    }
    return counts;
  }

  /** One opportunity; a failure is dead-lettered and queued for another attempt, never dropped. */
  async function pushOne(id: OpportunityId, report: PushReport): Promise<boolean> {
    const stored = await options.store.getOpportunity(id);
    if (stored === null) return true;
    try {
      bump(report.outcomes, await pushOpportunity(deps, stored.opportunity, stored.version));
      await options.store.resolveDeadLettersFor({ connector: PARTNER_CENTER_CONNECTOR, opportunityId: id }, options.clock.now());
      return true;
    } catch (error) {
      const err = coerceError(error);
      bump(report.outcomes, 'failed');
      logger.warn('partner center push failed', { opportunityId: id, err });
      const code = (error as { code?: unknown }).code;
      await options.store.addDeadLetter(
        {
          connector: PARTNER_CENTER_CONNECTOR,
          direction: 'push',
          externalId: null,
          opportunityId: id,
          reason: err.message,
          code: typeof code === 'string' ? code : isRuleViolation(error) ? error.rule : null,
          payload: null,
        },
        options.clock.now(),
      );
      return false;
    }
  }

  /** A stop (`signal`) ends the pass at the next batch of events: what was pushed stays recorded. */
  async function push(signal?: AbortSignal): Promise<PushReport> {
    const report: PushReport = { outcomes: {} };
    // Earlier failures first.
    for (const entry of await options.store.dueOutbox(PARTNER_CENTER_CONNECTOR, options.clock.now(), 200)) {
      if (await pushOne(entry.opportunityId, report)) await options.store.completeOutbox([entry.id]);
      else await options.store.retryOutboxLater(entry.id, new Date(options.clock.now().getTime() + outboxRetryDelayMs(entry.attempts + 1)));
    }
    let after = Number((await options.store.getCursor(EVENTS_CURSOR))?.cursor ?? 0);
    while (signal?.aborted !== true) {
      const events = await options.store.eventsSince(after, 200);
      if (events.length === 0) break;
      const ids = [...new Set(events.filter((e) => !(e.source.kind === 'connector' && e.source.name === PARTNER_CENTER_CONNECTOR)).map((e) => e.opportunityId))];
      for (const id of ids) {
        if (!(await pushOne(id, report))) await options.store.enqueueOutbox({ connector: PARTNER_CENTER_CONNECTOR, opportunityId: id, reason: 'push failed' }, options.clock.now());
      }
      after = events[events.length - 1]?.seq ?? after;
      await options.store.setCursor(EVENTS_CURSOR, String(after), options.clock.now());
    }
    return report;
  }

  /**
   * R9: for each deal of ours waiting on Microsoft sellers, reads Microsoft's referral in its
   * engagement and records their answer (engaged, declined, lapsed) on the invitation.
   */
  async function engagements(): Promise<Partial<Record<MicrosoftAnswer, number>>> {
    const counts: Partial<Record<MicrosoftAnswer, number>> = {};
    for (const link of await options.store.listLinks({ connector: PARTNER_CENTER_CONNECTOR })) {
      const stored = await options.store.getOpportunity(link.opportunityId);
      const opp = stored?.opportunity;
      const invitation = opp?.invitations.find((i) => i.invitee.kind === 'microsoft');
      if (!opp || opp.direction !== 'outbound' || isTerminal(opp.stage) || invitation?.status !== 'pending') continue;
      const ours = await options.api.get(link.externalId);
      if (!ours?.engagementId) continue;
      const related: Referral[] = [];
      for await (const page of options.api.list({ filter: referralFilter([{ field: 'engagementId', op: 'eq', value: ours.engagementId }]) })) related.push(...page.referrals);
      const answer = microsoftAnswer(invitation, related.filter((r) => r.id !== ours.id), options.clock.now());
      if (answer === null) continue;
      await options.store.applyCommand({ id: opp.id, command: { kind: 'microsoftResponse', status: answer }, source: PARTNER_CENTER_SOURCE, now: options.clock.now() });
      logger.info('microsoft sellers answered a co-sell invitation', { opportunityId: opp.id, externalId: ours.id, event: 'r9.answer', answer });
      bump(counts, answer);
    }
    return counts;
  }

  return { pull, pullOne, recheck, push, engagements };
}

export type PartnerCenterSync = ReturnType<typeof createPartnerCenterSync>;
