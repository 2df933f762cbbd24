/**
 * Decides which notifications are due, from facts read out of the store. Pure: no I/O, time comes
 * in as `now`. Each planned notification has a key (kind, subject, recipient) that the store records
 * once sent, so planning the same facts twice is harmless: the second plan is claimed by nobody.
 */
import { DAY_MS } from '../core/clock';
import { EXPIRY_WINDOW_DAYS } from '../core/expiry';
import type { Opportunity, Sender } from '../core/model';
import type { ConflictFact, FailureStreak, FeedEvent, NotificationKey } from '../store';
import { AUDIENCES, type NotificationKind } from './kinds';
import type { NotificationSettings } from './settings';

/** Reported by a connector whose delegated grant expired or was revoked (see Notifier.reportExpiredGrant). */
export interface GrantAlert {
  /** The connector or service whose grant it is. */
  source: string;
  /** Stable id of the grant that expired: one alert per grant. */
  grantId: string;
  detail: string;
}

/** What a connector with a delegated grant is given to report an expired or revoked one. */
export type ReportExpiredGrant = (alert: GrantAlert) => void;

export interface PlannerFacts {
  now: Date;
  /** Referral events after the watermark (created, decline, expire), oldest first. */
  events: readonly FeedEvent[];
  /** Received referrals whose R13 window ends within the warning period (or has ended). */
  received: readonly Opportunity[];
  /** Terminal conflicts within the lookback. */
  conflicts: readonly ConflictFact[];
  streaks: readonly FailureStreak[];
  /** Unresolved dead letters: ids oldest first (at most the threshold) and their total. */
  deadLetters: { ids: readonly number[]; total: number };
  grants: readonly GrantAlert[];
}

export interface PlannedNotification {
  key: NotificationKey & { kind: NotificationKind };
  values: Record<string, string>;
  /** The event it came from: the feed's watermark stays before it until it is sent. */
  origin: { seq: number } | null;
}

export type PlannerSettings = Pick<
  NotificationSettings,
  'recipients' | 'expiryWarningDays' | 'connectorFailures' | 'deadLetterThreshold' | 'lookbackHours'
>;

const SENDER_KEY = (sender: Sender): string => (sender.kind === 'microsoft' ? 'microsoft' : sender.partnerId);

function recipientsFor(kind: NotificationKind, settings: PlannerSettings, sender: Sender | null): string[] {
  const out = new Set<string>();
  for (const audience of AUDIENCES[kind]) {
    if (audience === 'inbound') settings.recipients.inbound.forEach((a) => out.add(a));
    if (audience === 'ops') settings.recipients.ops.forEach((a) => out.add(a));
    if (audience === 'sender' && sender !== null) (settings.recipients.senders[SENDER_KEY(sender)] ?? []).forEach((a) => out.add(a));
  }
  return [...out];
}

function expiryOf(o: Opportunity): Date | null {
  return o.receivedAt === null ? null : new Date(Date.parse(o.receivedAt) + EXPIRY_WINDOW_DAYS * DAY_MS);
}

function referralValues(o: Opportunity): Record<string, string> {
  return {
    opportunityId: o.id,
    dealName: o.dealName,
    customerName: o.customer.name,
    senderName: o.sender?.name ?? 'unknown sender',
    receivedAt: o.receivedAt ?? '',
    expiresAt: expiryOf(o)?.toISOString() ?? '',
  };
}

/** What an event means for people: a new inbound referral, a decline or an expiry; else null. */
export function eventKind(event: FeedEvent): NotificationKind | null {
  const { before, after } = event;
  if (after.direction !== 'inbound') return null;
  if (before === null) return after.stage === 'received' ? 'new-inbound' : null;
  if (before.stage === after.stage) return null;
  if (after.stage === 'declined') return 'declined';
  if (after.stage === 'expired') return 'expired';
  return null;
}

function fromEvents(facts: PlannerFacts, settings: PlannerSettings, out: PlannedNotification[]): void {
  const oldest = facts.now.getTime() - settings.lookbackHours * 3_600_000;
  for (const event of facts.events) {
    const kind = eventKind(event);
    if (kind === null || Date.parse(event.at) < oldest) continue;
    const values = referralValues(event.after);
    if (kind === 'declined') values.reason = event.after.declineReason ?? '';
    for (const recipient of recipientsFor(kind, settings, event.after.sender)) {
      out.push({ key: { kind, subject: `opp:${event.opportunityId}`, recipient }, values, origin: { seq: event.seq } });
    }
  }
}

function expiryWarnings(facts: PlannerFacts, settings: PlannerSettings, out: PlannedNotification[]): void {
  if (settings.expiryWarningDays === 0) return;
  const now = facts.now.getTime();
  for (const o of facts.received) {
    const expires = expiryOf(o)?.getTime();
    if (o.stage !== 'received' || expires === undefined || o.direction !== 'inbound') continue;
    // Due from N days before the end of the window until the window ends (then it is an expiry).
    if (now < expires - settings.expiryWarningDays * DAY_MS || now >= expires) continue;
    const values = { ...referralValues(o), daysLeft: String(Math.max(1, Math.ceil((expires - now) / DAY_MS))) };
    for (const recipient of recipientsFor('expiry-warning', settings, o.sender)) {
      out.push({ key: { kind: 'expiry-warning', subject: `opp:${o.id}`, recipient }, values, origin: null });
    }
  }
}

function opsAlerts(facts: PlannerFacts, settings: PlannerSettings, out: PlannedNotification[]): void {
  const ops = (kind: NotificationKind, subject: string, values: Record<string, string>, origin: PlannedNotification['origin'] = null): void => {
    for (const recipient of recipientsFor(kind, settings, null)) out.push({ key: { kind, subject, recipient }, values, origin });
  };
  for (const c of facts.conflicts) {
    if (c.kind !== 'terminal' && c.kind !== 'terminal-outcome') continue;
    const values = { conflictId: String(c.id), opportunityId: c.opportunityId, connector: c.connector, conflictKind: c.kind, field: c.field };
    ops('terminal-conflict', `conflict:${c.id}`, values);
  }
  for (const g of facts.grants) ops('grant-expired', `grant:${g.source}:${g.grantId}`, { source: g.source, detail: g.detail });
  for (const s of facts.streaks) {
    if (s.failedRuns < settings.connectorFailures) continue;
    // One alert per streak: the streak is named by the last good run before it.
    const values = { connector: s.connector, failedRuns: String(s.failedRuns), lastError: s.lastError ?? 'unknown' };
    ops('connector-failing', `runs:${s.connector}:after:${s.afterOkRunId ?? 'none'}`, values);
  }
  const { ids, total } = facts.deadLetters;
  if (ids.length >= settings.deadLetterThreshold) {
    // Named by the dead letter that reached the threshold: resolving the backlog and growing a new one alerts again.
    const values = { count: String(total), threshold: String(settings.deadLetterThreshold) };
    ops('dead-letters', `dead-letters:${ids[settings.deadLetterThreshold - 1] ?? ''}`, values);
  }
}

export function planNotifications(facts: PlannerFacts, settings: PlannerSettings): PlannedNotification[] {
  const out: PlannedNotification[] = [];
  fromEvents(facts, settings, out);
  expiryWarnings(facts, settings, out);
  opsAlerts(facts, settings, out);
  return out;
}

/** The event kinds (command kinds in the store's feed) that can mean a new referral, a decline or an expiry. */
export const REFERRAL_EVENT_KINDS = ['created', 'decline', 'expire'] as const;
