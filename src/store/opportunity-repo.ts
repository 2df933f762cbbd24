/** Reads of opportunities and their event log. Writes go through apply-command.ts. */
import { DAY_MS, EXPIRY_WINDOW_DAYS, isExpiryDue, type OpportunityId } from '../core';
import { iso, toOpportunityEvent, toStoredOpportunity } from './rows';
import type { Db } from './schema';
import type { ChangeSource, OpportunityEvent, SourceKind, StoredOpportunity } from './types';

export async function getOpportunity(db: Db, id: OpportunityId): Promise<StoredOpportunity | null> {
  const row = await db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toStoredOpportunity(row);
}

export async function getOpportunities(db: Db, ids: readonly OpportunityId[]): Promise<StoredOpportunity[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('opportunities').selectAll().where('id', 'in', [...ids]).execute();
  const byId = new Map(rows.map((row) => [row.id, toStoredOpportunity(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function listEvents(db: Db, opportunityId: OpportunityId): Promise<OpportunityEvent[]> {
  const rows = await db
    .selectFrom('opportunity_events')
    .selectAll()
    .where('opportunity_id', '=', opportunityId)
    .orderBy('seq')
    .execute();
  return rows.map(toOpportunityEvent);
}

/**
 * R13: `received` referrals whose window (EXPIRY_WINDOW_DAYS from received_at) has ended at `now`.
 * The SQL narrows by the indexed columns; the core's own isExpiryDue has the last word.
 */
export async function findExpiryDue(db: Db, now: Date, limit = 500): Promise<OpportunityId[]> {
  const cutoff = iso(new Date(now.getTime() - EXPIRY_WINDOW_DAYS * DAY_MS));
  const rows = await db
    .selectFrom('opportunities')
    .selectAll()
    .where('stage', '=', 'received')
    .where('received_at', 'is not', null)
    .where('received_at', '<=', cutoff)
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows
    .map(toStoredOpportunity)
    .filter((stored) => isExpiryDue(stored.opportunity, now))
    .map((stored) => stored.opportunity.id);
}

export interface FeedEntry {
  seq: number;
  opportunityId: OpportunityId;
  source: ChangeSource;
}

/** The change feed: events after `afterSeq`, oldest first. */
export async function eventsSince(db: Db, afterSeq: number, limit: number): Promise<FeedEntry[]> {
  const rows = await db
    .selectFrom('opportunity_events')
    .select(['seq', 'opportunity_id', 'source_kind', 'source_name'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    opportunityId: row.opportunity_id as OpportunityId,
    source: { kind: row.source_kind as SourceKind, name: row.source_name },
  }));
}
