/** What the sync engine offers the daemon, the CLI and the admin API. */

/** One line of a dry run: what would be written where, and why. */
export interface PlannedWrite {
  connector: string;
  /** `cosell` (the store), or the CRM side. */
  target: 'cosell' | 'crm';
  action: 'create' | 'update' | 'command' | 'conflict' | 'dead-letter' | 'skip';
  opportunityId: string | null;
  externalId: string | null;
  /** Field -> new value (CRM field names for CRM writes, co-sell paths for the store). */
  changes: Record<string, unknown>;
  reason: string;
}

export interface RunSummary {
  runId: string;
  connector: string;
  dryRun: boolean;
  pulled: number;
  applied: number;
  pushed: number;
  conflicts: number;
  deadLetters: number;
  apiCalls: number;
  durationMs: number;
  /** Filled on dry runs only. */
  planned: PlannedWrite[];
  error: string | null;
}

export interface RunOptions {
  connector: string;
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Called after each page applied (liveness). */
  onProgress?: () => void;
  /**
   * A push run: nothing is read from the CRM (or Partner Center); what co-sell changed since the
   * last push goes out. The scheduler runs one for every other instance as soon as a run applied
   * changes, so a change reaches the other side without waiting for that side's next tick.
   */
  pushOnly?: boolean;
}

/** The outcome of resyncing one CRM record; `planned` lists the writes a dry run would make. */
export interface RecordResync {
  ok: boolean;
  dryRun: boolean;
  message: string;
  planned: PlannedWrite[];
}

export interface SyncEngine {
  /** Names of the configured connector instances. */
  connectorNames(): string[];
  /** One pull + push pass for one connector instance. Never runs twice at once for one instance. */
  runOnce(options: RunOptions): Promise<RunSummary>;
  /** Replays one dead letter (re-reads the record or re-queues the push). */
  retryDeadLetter(id: number): Promise<{ ok: boolean; message: string }>;
  /** Settles a pending conflict and queues the writes it implies. */
  resolveConflict(id: number, keep: 'crm' | 'cosell'): Promise<{ ok: boolean; message: string }>;
  /** Re-reads one CRM record and syncs it (or, on a dry run, only says what that would write). */
  resyncRecord(params: { connector: string; externalId: string; dryRun: boolean }): Promise<RecordResync>;
}
