/** The outbox: opportunities waiting to be pushed to a connector, at most one pending entry each. */
import { sql } from 'kysely';
import type { OpportunityId } from '../core';
import { chunks } from './link-repo';
import { iso } from './rows';
import type { Db, OutboxTable } from './schema';
import type { OutboxEntry } from './types';

type OutboxRow = Omit<OutboxTable, 'id'> & { id: number };

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: Number(row.id),
    connector: row.connector,
    opportunityId: row.opportunity_id as OpportunityId,
    reason: row.reason,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
  };
}

/**
 * Coalescing enqueue. An existing entry is replaced by one with a NEW id (same created_at, attempts
 * and next attempt, so order and backoff are kept): a push already in flight completes the old id
 * only, and the change queued meanwhile is still pushed afterwards.
 */
export async function enqueueOutbox(
  db: Db,
  entry: { connector: string; opportunityId: OpportunityId; reason: string },
  now: Date,
): Promise<void> {
  const existing = await db
    .selectFrom('outbox')
    .selectAll()
    .where('connector', '=', entry.connector)
    .where('opportunity_id', '=', entry.opportunityId)
    .executeTakeFirst();
  if (existing !== undefined) await db.deleteFrom('outbox').where('id', '=', existing.id).execute();
  await db
    .insertInto('outbox')
    .values({
      connector: entry.connector,
      opportunity_id: entry.opportunityId,
      reason: entry.reason,
      attempts: existing?.attempts ?? 0,
      next_attempt_at: existing?.next_attempt_at ?? iso(now),
      created_at: existing?.created_at ?? iso(now),
    })
    // A concurrent enqueue (PostgreSQL, another transaction) may insert first: coalesce into it.
    .onConflict((oc) => oc.columns(['connector', 'opportunity_id']).doUpdateSet({ reason: sql`excluded.reason` }))
    .execute();
}

export async function dueOutbox(db: Db, connector: string, now: Date, limit: number): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('connector', '=', connector)
    .where('next_attempt_at', '<=', iso(now))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toEntry);
}

export async function completeOutbox(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('outbox').where('id', 'in', [...ids]).execute();
}

export async function retryOutboxLater(db: Db, id: number, nextAttemptAt: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: iso(nextAttemptAt) }))
    .where('id', '=', id)
    .execute();
}

export async function countOutbox(db: Db, connector?: string): Promise<number> {
  let query = db.selectFrom('outbox').select((eb) => eb.fn.countAll<number | string | bigint>().as('n'));
  if (connector !== undefined) query = query.where('connector', '=', connector);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * enqueueOutbox for many opportunities of one connector, with the same coalescing, in three
 * statements per chunk: read the pending entries, delete them, insert the new ones (one per
 * opportunity; `now` of each is used only when it had none pending).
 */
export async function enqueueOutboxMany(
  db: Db,
  connector: string,
  entries: ReadonlyArray<{ opportunityId: OpportunityId; reason: string; now: Date }>,
): Promise<void> {
  for (const part of chunks(entries)) {
    const existing = await db
      .selectFrom('outbox')
      .selectAll()
      .where('connector', '=', connector)
      .where('opportunity_id', 'in', part.map((e) => e.opportunityId))
      .execute();
    const byOpportunity = new Map(existing.map((row) => [row.opportunity_id, row]));
    if (existing.length > 0) await db.deleteFrom('outbox').where('id', 'in', existing.map((row) => row.id)).execute();
    await db
      .insertInto('outbox')
      .values(part.map((entry) => {
        const old = byOpportunity.get(entry.opportunityId);
        return {
          connector,
          opportunity_id: entry.opportunityId,
          reason: entry.reason,
          attempts: old?.attempts ?? 0,
          next_attempt_at: old?.next_attempt_at ?? iso(entry.now),
          created_at: old?.created_at ?? iso(entry.now),
        };
      }))
      .onConflict((oc) => oc.columns(['connector', 'opportunity_id']).doUpdateSet({ reason: sql`excluded.reason` }))
      .execute();
  }
}
