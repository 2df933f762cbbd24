/**
 * Runs the notification plan: reads the facts, plans, and for each planned notification claims it
 * in the store, sends it, and records the outcome. A claim is exclusive (see notification-log.ts),
 * so a restart or a second worker never sends a notification twice. Logs carry kinds and counts,
 * never an address.
 */
import { DAY_MS, type Clock } from '../core/clock';
import type { Logger } from '../log';
import { isMailDeliveryUnknown, type MailSender } from '../ports/mail';
import type { NotificationLog, StateStore } from '../store';
import type { NotificationKind } from './kinds';
import { planNotifications, REFERRAL_EVENT_KINDS, type GrantAlert, type PlannedNotification, type PlannerFacts } from './planner';
import type { NotificationSettings } from './settings';
import { renderMail } from './templates';

export const EVENTS_WATERMARK = 'notify:events';
const FEED_PAGE = 500;
/** A claim this old belongs to a worker that stopped mid-send. */
export const DEFAULT_STALE_CLAIM_MS = 10 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;

export interface NotifierDeps {
  store: StateStore;
  /** Null when no mail service is configured: nothing is sent. */
  mail: MailSender | null;
  settings: NotificationSettings;
  clock: Clock;
  logger: Logger;
  /** Connector instance names (for the failing-connector alert). */
  connectors: readonly string[];
  staleClaimMs?: number;
  maxAttempts?: number;
  /** Events and referrals read per tick; default 500. */
  pageSize?: number;
}

export interface TickSummary {
  planned: number;
  sent: number;
  /** Already sent, claimed by another worker, in doubt or given up. */
  skipped: number;
  failed: number;
  byKind: Partial<Record<NotificationKind, number>>;
}

const EMPTY: TickSummary = { planned: 0, sent: 0, skipped: 0, failed: 0, byKind: {} };

type Outcome = 'sent' | 'skipped' | 'failed';

const keyString = (key: { kind: string; subject: string; recipient: string }): string => `${key.kind}\u0000${key.subject}\u0000${key.recipient}`;

export class Notifier {
  private readonly grants = new Map<string, GrantAlert>();

  constructor(private readonly deps: NotifierDeps) {}

  /** True when notifications are enabled and a mail service is configured. */
  get active(): boolean {
    return this.deps.settings.enabled && this.deps.mail !== null;
  }

  /** The hook for connectors with a delegated grant: an expired or revoked grant alerts ops once. */
  reportExpiredGrant(alert: GrantAlert): void {
    this.grants.set(`${alert.source}\u0000${alert.grantId}`, alert);
  }

  /** One pass: plan and send what is due. Never sends when inactive. */
  async tick(signal?: AbortSignal): Promise<TickSummary> {
    if (!this.active) return { ...EMPTY, byKind: {} };
    const log = this.deps.store.notificationLog();
    const now = this.deps.clock.now();
    const inDoubt = await log.settleStaleClaims(now, this.deps.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS);
    if (inDoubt.length > 0) {
      this.deps.logger.warn('notifications left in doubt by a stopped worker; not sent again', { event: 'notify.in-doubt', count: inDoubt.length, kinds: inDoubt.map((k) => k.kind) });
    }
    const mark = await this.watermark(EVENTS_WATERMARK);
    const { facts, through } = await this.readFacts(log, now, mark);
    const plan = planNotifications(facts, this.deps.settings);
    const summary: TickSummary = { planned: plan.length, sent: 0, skipped: 0, failed: 0, byKind: {} };
    let firstFailed = Infinity;
    const failedGrants = new Set<string>();
    const settled = await this.settledKeys(log, plan);
    for (const planned of plan) {
      if (signal?.aborted) break;
      const outcome = settled.has(keyString(planned.key)) ? 'skipped' : await this.deliver(log, planned, signal);
      summary[outcome] += 1;
      if (outcome === 'sent') summary.byKind[planned.key.kind] = (summary.byKind[planned.key.kind] ?? 0) + 1;
      if (outcome === 'failed' && planned.origin) firstFailed = Math.min(firstFailed, planned.origin.seq);
      if (outcome === 'failed' && planned.key.kind === 'grant-expired') failedGrants.add(planned.key.subject);
    }
    if (!signal?.aborted) {
      await this.advance(EVENTS_WATERMARK, mark, through, firstFailed);
      for (const [id, g] of this.grants) if (!failedGrants.has(`grant:${g.source}:${g.grantId}`)) this.grants.delete(id);
    }
    if (summary.sent > 0 || summary.failed > 0) {
      this.deps.logger.info('notifications', { event: 'notify.sent', sent: summary.sent, failed: summary.failed, skipped: summary.skipped, kinds: summary.byKind });
    }
    return summary;
  }

