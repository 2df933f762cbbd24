/** Run control (paused instances) and the operator action log. */
import { fromJsonOrNull, iso, toJson } from './rows';
import type { Db, OperatorActionsTable, RunControlTable } from './schema';
import type { NewOperatorAction, OperatorAction, RunControl } from './types';

type ActionRow = Omit<OperatorActionsTable, 'id'> & { id: number };

const toRunControl = (row: RunControlTable): RunControl => ({
  connector: row.connector,
  paused: Number(row.paused) === 1,
  changedBy: row.changed_by,
  changedAt: row.changed_at,
  reason: row.reason,
});

const toAction = (row: ActionRow): OperatorAction => ({
  id: Number(row.id),
  connector: row.connector,
  action: row.action,
  actor: row.actor,
  at: row.at,
  details: fromJsonOrNull<Record<string, unknown>>(row.details),
});

export async function getRunControl(db: Db, connector: string): Promise<RunControl | null> {
  const row = await db.selectFrom('run_control').selectAll().where('connector', '=', connector).executeTakeFirst();
  return row ? toRunControl(row) : null;
}

export async function listRunControl(db: Db): Promise<RunControl[]> {
  return (await db.selectFrom('run_control').selectAll().orderBy('connector').execute()).map(toRunControl);
}

export async function setRunControl(db: Db, params: { connector: string; paused: boolean; actor: string; reason: string | null }, now: Date): Promise<RunControl> {
  const values = { paused: params.paused ? 1 : 0, changed_by: params.actor, changed_at: iso(now), reason: params.reason };
  await db
    .insertInto('run_control')
    .values({ connector: params.connector, ...values })
    .onConflict((oc) => oc.column('connector').doUpdateSet(values))
    .execute();
  return { connector: params.connector, paused: params.paused, changedBy: params.actor, changedAt: values.changed_at, reason: params.reason };
}

export async function addOperatorAction(db: Db, entry: NewOperatorAction, now: Date): Promise<OperatorAction> {
  const row = await db
    .insertInto('operator_actions')
    .values({ connector: entry.connector, action: entry.action, actor: entry.actor, at: iso(now), details: entry.details === null ? null : toJson(entry.details) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAction(row);
}

/** Newest first. */
export async function listOperatorActions(db: Db, filter: { connector?: string; limit?: number }): Promise<OperatorAction[]> {
  let query = db.selectFrom('operator_actions').selectAll();
  if (filter.connector !== undefined) query = query.where('connector', '=', filter.connector);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
  return rows.map(toAction);
}
