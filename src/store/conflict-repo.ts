/** Conflicts found by the three-way merge: stored with base, both values, rule and outcome. */
import type { OpportunityId } from '../core';
import { StateError } from '../errors';
import { chunks } from './link-repo';
import { fromJson, iso, toJson } from './rows';
import type { ConflictsTable, Db } from './schema';
import type { Conflict, ConflictFilter, ConflictKind, ConflictStatus, NewConflict } from './types';

type ConflictRow = Omit<ConflictsTable, 'id'> & { id: number };

function toConflict(row: ConflictRow): Conflict {
  return {
    id: Number(row.id),
    opportunityId: row.opportunity_id as OpportunityId,
    connector: row.connector,
    externalId: row.external_id,
    kind: row.kind as ConflictKind,
    field: row.field,
    base: fromJson(row.base),
    crmValue: fromJson(row.crm_value),
    cosellValue: fromJson(row.cosell_value),
    rule: row.rule,
    outcome: row.outcome,
    status: row.status as ConflictStatus,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
  };
}

export async function addConflict(db: Db, conflict: NewConflict, now: Date): Promise<Conflict> {
  const row = await db
    .insertInto('conflicts')
    .values({
      opportunity_id: conflict.opportunityId,
      connector: conflict.connector,
      external_id: conflict.externalId,
      kind: conflict.kind,
      field: conflict.field,
      base: toJson(conflict.base),
      crm_value: toJson(conflict.crmValue),
      cosell_value: toJson(conflict.cosellValue),
      rule: conflict.rule,
      outcome: conflict.outcome,
      status: conflict.status ?? 'pending',
      created_at: iso(now),
      resolved_at: null,
      resolution: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConflict(row);
}

export async function getConflict(db: Db, id: number): Promise<Conflict | null> {
  const row = await db.selectFrom('conflicts').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toConflict(row);
}

export async function listConflicts(
  db: Db,
  filter: ConflictFilter,
): Promise<Conflict[]> {
  if (filter.opportunityIds !== undefined && filter.opportunityIds.length === 0) return [];
  let query = db.selectFrom('conflicts').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.opportunityId !== undefined) query = query.where('opportunity_id', '=', filter.opportunityId);
  if (filter.opportunityIds !== undefined) query = query.where('opportunity_id', 'in', [...filter.opportunityIds]);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.connector !== undefined) query = query.where('connector', '=', filter.connector);
  const rows = await query.orderBy('id').limit(filter.limit ?? 500).execute();
  return rows.map(toConflict);
}

export async function resolveConflict(db: Db, id: number, resolution: string, now: Date): Promise<Conflict> {
  const row = await db
    .updateTable('conflicts')
    .set({ status: 'resolved', resolution, resolved_at: iso(now) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new StateError(`conflict ${id} not found`);
  return toConflict(row);
}

/** The pending conflicts of these opportunities on one connector, oldest first. */
export async function pendingConflictsOf(db: Db, connector: string, opportunityIds: readonly string[]): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for (const ids of chunks(opportunityIds)) {
    const rows = await db
      .selectFrom('conflicts')
      .selectAll()
      .where('status', '=', 'pending')
      .where('connector', '=', connector)
      .where('opportunity_id', 'in', ids)
      .orderBy('id')
      .execute();
    out.push(...rows.map(toConflict));
  }
  return out;
}
