/**
 * Runs every connector instance on its cron schedule and the R13 expiry sweep on its own. Runs of
 * one instance never overlap: a tick that finds the previous run still going is skipped and logged.
 * One AbortController drives everything: stopping aborts running syncs (the engine finishes its
 * current page) and waits for them up to a bound.
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
    return this.track(connector, this.executeUnlessPaused(connector)).finally(() => this.deps.afterRun?.());
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
  private executeUnlessPaused(connector: string): Promise<RunSummary | null> {
    const isPaused = this.deps.isPaused;
    return isPaused === undefined ? this.execute(connector) : this.checkThenExecute(connector, isPaused);
  }

  private async checkThenExecute(connector: string, isPaused: (connector: string) => Promise<boolean>): Promise<RunSummary | null> {
    let paused: boolean;
    try {
      paused = await isPaused(connector);
    } catch (error) {
      // Without the run control we cannot know an operator did not pause it: start nothing.
      this.deps.logger.error('run skipped: run control unreadable', { event: 'sync.skip', connector, reason: 'run-control', err: error });
      return null;
    }
    if (!paused) return this.execute(connector);
    this.deps.logger.info('run skipped: the instance is paused', { event: 'sync.skip', connector, reason: 'paused' });
    this.deps.metrics.recordSkip(connector, 'paused');
    return null;
  }

  private async execute(connector: string): Promise<RunSummary> {
    const started = Date.now();
    let summary: RunSummary;
    let threw = false;
    try {
      summary = await this.deps.engine.runOnce({ connector, signal: this.controller.signal, onProgress: () => this.deps.liveness?.progress(connector) });
    } catch (error) {
      threw = true;
      const message = error instanceof Error ? error.message : String(error);
      summary = { runId: `failed-${randomUUID()}`, connector, dryRun: false, pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 0, apiCalls: 0, durationMs: Date.now() - started, planned: [], error: message };
    }
    if (threw || this.deps.reportRuns !== false) this.report(summary);
    return summary;
  }

  /** The one summary line of a run (architecture.md, Logs) and its metrics. */
  private report(summary: RunSummary): void {
    this.deps.metrics.recordRun(summary);
    const { planned: _planned, ...line } = summary;
    const log = this.deps.logger.child({ connector: summary.connector, runId: summary.runId });
    if (summary.error === null) log.info('sync run', { ...line, event: 'sync.run' });
    else log.error('sync run failed', { ...line, event: 'sync.run' });
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
