/**
 * Runs every connector instance on its cron schedule and the R13 expiry sweep on its own. Runs of
 * one instance never overlap: a tick that finds the previous run still going is skipped and logged.
 * One AbortController drives everything: stopping aborts running syncs (the engine finishes its
 * current page) and waits for them up to a bound. A run that applied changes to co-sell is followed
 * at once by a push run of every other instance (one still running gets its push run when it ends),
 * so a change reaches the other side without waiting for that side's next tick; push runs read
 * nothing and cost API calls only for what they write.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledConnector } from '../app';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { RunSummary, SyncEngine } from '../sync/types';
import type { Liveness } from './liveness';
import { assertCronExpression, type CronJob, type ScheduleFn } from './cron';

export const DEFAULT_SWEEP_SCHEDULE = '*/15 * * * *';
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
const SWEEP = 'expiry-sweep';

export interface SchedulerDeps {
  engine: SyncEngine;
  logger: Logger;
  metrics: Metrics;
  schedule: ScheduleFn;
  /** The R13 expiry sweep (store + clock bound by the caller). */
  sweep: () => Promise<{ expired: readonly unknown[] } | null>;
  /** Whether an operator paused the instance (run control); a paused instance starts no run. */
  isPaused?: (connector: string) => Promise<boolean>;
  /** Log the `sync.run` line and record metrics of finished runs (off when the engine does it). Default true. */
  reportRuns?: boolean;
  /** Told when work is due, moves and ends (for /healthz). */
  liveness?: Liveness;
  /** Called after each run and sweep (the notifications tick). */
  afterRun?: () => void;
}

export interface StopOutcome {
  /** Instances still running when the bound was reached. */
  unfinished: string[];
}

export class Scheduler {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly controller = new AbortController();
  private jobs: CronJob[] = [];
  private stopping = false;
  private names: string[] = [];
  /** Instances owed a push run once their current run ends. */
  private readonly pushOwed = new Set<string>();

  constructor(private readonly deps: SchedulerDeps) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Names of what is running now (instances and the sweep). */
  busy(): string[] {
    return [...this.running.keys()];
  }

  /** Validates every expression first, so a bad one schedules nothing. */
  start(params: { connectors: readonly ScheduledConnector[]; sweepSchedule?: string; runOnStart?: boolean }): void {
    if (this.stopping) return;
    const sweepSchedule = params.sweepSchedule ?? DEFAULT_SWEEP_SCHEDULE;
    for (const c of params.connectors) assertCronExpression(c.schedule, `connector ${c.name} schedule`);
    assertCronExpression(sweepSchedule, 'expiry sweep schedule');
    this.names = params.connectors.map((c) => c.name);
    for (const c of params.connectors) {
      this.jobs.push(this.deps.schedule({ expression: c.schedule, name: `sync:${c.name}`, tick: () => void this.runInstance(c.name) }));
    }
    this.jobs.push(this.deps.schedule({ expression: sweepSchedule, name: SWEEP, tick: () => void this.runSweep() }));
    this.deps.logger.info('scheduler started', {
      event: 'daemon.scheduled',
      connectors: params.connectors.map((c) => `${c.name} (${c.schedule})`),
      sweep: sweepSchedule,
    });
    if (params.runOnStart === true) for (const c of params.connectors) void this.runInstance(c.name);
  }

  /** One run of one instance, unless one is going or we are stopping (then null). Never throws. */
  runInstance(connector: string): Promise<RunSummary | null> {
    if (this.skipped(connector)) return Promise.resolve(null);
    return this.tracked(connector, false);
  }

  /** A push run of one instance (nothing read); owed until its current run ends if one is going. */
  pushInstance(connector: string): Promise<RunSummary | null> {
    if (this.stopping) return Promise.resolve(null);
    if (this.running.has(connector)) {
      this.pushOwed.add(connector);
      return Promise.resolve(null);
    }
    return this.tracked(connector, true);
  }

  private tracked(connector: string, pushOnly: boolean): Promise<RunSummary | null> {
    return this.track(connector, this.executeUnlessPaused(connector, pushOnly))
      .then((summary) => {
        this.followUp(connector, summary, pushOnly);
        return summary;
      })
      .finally(() => this.deps.afterRun?.());
  }

  /** After a run: the other instances push what it applied; a push owed to this one goes now. */
  private followUp(connector: string, summary: RunSummary | null, pushOnly: boolean): void {
    if (this.stopping) return;
    if (this.pushOwed.delete(connector)) void this.pushInstance(connector);
    if (pushOnly || summary === null || summary.error !== null || summary.applied === 0) return;
    for (const other of this.names) if (other !== connector) void this.pushInstance(other);
  }

