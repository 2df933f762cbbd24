/** Dead letters: records that failed permanently, one open entry per (connector, direction, record). */
import { sql } from 'kysely';
import type { OpportunityId } from '../core';
import { chunks } from './link-repo';
import { fromJson, iso, toJson } from './rows';
import type { DeadLettersTable, Db } from './schema';
import type { DeadLetter, DeadLetterDirection, NewDeadLetter } from './types';

type DeadLetterRow = Omit<DeadLettersTable, 'id'> & { id: number };

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: Number(row.id),
    connector: row.connector,
    direction: row.direction as DeadLetterDirection,
    externalId: row.external_id,
    opportunityId: row.opportunity_id as OpportunityId | null,
    reason: row.reason,
    code: row.code,
    payload: fromJson(row.payload),
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
  };
}

const recordKey = (entry: NewDeadLetter): string =>
  entry.externalId !== null ? `ext:${entry.externalId}` : entry.opportunityId !== null ? `opp:${entry.opportunityId}` : 'none';

/** Adds a dead letter, or updates the open one of the same record (reason, code, payload, attempts + 1). */
export async function addDeadLetter(db: Db, entry: NewDeadLetter, now: Date): Promise<DeadLetter> {
  const at = iso(now);
  const row = await db
    .insertInto('dead_letters')
    .values({
      connector: entry.connector,
      direction: entry.direction,
      record_key: recordKey(entry),
      external_id: entry.externalId,
      opportunity_id: entry.opportunityId,
      reason: entry.reason,
      code: entry.code,
      payload: toJson(entry.payload),
      attempts: 1,
      created_at: at,
      updated_at: at,
      resolved_at: null,
    })
    // The conflict target names the partial unique index (its WHERE included), as both dialects require.
    .onConflict((oc) =>
      oc
        .columns(['connector', 'direction', 'record_key'])
        .where('resolved_at', 'is', null)
        .doUpdateSet({
          reason: sql`excluded.reason`,
          code: sql`excluded.code`,
          payload: sql`excluded.payload`,
          opportunity_id: sql`coalesce(excluded.opportunity_id, dead_letters.opportunity_id)`,
          attempts: sql`dead_letters.attempts + 1`,
          updated_at: at,
        }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDeadLetter(row);
}

export async function getDeadLetter(db: Db, id: number): Promise<DeadLetter | null> {
  const row = await db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toDeadLetter(row);
}

export async function listDeadLetters(
  db: Db,
  filter: { connector?: string; unresolvedOnly?: boolean; limit?: number },
): Promise<DeadLetter[]> {
  let query = db.selectFrom('dead_letters').selectAll();
  if (filter.connector !== undefined) query = query.where('connector', '=', filter.connector);
  if (filter.unresolvedOnly === true) query = query.where('resolved_at', 'is', null);
  const rows = await query.orderBy('id').limit(filter.limit ?? 500).execute();
  return rows.map(toDeadLetter);
}

export async function resolveDeadLetter(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('dead_letters').set({ resolved_at: iso(now), updated_at: iso(now) }).where('id', '=', id).where('resolved_at', 'is', null).execute();
}

export async function resolveDeadLettersFor(
  db: Db,
  params: { connector: string; externalId?: string; opportunityId?: OpportunityId },
  now: Date,
): Promise<number> {
  const { externalId, opportunityId } = params;
  if (externalId === undefined && opportunityId === undefined) return 0;
  const result = await db
    .updateTable('dead_letters')
    .set({ resolved_at: iso(now), updated_at: iso(now) })
    .where('connector', '=', params.connector)
    .where('resolved_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(externalId === undefined ? [] : [eb('external_id', '=', externalId)]),
        ...(opportunityId === undefined ? [] : [eb('opportunity_id', '=', opportunityId)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Which of these records and opportunities of one connector have an open dead letter. */
export async function openDeadLetterKeys(
  db: Db,
  connector: string,
  keys: { externalIds: readonly string[]; opportunityIds: readonly string[] },
): Promise<{ externalIds: Set<string>; opportunityIds: Set<string> }> {
  const out = { externalIds: new Set<string>(), opportunityIds: new Set<string>() };
  const collect = (rows: Array<{ external_id: string | null; opportunity_id: string | null }>): void => {
    for (const row of rows) {
      if (row.external_id !== null) out.externalIds.add(row.external_id);
      if (row.opportunity_id !== null) out.opportunityIds.add(row.opportunity_id);
    }
  };
  const open = db.selectFrom('dead_letters').select(['external_id', 'opportunity_id']).where('connector', '=', connector).where('resolved_at', 'is', null);
  for (const ids of chunks(keys.externalIds)) collect(await open.where('external_id', 'in', ids).execute());
  for (const ids of chunks(keys.opportunityIds)) collect(await open.where('opportunity_id', 'in', ids).execute());
  return out;
}