  private async deliver(log: NotificationLog, planned: PlannedNotification, signal?: AbortSignal): Promise<Outcome> {
    const { mail, settings, clock } = this.deps;
    if (mail === null) return 'skipped';
    const claim = await log.claim(planned.key, clock.now(), this.deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    if (claim === null) return 'skipped';
    const message = renderMail({ kind: planned.key.kind, recipient: planned.key.recipient, values: planned.values, templates: settings.templates });
    try {
      await mail.send(message, signal);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isMailDeliveryUnknown(error)) {
        await log.markInDoubt(claim, reason, clock.now());
        this.deps.logger.error('notification may or may not have been sent; not sent again', { event: 'notify.in-doubt', kind: planned.key.kind, err: error });
        return 'skipped';
      }
      await log.markFailed(claim, reason, clock.now());
      this.deps.logger.warn('notification not sent', { event: 'notify.failed', kind: planned.key.kind, err: error });
      return 'failed';
    }
    if (!(await log.markSent(claim, clock.now()))) {
      this.deps.logger.warn('notification sent but its claim was settled meanwhile', { event: 'notify.late', kind: planned.key.kind });
    }
    return 'sent';
  }

  /** Keys already sent, in doubt, being sent or given up: skipped without a claim attempt (the claim still guards). */
  private async settledKeys(log: NotificationLog, plan: readonly PlannedNotification[]): Promise<Set<string>> {
    const maxAttempts = this.deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const records = await log.recordsFor(plan.map((p) => p.key.subject));
    return new Set(records.filter((r) => r.status !== 'failed' || r.attempts >= maxAttempts).map(keyString));
  }

  private async readFacts(log: NotificationLog, now: Date, mark: number): Promise<{ facts: PlannerFacts; through: number }> {
    const { store, settings, connectors } = this.deps;
    const since = new Date(now.getTime() - settings.lookbackHours * 3_600_000);
    const { events, through } = await log.eventsSince(mark, this.deps.pageSize ?? FEED_PAGE, { kinds: REFERRAL_EVENT_KINDS, since });
    const conflicts = await log.conflictsSince(since, ['terminal', 'terminal-outcome'], FEED_PAGE);
    // Received referrals whose window ends within the warning period: the R13 query, `days` ahead.
    const ahead = new Date(now.getTime() + settings.expiryWarningDays * DAY_MS);
    const dueIds = settings.expiryWarningDays > 0 ? await store.findExpiryDue(ahead, FEED_PAGE) : [];
    const received = (await store.getOpportunities(dueIds)).map((s) => s.opportunity);
    const facts: PlannerFacts = {
      now,
      events,
      received,
      conflicts,
      streaks: await log.failureStreaks(connectors),
      deadLetters: await log.openDeadLetters(settings.deadLetterThreshold),
      grants: [...this.grants.values()],
    };
    return { facts, through };
  }

  private async watermark(name: string): Promise<number> {
    const cursor = await this.deps.store.getCursor(name);
    const value = cursor?.cursor === null || cursor === null ? 0 : Number(cursor.cursor);
    return Number.isFinite(value) ? value : 0;
  }

  /** Moves the feed's watermark past what was read, but not past a notification that failed (it is planned again). */
  private async advance(name: string, from: number, through: number, firstFailed: number): Promise<void> {
    const to = Math.min(through, firstFailed - 1);
    if (to > from) await this.deps.store.setCursor(name, String(to), this.deps.clock.now());
  }
}
