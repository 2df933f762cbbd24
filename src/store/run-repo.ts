/** Sync runs: one row per pull/push cycle of a connector, for `status` and metrics. */
import { iso } from './rows';
import type { Db, SyncRunsTable } from './schema';
import type { SyncRun } from './types';

function toRun(row: SyncRunsTable): SyncRun {
  return {
    runId: row.run_id,
    connector: row.connector,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status as SyncRun['status'],
    pulled: Number(row.pulled),
    applied: Number(row.applied),
    pushed: Number(row.pushed),
    conflicts: Number(row.conflicts),
    deadLetters: Number(row.dead_letters),
    apiCalls: Number(row.api_calls),
    error: row.error,
  };
}

export async function startRun(db: Db, run: { runId: string; connector: string }, now: Date): Promise<void> {
  await db
    .insertInto('sync_runs')
    .values({
      run_id: run.runId,
      connector: run.connector,
      started_at: iso(now),
      finished_at: null,
      status: 'running',
      pulled: 0,
      applied: 0,
      pushed: 0,
      conflicts: 0,
      dead_letters: 0,
      api_calls: 0,
      error: null,
    })
    .execute();
}

/** Records the outcome; a run never started (crash before startRun) is inserted with started = finished. */
export async function finishRun(db: Db, run: Omit<SyncRun, 'startedAt' | 'finishedAt'>, now: Date): Promise<void> {
  const values = {
    finished_at: iso(now),
    status: run.status,
    pulled: run.pulled,
    applied: run.applied,
    pushed: run.pushed,
    conflicts: run.conflicts,
    dead_letters: run.deadLetters,
    api_calls: run.apiCalls,
    error: run.error,
  };
  await db
    .insertInto('sync_runs')
    .values({ run_id: run.runId, connector: run.connector, started_at: iso(now), ...values })
    .onConflict((oc) => oc.column('run_id').doUpdateSet(values))
    .execute();
}

/** The latest run of each connector. */
export async function lastRuns(db: Db): Promise<SyncRun[]> {
  const rows = await db
    .selectFrom('sync_runs as r')
    .selectAll()
    .where((eb) =>
      eb(
        'r.started_at',
        '=',
        eb.selectFrom('sync_runs as l').select((inner) => inner.fn.max('l.started_at').as('m')).whereRef('l.connector', '=', 'r.connector'),
      ),
    )
    .orderBy('r.connector')
    .orderBy('r.run_id')
    .execute();
  const latest = new Map<string, SyncRun>();
  for (const row of rows) latest.set(row.connector, toRun(row));
  return [...latest.values()];
}

/**
 * Marks the connector's runs still `running` as abandoned: called by the holder of the connector's
 * lease before it starts a run, so any such row belongs to a worker that died (or lost its lease)
 * before it could report its end.
 */
export async function abandonRunningRuns(db: Db, connector: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('sync_runs')
    .set({ status: 'abandoned', finished_at: iso(now), error: 'abandoned: the worker running it stopped before reporting its end' })
    .where('connector', '=', connector)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
