/**
 * Prometheus metrics (architecture.md, HTTP): records synced, conflicts, dead letters, API calls
 * and quota left, sync lag, run durations and outcomes. One Registry per Metrics object, never
 * prom-client's global one, so several apps (and tests) can live in one process.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StateStore } from './store/types';
import type { RunSummary } from './sync/types';

/** The quota part of a connector's `apiUsage()` (src/ports/connector.ts); calls are counted from run summaries. */
export interface QuotaReport {
  /** Used as the CRM last reported it (Salesforce `Sforce-Limit-Info`, Dataverse x-ms-ratelimit headers). */
  used: number | null;
  limit: number | null;
}

const PREFIX = 'cosell_sync_';
/** Enough to count every open conflict and dead letter of a healthy install in one scrape. */
const SCAN_LIMIT = 10_000;
/** Run ids remembered so that a run reported twice (engine hook and scheduler) counts once. */
const SEEN_RUNS = 1000;

export class Metrics {
  readonly registry = new Registry();
  private readonly recordsSynced: Counter<'connector' | 'direction'>;
  private readonly conflictsTotal: Counter<'connector' | 'kind'>;
  private readonly conflictsPending: Gauge<'kind'>;
  private readonly deadLetters: Gauge<'connector'>;
  private readonly apiCalls: Counter<'connector'>;
  private readonly quotaRemaining: Gauge<'connector'>;
  private readonly quotaUsed: Gauge<'connector'>;
  private readonly seenRuns = new Set<string>();
  private readonly quotaLimit: Gauge<'connector'>;
  private readonly lag: Gauge<'connector'>;
  private readonly runDuration: Histogram<'connector'>;
  private readonly runs: Counter<'connector' | 'status'>;
  private readonly skipped: Counter<'connector' | 'reason'>;
  private readonly outbox: Gauge<'connector'>;

