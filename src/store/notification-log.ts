/**
 * The store side of notifications: sent-once records with an exclusive claim, and the reads the
 * notification planner needs (the event feed with before/after, terminal conflicts, recent runs,
 * open dead letters). The claim is what keeps a restart or a second worker from sending twice:
 * a row is inserted (or a failed one taken again) by exactly one caller, before the send.
 */
import { randomUUID } from 'node:crypto';
import type { Opportunity, OpportunityId } from '../core/model';
import { fromJson, fromJsonOrNull, iso } from './rows';
import type { Db, NotificationsTable } from './schema';

export interface NotificationKey {
  kind: string;
  /** What it is about: `opp:<id>`, `conflict:<id>`, `runs:<connector>:<runId>` ... */
  subject: string;
  recipient: string;
}

export type NotificationStatus = 'claimed' | 'sent' | 'failed' | 'in-doubt';

export interface NotificationRecord extends NotificationKey {
  status: NotificationStatus;
  attempts: number;
  claimedAt: string | null;
  sentAt: string | null;
  lastError: string | null;
  createdAt: string;
}

/** An exclusive right to send one notification; `token` proves it when the outcome is recorded. */
export interface NotificationClaim {
  key: NotificationKey;
  token: string;
}

export interface FeedEvent {
  seq: number;
  opportunityId: OpportunityId;
  kind: string;
  at: string;
  before: Opportunity | null;
  after: Opportunity;
}

export interface ConflictFact {
  id: number;
  opportunityId: string;
  connector: string;
  kind: string;
  field: string;
  createdAt: string;
}

/** The failed runs of a connector since its last successful one. */
export interface FailureStreak {
  connector: string;
  /** The last successful run before the streak; null when none ever succeeded. */
  afterOkRunId: string | null;
  failedRuns: number;
  lastError: string | null;
}

export interface NotificationLog {
  /**
   * Claims the key when nobody has it, or when its last send failed and fewer than `maxAttempts`
   * were made; null when it is taken, sent, in doubt or given up.
   */
  claim(key: NotificationKey, now: Date, maxAttempts?: number): Promise<NotificationClaim | null>;
  /** Records the send; false when the claim was no longer ours (nothing changed). */
  markSent(claim: NotificationClaim, now: Date): Promise<boolean>;
  /** Releases the claim with the reason, so a later tick may try again. */
  markFailed(claim: NotificationClaim, error: string, now: Date): Promise<void>;
  /** The send may or may not have gone out: never sent again (at most once), kept for review. */
  markInDoubt(claim: NotificationClaim, reason: string, now: Date): Promise<void>;
  /**
   * Claims older than `olderThanMs` belong to a worker that stopped mid-send: whether the mail left
   * is unknown, so they become `in-doubt` and are never sent again (at most once). Returns their keys.
   */
  settleStaleClaims(now: Date, olderThanMs: number): Promise<NotificationKey[]>;
  list(filter?: { status?: NotificationStatus; kind?: string }): Promise<NotificationRecord[]>;
  /** The records of these subjects (one read instead of a claim attempt per settled notification). */
  recordsFor(subjects: readonly string[]): Promise<NotificationRecord[]>;
  /**
   * Events after `afterSeq` of the given kinds and not older than `since`, oldest first; `through`
   * is how far the feed was read (the last event returned when the page is full, else the feed's end).
   */
  eventsSince(afterSeq: number, limit: number, filter: { kinds: readonly string[]; since: Date }): Promise<{ events: FeedEvent[]; through: number }>;
  /**
   * Conflicts of the given kinds created since `since`. Read by time, not by id: PostgreSQL ids can
   * commit out of order, and a watermark on them could step over one.
   */
  conflictsSince(since: Date, kinds: readonly string[], limit: number): Promise<ConflictFact[]>;
  failureStreaks(connectors: readonly string[]): Promise<FailureStreak[]>;
  /** Ids of unresolved dead letters, oldest first, at most `limit`, and how many there are. */
  openDeadLetters(limit: number): Promise<{ ids: number[]; total: number }>;
}

const keyOf = (row: { kind: string; subject: string; recipient: string }): NotificationKey => ({
  kind: row.kind,
  subject: row.subject,
  recipient: row.recipient,
});

function toRecord(r: NotificationsTable): NotificationRecord {
  return {
    ...keyOf(r),
    status: r.status as NotificationStatus,
    attempts: Number(r.attempts),
    claimedAt: r.claimed_at,
    sentAt: r.sent_at,
    lastError: r.last_error,
    createdAt: r.created_at,
  };
}

/**
 * `serialize` queues each call behind the store's open transactions (SQLite shares one connection:
 * a statement issued during another caller's transaction would otherwise join it).
 */
