/** Per connector instance: last run, lag, cursor age, counts and last error (`status`, GET /api/status). */
import { grantHealth, type GrantHealth } from '../../partner-center/grant-monitor';
import { signInCommand } from '../../ports/grant';
import type { StateStore, SyncRun } from '../../store/types';

export interface InstanceStatus {
  connector: string;
  lastRun: SyncRun | null;
  /** Seconds since the last successful run finished; null before the first one. */
  lagSeconds: number | null;
  cursor: string | null;
  /** Seconds since the cursor last moved; null when it never did. */
  cursorAgeSeconds: number | null;
  counts: {
    pulled: number;
    applied: number;
    pushed: number;
    apiCalls: number;
    conflictsPending: number;
    deadLetters: number;
    outbox: number;
  };
  lastError: string | null;
  /** The delegated sign-in of this instance (Partner Center), ready or not with the reason; null for CRMs. */
  grant: GrantHealth | null;
}

const SCAN_LIMIT = 10_000;

function secondsSince(now: Date, iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  return Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
}

/**
 * `names`: the configured instances (the engine knows them); store-only callers pass none and get
 * every instance the store has a run for.
 */
export async function instanceStatus(store: StateStore, now: Date, names: readonly string[] = [], configPath?: string): Promise<InstanceStatus[]> {
  const rows = await runStatus(store, now, names);
  for (const stored of await store.listGrants()) {
    const grant = grantHealth(stored.name, stored, signInCommand(stored.name, configPath));
    const row = rows.find((r) => r.connector === stored.name);
    if (row) row.grant = grant;
    else rows.push({ ...emptyStatus(stored.name), grant });
  }
  return rows.sort((a, b) => a.connector.localeCompare(b.connector));
}

const emptyStatus = (connector: string): InstanceStatus => ({
  connector, lastRun: null, lagSeconds: null, cursor: null, cursorAgeSeconds: null,
  counts: { pulled: 0, applied: 0, pushed: 0, apiCalls: 0, conflictsPending: 0, deadLetters: 0, outbox: 0 },
  lastError: null, grant: null,
});

async function runStatus(store: StateStore, now: Date, names: readonly string[]): Promise<InstanceStatus[]> {
  const runs = await store.lastRuns();
  const byName = new Map(runs.map((r) => [r.connector, r]));
  const all = [...new Set([...names, ...runs.map((r) => r.connector)])].sort();
  return Promise.all(
    all.map(async (connector): Promise<InstanceStatus> => {
      const run = byName.get(connector) ?? null;
      const [cursor, outbox, conflicts, letters] = await Promise.all([
        store.getCursor(connector),
        store.countOutbox(connector),
        store.listConflicts({ connector, status: 'pending', limit: SCAN_LIMIT }),
        store.listDeadLetters({ connector, unresolvedOnly: true, limit: SCAN_LIMIT }),
      ]);
      return {
        connector,
        lastRun: run,
        lagSeconds: run?.status === 'ok' ? secondsSince(now, run.finishedAt) : null,
        cursor: cursor?.cursor ?? null,
        cursorAgeSeconds: secondsSince(now, cursor?.updatedAt),
        counts: {
          pulled: run?.pulled ?? 0,
          applied: run?.applied ?? 0,
          pushed: run?.pushed ?? 0,
          apiCalls: run?.apiCalls ?? 0,
          conflictsPending: conflicts.length,
          deadLetters: letters.length,
          outbox,
        },
        lastError: run?.error ?? null,
        grant: null,
      };
    }),
  );
}