  constructor() {
    const registers = [this.registry];
    this.recordsSynced = new Counter({
      name: `${PREFIX}records_synced_total`,
      help: 'Records synced, by connector instance and direction (pull: applied to co-sell, push: written to the CRM).',
      labelNames: ['connector', 'direction'],
      registers,
    });
    this.conflictsTotal = new Counter({
      name: `${PREFIX}conflicts_total`,
      help: 'Conflicts detected, by connector instance and kind (field, terminal, run when the kind is not reported).',
      labelNames: ['connector', 'kind'],
      registers,
    });
    this.conflictsPending = new Gauge({ name: `${PREFIX}conflicts_pending`, help: 'Conflicts waiting for a decision, by kind.', labelNames: ['kind'], registers });
    this.deadLetters = new Gauge({ name: `${PREFIX}dead_letters`, help: 'Unresolved dead letters, by connector instance.', labelNames: ['connector'], registers });
    this.apiCalls = new Counter({ name: `${PREFIX}api_calls_total`, help: 'CRM API calls, by connector instance.', labelNames: ['connector'], registers });
    this.quotaRemaining = new Gauge({ name: `${PREFIX}api_quota_remaining`, help: 'CRM API quota left, as last reported by the CRM.', labelNames: ['connector'], registers });
    this.quotaUsed = new Gauge({ name: `${PREFIX}api_quota_used`, help: 'CRM API quota used, as last reported by the CRM.', labelNames: ['connector'], registers });
    this.quotaLimit = new Gauge({ name: `${PREFIX}api_quota_limit`, help: 'CRM API quota size, as last reported by the CRM.', labelNames: ['connector'], registers });
    this.lag = new Gauge({ name: `${PREFIX}lag_seconds`, help: 'Seconds since the last successful sync run finished, by connector instance.', labelNames: ['connector'], registers });
    this.runDuration = new Histogram({
      name: `${PREFIX}run_duration_seconds`,
      help: 'Duration of sync runs, by connector instance.',
      labelNames: ['connector'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.runs = new Counter({ name: `${PREFIX}runs_total`, help: 'Sync runs, by connector instance and outcome (ok, failed).', labelNames: ['connector', 'status'], registers });
    this.skipped = new Counter({ name: `${PREFIX}runs_skipped_total`, help: 'Scheduled runs skipped (previous run still going, lease held elsewhere).', labelNames: ['connector', 'reason'], registers });
    this.outbox = new Gauge({ name: `${PREFIX}outbox_pending`, help: 'Pushes waiting in the outbox, by connector instance.', labelNames: ['connector'], registers });
  }

  /** One finished run (dry runs wrote nothing and count only as runs). A run id seen before is ignored. */
  recordRun(summary: RunSummary): void {
    if (this.seenRuns.has(summary.runId)) return;
    this.seenRuns.add(summary.runId);
    if (this.seenRuns.size > SEEN_RUNS) this.seenRuns.delete(this.seenRuns.values().next().value ?? '');
    const connector = summary.connector;
    const status = summary.error === null ? 'ok' : 'failed';
    this.runs.inc({ connector, status });
    this.runDuration.observe({ connector }, summary.durationMs / 1000);
    if (summary.dryRun) return;
    this.recordsSynced.inc({ connector, direction: 'pull' }, summary.applied);
    this.recordsSynced.inc({ connector, direction: 'push' }, summary.pushed);
    this.apiCalls.inc({ connector }, summary.apiCalls);
    if (summary.conflicts > 0) this.conflictsTotal.inc({ connector, kind: 'run' }, summary.conflicts);
    if (status === 'ok') this.lag.set({ connector }, 0);
  }

  /** A conflict the engine detected, when it reports them one by one. */
  recordConflict(connector: string, kind: string): void {
    this.conflictsTotal.inc({ connector, kind });
  }

  recordSkip(connector: string, reason: 'overlap' | 'lease' | 'stopping' | 'paused'): void {
    this.skipped.inc({ connector, reason });
  }

  /** Quota as the CRM last reported it; a connector's `apiUsage()` fits as is. */
  setApiUsage(connector: string, usage: QuotaReport): void {
    if (usage.used !== null) this.quotaUsed.set({ connector }, usage.used);
    if (usage.limit !== null) this.quotaLimit.set({ connector }, usage.limit);
    if (usage.used !== null && usage.limit !== null) this.quotaRemaining.set({ connector }, Math.max(0, usage.limit - usage.used));
  }

  /** The quota last reported for one instance (used and limit), as set by `setApiUsage`. */
  async quotaOf(connector: string): Promise<QuotaReport> {
    const pick = async (gauge: Gauge<'connector'>): Promise<number | null> =>
      (await gauge.get()).values.find((v) => v.labels.connector === connector)?.value ?? null;
    return { used: await pick(this.quotaUsed), limit: await pick(this.quotaLimit) };
  }

  setLag(connector: string, seconds: number): void {
    this.lag.set({ connector }, Math.max(0, seconds));
  }

  /** Refreshes the gauges that mirror the store (called before each scrape). */
  async refreshFromStore(store: StateStore, now: Date): Promise<void> {
    const [runs, conflicts, letters] = await Promise.all([
      store.lastRuns(),
      store.listConflicts({ status: 'pending', limit: SCAN_LIMIT }),
      store.listDeadLetters({ unresolvedOnly: true, limit: SCAN_LIMIT }),
    ]);
    this.conflictsPending.reset();
    for (const [kind, count] of countBy(conflicts, (c) => c.kind)) this.conflictsPending.set({ kind }, count);
    this.deadLetters.reset();
    for (const [connector, count] of countBy(letters, (d) => d.connector)) this.deadLetters.set({ connector }, count);
    for (const run of runs) {
      this.outbox.set({ connector: run.connector }, await store.countOutbox(run.connector));
      const last = run.status === 'ok' ? run.finishedAt : null;
      if (last !== null) this.setLag(run.connector, (now.getTime() - Date.parse(last)) / 1000);
    }
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}