  /** One expiry sweep, unless one is going. Never throws. */
  runSweep(): Promise<number | null> {
    if (this.skipped(SWEEP)) return Promise.resolve(null);
    return this.track(SWEEP, this.sweep()).finally(() => this.deps.afterRun?.());
  }

  /** Stops scheduling, aborts running syncs and waits for them at most `timeoutMs`. */
  async stop(reason: string, timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS): Promise<StopOutcome> {
    if (!this.stopping) {
      this.stopping = true;
      for (const job of this.jobs) job.stop();
      this.jobs = [];
      this.controller.abort(new Error(`daemon stopping: ${reason}`));
    }
    const pending = [...this.running.values()];
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([Promise.allSettled(pending).then(() => 'done' as const), bound]);
    clearTimeout(timer);
    const unfinished = result === 'timeout' ? this.busy() : [];
    if (unfinished.length > 0) this.deps.logger.warn('stop bound reached; runs left unfinished', { event: 'daemon.stop', unfinished, timeoutMs });
    return { unfinished };
  }

  /** Resolves once nothing runs any more (used after the stop bound: the store never closes under a run). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private skipped(name: string): boolean {
    if (!this.stopping) this.deps.liveness?.due(name);
    const reason = this.stopping ? 'stopping' : this.running.has(name) ? 'overlap' : null;
    if (reason === null) return false;
    this.deps.logger.warn(reason === 'overlap' ? 'run skipped: the previous one is still going' : 'run skipped: stopping', {
      event: 'sync.skip',
      connector: name,
      reason,
    });
    this.deps.metrics.recordSkip(name, reason);
    return true;
  }

  private async track<T>(name: string, work: Promise<T>): Promise<T> {
    this.running.set(name, work);
    try {
      return await work;
    } finally {
      this.running.delete(name);
      this.deps.liveness?.done(name);
    }
  }

  /** Read at every start, so a pause set by any worker, the CLI or the console holds here too. */
  private executeUnlessPaused(connector: string, pushOnly: boolean): Promise<RunSummary | null> {
    const isPaused = this.deps.isPaused;
    return isPaused === undefined ? this.execute(connector, pushOnly) : this.checkThenExecute(connector, isPaused, pushOnly);
  }

  private async checkThenExecute(connector: string, isPaused: (connector: string) => Promise<boolean>, pushOnly: boolean): Promise<RunSummary | null> {
    let paused: boolean;
    try {
      paused = await isPaused(connector);
    } catch (error) {
      // Without the run control we cannot know an operator did not pause it: start nothing.
      this.deps.logger.error('run skipped: run control unreadable', { event: 'sync.skip', connector, reason: 'run-control', err: error });
      return null;
    }
    if (!paused) return this.execute(connector, pushOnly);
    this.deps.logger.info('run skipped: the instance is paused', { event: 'sync.skip', connector, reason: 'paused' });
    this.deps.metrics.recordSkip(connector, 'paused');
    return null;
  }

  private async execute(connector: string, pushOnly: boolean): Promise<RunSummary> {
    const started = Date.now();
    let summary: RunSummary;
    let threw = false;
    try {
      summary = await this.deps.engine.runOnce({ connector, signal: this.controller.signal, onProgress: () => this.deps.liveness?.progress(connector), ...(pushOnly ? { pushOnly } : {}) });
    } catch (error) {
      threw = true;
      const message = error instanceof Error ? error.message : String(error);
      summary = { runId: `failed-${randomUUID()}`, connector, dryRun: false, pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 0, apiCalls: 0, durationMs: Date.now() - started, planned: [], error: message };
    }
    if (threw || this.deps.reportRuns !== false) this.report(summary, pushOnly);
    return summary;
  }

  /** The one summary line of a run (architecture.md, Logs) and its metrics. */
  private report(summary: RunSummary, pushOnly: boolean): void {
    this.deps.metrics.recordRun(summary);
    const { planned: _planned, ...line } = summary;
    const log = this.deps.logger.child({ connector: summary.connector, runId: summary.runId });
    const kind = pushOnly ? { pushOnly } : {};
    if (summary.error === null) log.info('sync run', { ...line, ...kind, event: 'sync.run' });
    else log.error('sync run failed', { ...line, ...kind, event: 'sync.run' });
  }

  private async sweep(): Promise<number> {
    try {
      const result = await this.deps.sweep();
      const expired = result?.expired.length ?? 0;
      this.deps.logger.info('expiry sweep', { event: 'expiry.sweep', expired, skipped: result === null });
      return expired;
    } catch (error) {
      this.deps.logger.error('expiry sweep failed', { event: 'expiry.sweep', err: error });
      return 0;
    }
  }
}
