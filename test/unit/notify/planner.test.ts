/**
 * The notification planner, table-driven: which facts make which notifications, to whom, under
 * which key. Expected rows are written out by hand from R13/R18 and the ops alert rules.
 */
import { DAY_MS } from '../../../src/core/clock';
import type { Opportunity } from '../../../src/core/model';
import { eventKind, NOTIFICATIONS_SCHEMA, planNotifications, type PlannerFacts } from '../../../src/notify';
import type { FeedEvent } from '../../../src/store';
import { aDeclinedOpportunity, anAcceptedInboundOpportunity, anAcceptedOpportunity, anExpiredOpportunity, aReceivedOpportunity, T0 } from '../core/builders';

const settings = NOTIFICATIONS_SCHEMA.parse({
  recipients: { inbound: ['in@p.example'], ops: ['ops@p.example'], senders: { microsoft: ['ms@m.example'], 'partner-42': ['p42@t.example'] } },
  expiryWarningDays: 3,
  connectorFailures: 3,
  deadLetterThreshold: 2,
  lookbackHours: 24,
});
const facts = (over: Partial<PlannerFacts> = {}): PlannerFacts => ({
  now: T0, events: [], received: [], conflicts: [], streaks: [], deadLetters: { ids: [], total: 0 }, grants: [], ...over,
});
const event = (before: Opportunity | null, after: Opportunity, seq = 1, at = T0): FeedEvent => ({
  seq, opportunityId: after.id, kind: 'x', at: at.toISOString(), before, after,
});
const keys = (f: PlannerFacts) => planNotifications(f, settings).map((p) => `${p.key.kind} ${p.key.subject} ${p.key.recipient}`);

describe('eventKind', () => {
  const received = aReceivedOpportunity();
  const rows: Array<[string, Opportunity | null, Opportunity, string | null]> = [
    ['a new inbound referral', null, received, 'new-inbound'],
    ['a new outbound deal', null, anAcceptedOpportunity(), null],
    ['received -> declined', received, aDeclinedOpportunity(), 'declined'],
    ['received -> expired', received, anExpiredOpportunity(), 'expired'],
    ['received -> accepted', received, anAcceptedInboundOpportunity(), null],
    ['declined -> declined (an edit of nothing)', aDeclinedOpportunity(), aDeclinedOpportunity(), null],
    ['received -> received (an edit)', received, received, null],
  ];
  it.each(rows)('%s', (_name, before, after, expected) => {
    expect(eventKind(event(before, after))).toBe(expected);
  });
});