export function createNotificationLog(db: Db, serialize: <T>(fn: () => Promise<T>) => Promise<T>): NotificationLog {
  const log = notificationQueries(db);
  const queued = {} as NotificationLog;
  for (const name of Object.keys(log) as Array<keyof NotificationLog>) {
    const method = log[name] as (...args: unknown[]) => Promise<unknown>;
    (queued as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => serialize(() => method(...args));
  }
  return queued;
}

function notificationQueries(db: Db): NotificationLog {
  const whereKey = (key: NotificationKey) =>
    db.updateTable('notifications').where('kind', '=', key.kind).where('subject', '=', key.subject).where('recipient', '=', key.recipient);
  return {
    // Without a bound, the largest 32-bit integer: PostgreSQL compares it with an integer column.
    async claim(key, now, maxAttempts = 2_147_483_647) {
      const token = randomUUID();
      const at = iso(now);
      const inserted = await db
        .insertInto('notifications')
        .values({ ...key, status: 'claimed', claim_token: token, claimed_at: at, sent_at: null, attempts: 1, last_error: null, created_at: at })
        .onConflict((oc) => oc.columns(['kind', 'subject', 'recipient']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { key, token };
      const retaken = await whereKey(key)
        .set((eb) => ({ status: 'claimed', claim_token: token, claimed_at: at, attempts: eb('attempts', '+', 1) }))
        .where('status', '=', 'failed')
        .where('attempts', '<', maxAttempts)
        .executeTakeFirst();
      return Number(retaken.numUpdatedRows) === 1 ? { key, token } : null;
    },
    async markSent(claim, now) {
      const result = await whereKey(claim.key)
        .set({ status: 'sent', sent_at: iso(now), claim_token: null, last_error: null })
        .where('status', '=', 'claimed')
        .where('claim_token', '=', claim.token)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async markFailed(claim, error, now) {
      await whereKey(claim.key)
        .set({ status: 'failed', claim_token: null, claimed_at: iso(now), last_error: error.slice(0, 1000) })
        .where('status', '=', 'claimed')
        .where('claim_token', '=', claim.token)
        .execute();
    },
    async markInDoubt(claim, reason, now) {
      await whereKey(claim.key)
        .set({ status: 'in-doubt', claim_token: null, claimed_at: iso(now), last_error: reason.slice(0, 1000) })
        .where('status', '=', 'claimed')
        .where('claim_token', '=', claim.token)
        .execute();
    },
    async settleStaleClaims(now, olderThanMs) {
      const cutoff = iso(new Date(now.getTime() - olderThanMs));
      const stale = await db
        .selectFrom('notifications')
        .select(['kind', 'subject', 'recipient', 'claim_token'])
        .where('status', '=', 'claimed')
        .where('claimed_at', '<', cutoff)
        .execute();
      const settled: NotificationKey[] = [];
      for (const row of stale) {
        const result = await whereKey(row)
          .set({ status: 'in-doubt', claim_token: null, last_error: 'the worker stopped during the send' })
          .where('status', '=', 'claimed')
          .where('claim_token', '=', row.claim_token)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) settled.push(keyOf(row));
      }
      return settled;
    },
    async list(filter = {}) {
      let query = db.selectFrom('notifications').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      const rows = await query.orderBy('created_at').orderBy('kind').orderBy('subject').orderBy('recipient').execute();
      return rows.map(toRecord);
    },
    async recordsFor(subjects) {
      const unique = [...new Set(subjects)];
      const records: NotificationRecord[] = [];
      for (let i = 0; i < unique.length; i += 500) {
        const rows = await db.selectFrom('notifications').selectAll().where('subject', 'in', unique.slice(i, i + 500)).execute();
        records.push(...rows.map(toRecord));
      }
      return records;
    },
    async eventsSince(afterSeq, limit, filter) {
      // Writers commit events in seq order (apply-command.ts), so the end read first is safe to pass.
      const end = await db.selectFrom('opportunity_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
      const last = Number(end?.seq ?? 0);
      if (filter.kinds.length === 0 || last <= afterSeq) return { events: [], through: Math.max(afterSeq, last) };
      const rows = await db
        .selectFrom('opportunity_events')
        .select(['seq', 'opportunity_id', 'kind', 'at', 'before', 'after'])
        .where('seq', '>', afterSeq)
        .where('seq', '<=', last)
        .where('kind', 'in', [...filter.kinds])
        .where('at', '>=', iso(filter.since))
        .orderBy('seq')
        .limit(limit)
        .execute();
      const events = rows.map((r) => ({
        seq: Number(r.seq),
        opportunityId: r.opportunity_id as OpportunityId,
        kind: r.kind,
        at: r.at,
        before: fromJsonOrNull<Opportunity>(r.before),
        after: fromJson<Opportunity>(r.after),
      }));
      return { events, through: events.length === limit ? (events.at(-1)?.seq ?? last) : last };
    },
    async conflictsSince(since, kinds, limit) {
      if (kinds.length === 0) return [];
      const rows = await db
        .selectFrom('conflicts')
        .select(['id', 'opportunity_id', 'connector', 'kind', 'field', 'created_at'])
        .where('created_at', '>=', iso(since))
        .where('kind', 'in', [...kinds])
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: Number(r.id), opportunityId: r.opportunity_id, connector: r.connector, kind: r.kind, field: r.field, createdAt: r.created_at }));
    },
    async failureStreaks(connectors) {
      const streaks: FailureStreak[] = [];
      for (const connector of connectors) {
        const lastOk = await db
          .selectFrom('sync_runs')
          .select(['run_id', 'started_at'])
          .where('connector', '=', connector)
          .where('status', '=', 'ok')
          .orderBy('started_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        let failed = db.selectFrom('sync_runs').where('connector', '=', connector).where('status', '=', 'failed');
        if (lastOk !== undefined) failed = failed.where('started_at', '>', lastOk.started_at);
        const count = await failed.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        const latest = await failed.select(['error']).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
        streaks.push({ connector, afterOkRunId: lastOk?.run_id ?? null, failedRuns: Number(count.n), lastError: latest?.error ?? null });
      }
      return streaks;
    },
    async openDeadLetters(limit) {
      const rows = await db.selectFrom('dead_letters').select('id').where('resolved_at', 'is', null).orderBy('id').limit(limit).execute();
      const count = await db
        .selectFrom('dead_letters')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('resolved_at', 'is', null)
        .executeTakeFirstOrThrow();
      return { ids: rows.map((r) => Number(r.id)), total: Number(count.n) };
    },
  };
}