describe('planNotifications', () => {
  const received = aReceivedOpportunity();
  const fromPartner = aReceivedOpportunity({ sender: { kind: 'partner', partnerId: 'partner-42', name: 'Trey Research' } });
  const unknownPartner = aReceivedOpportunity({ sender: { kind: 'partner', partnerId: 'partner-7', name: 'Fabrikam' } });

  it('sends a new inbound referral to the inbound recipients only', () => {
    expect(keys(facts({ events: [event(null, received)] }))).toEqual(['new-inbound opp:opp-1 in@p.example']);
  });

  it('sends a decline to its sender, and nothing when the sender has no address', () => {
    const declined = aDeclinedOpportunity();
    expect(keys(facts({ events: [event(received, declined)] }))).toEqual(['declined opp:opp-1 ms@m.example']);
    const declinedUnknown = { ...unknownPartner, stage: 'declined' as const };
    expect(keys(facts({ events: [event(unknownPartner, declinedUnknown)] }))).toEqual([]);
  });

  it('sends an expiry to the inbound recipients and the sender', () => {
    const expired = { ...fromPartner, stage: 'expired' as const };
    expect(keys(facts({ events: [event(fromPartner, expired)] }))).toEqual(['expired opp:opp-1 in@p.example', 'expired opp:opp-1 p42@t.example']);
  });

  it('skips events older than the lookback', () => {
    const old = new Date(T0.getTime() - 25 * 3_600_000);
    expect(keys(facts({ events: [event(null, received, 1, old)] }))).toEqual([]);
    const recent = new Date(T0.getTime() - 23 * 3_600_000);
    expect(keys(facts({ events: [event(null, received, 1, recent)] }))).toHaveLength(1);
  });

  // Received at T0: the window ends at T0 + 14 days; the warning is due from T0 + 11 days.
  const at = (days: number, extraMs = 0) => new Date(T0.getTime() + days * DAY_MS + extraMs);
  it.each([
    ['10 days in', at(10), []],
    ['1 ms before the warning', at(11, -1), []],
    ['the warning starts', at(11), ['expiry-warning opp:opp-1 in@p.example 3']],
    ['a day before the end', at(13), ['expiry-warning opp:opp-1 in@p.example 1']],
    ['1 ms before the end', at(14, -1), ['expiry-warning opp:opp-1 in@p.example 1']],
    ['the window ended (the expiry mail takes over)', at(14), []],
  ] as const)('expiry warning: %s', (_name, now, expected) => {
    const planned = planNotifications(facts({ now, received: [received] }), settings);
    expect(planned.map((p) => `${p.key.kind} ${p.key.subject} ${p.key.recipient} ${p.values.daysLeft}`)).toEqual(expected);
  });

  it('sends no warning when the warning is off, or for a referral no longer received', () => {
    const off = { ...settings, expiryWarningDays: 0 };
    expect(planNotifications(facts({ now: at(12), received: [received] }), off)).toEqual([]);
    expect(keys(facts({ now: at(12), received: [anAcceptedInboundOpportunity()] }))).toEqual([]);
  });

  it('alerts ops of terminal conflicts only', () => {
    const conflict = (id: number, kind: string) => ({ id, opportunityId: 'opp-1', connector: 'sf', kind, field: 'stage', createdAt: T0.toISOString() });
    expect(keys(facts({ conflicts: [conflict(1, 'field'), conflict(2, 'terminal'), conflict(3, 'terminal-outcome'), conflict(4, 'refused')] }))).toEqual([
      'terminal-conflict conflict:2 ops@p.example',
      'terminal-conflict conflict:3 ops@p.example',
    ]);
  });

  it.each([
    [2, null, []],
    [3, null, ['connector-failing runs:sf:after:none ops@p.example']],
    [4, 'run-9', ['connector-failing runs:sf:after:run-9 ops@p.example']],
  ] as const)('a streak of %i failed runs after %s', (failedRuns, afterOkRunId, expected) => {
    expect(keys(facts({ streaks: [{ connector: 'sf', afterOkRunId, failedRuns, lastError: 'boom' }] }))).toEqual(expected);
  });

  it('alerts on dead letters at the threshold, named by the one that reached it', () => {
    expect(keys(facts({ deadLetters: { ids: [7], total: 1 } }))).toEqual([]);
    expect(keys(facts({ deadLetters: { ids: [7, 9], total: 40 } }))).toEqual(['dead-letters dead-letters:9 ops@p.example']);
    expect(planNotifications(facts({ deadLetters: { ids: [7, 9], total: 40 } }), settings)[0]?.values.count).toBe('40');
  });

  it('alerts ops of an expired grant, one per grant', () => {
    const grant = { source: 'partner-center', grantId: 'g1', detail: 'revoked' };
    expect(keys(facts({ grants: [grant] }))).toEqual(['grant-expired grant:partner-center:g1 ops@p.example']);
  });

  it('plans nothing without recipients', () => {
    const none = NOTIFICATIONS_SCHEMA.parse({});
    const all = facts({ events: [event(null, received)], received: [received], now: at(12), deadLetters: { ids: Array.from({ length: 25 }, (_, i) => i + 1), total: 25 } });
    expect(planNotifications(all, none)).toEqual([]);
  });
});
