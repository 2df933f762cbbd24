/** The scheduler: cron per instance, no overlapping runs, summary lines, bounded stop. */
import { ConfigError } from '../../../src/errors';
import { nodeCronSchedule } from '../../../src/daemon/cron';
import { DEFAULT_SWEEP_SCHEDULE, Scheduler } from '../../../src/daemon/scheduler';
import { Metrics } from '../../../src/metrics';
import type { RunOptions, RunSummary, SyncEngine } from '../../../src/sync/types';
import { ManualCron, MemoryLogger, deferred } from './fakes';

class GatedEngine implements SyncEngine {
  readonly runs: RunOptions[] = [];
  gate: Promise<void> | null = null;
  error: Error | null = null;
  /** What each run applied to co-sell (a push run never applies anything). */
  applied = 8;
  connectorNames(): string[] {
    return ['sf-main', 'dyn-main'];
  }
  async runOnce(options: RunOptions): Promise<RunSummary> {
    this.runs.push(options);
    const applied = options.pushOnly === true ? 0 : this.applied;
    if (this.gate !== null) await this.gate;
    if (this.error !== null) throw this.error;
    return { runId: `r${this.runs.length}`, connector: options.connector, dryRun: false, pulled: options.pushOnly === true ? 0 : 10, applied, pushed: 3, conflicts: 1, deadLetters: 2, apiCalls: 5, durationMs: 40, planned: [], error: null };
  }
  retryDeadLetter = async () => ({ ok: true, message: '' });
  resolveConflict = async () => ({ ok: true, message: '' });
  resyncRecord = async () => ({ ok: true, dryRun: false, message: '', planned: [] });
}

const connectors = [
  { name: 'sf-main', kind: 'salesforce', schedule: '*/5 * * * *' },
  { name: 'dyn-main', kind: 'dynamics', schedule: '0 * * * *' },
];

function setup(sweep = jest.fn(async () => ({ expired: ['opp-9'] })), reportRuns = true) {
  const cron = new ManualCron();
  const logger = new MemoryLogger();
  const engine = new GatedEngine();
  const metrics = new Metrics();
  const scheduler = new Scheduler({ engine, logger, metrics, schedule: cron.schedule, sweep, reportRuns });
  return { cron, logger, engine, metrics, scheduler, sweep };
}

describe('Scheduler', () => {
  it('schedules every instance on its cron and the expiry sweep every 15 minutes by default', () => {
    const { cron, scheduler } = setup();
    scheduler.start({ connectors });
    expect(cron.jobs.map((j) => [j.name, j.expression])).toEqual([
      ['sync:sf-main', '*/5 * * * *'],
      ['sync:dyn-main', '0 * * * *'],
      ['expiry-sweep', DEFAULT_SWEEP_SCHEDULE],
    ]);
    expect(DEFAULT_SWEEP_SCHEDULE).toBe('*/15 * * * *');
  });

  it('refuses an invalid cron expression before scheduling anything', () => {
    const { cron, scheduler } = setup();
    expect(() => scheduler.start({ connectors: [...connectors, { name: 'bad', kind: 'salesforce', schedule: 'every minute' }] })).toThrow(ConfigError);
    expect(cron.jobs).toHaveLength(0);
  });

  it('never overlaps runs of one instance: a tick during a run is skipped and logged', async () => {
    const { cron, engine, logger, scheduler, metrics } = setup();
    const gate = deferred();
    engine.gate = gate.promise;
    scheduler.start({ connectors });
    cron.fire('sync:sf-main');
    cron.fire('sync:sf-main');
    cron.fire('sync:dyn-main');
    expect(engine.runs.map((r) => r.connector)).toEqual(['sf-main', 'dyn-main']);
    expect(logger.events('sync.skip')).toEqual([expect.objectContaining({ level: 'warn', meta: expect.objectContaining({ connector: 'sf-main', reason: 'overlap' }) })]);
    gate.resolve();
    await scheduler.stop('test', 1000);
    expect(await metrics.text()).toMatch(/cosell_sync_runs_skipped_total\{connector="sf-main",reason="overlap"\} 1/);
  });

  it('runs an instance again once its previous run finished', async () => {
    const { engine, scheduler } = setup();
    expect(await scheduler.runInstance('sf-main')).not.toBeNull();
    expect(await scheduler.runInstance('sf-main')).not.toBeNull();
    expect(engine.runs).toHaveLength(2);
  });

  it('logs one summary line per run with event sync.run and the counts', async () => {
    const { logger, scheduler } = setup();
    await scheduler.runInstance('sf-main');
    const lines = logger.events('sync.run');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      meta: { connector: 'sf-main', runId: 'r1', pulled: 10, applied: 8, pushed: 3, conflicts: 1, deadLetters: 2, apiCalls: 5, durationMs: 40, error: null },
    });
    expect(lines[0]?.meta).not.toHaveProperty('planned');
  });

  it('leaves the summary line to an engine that reports its own runs, except for runs that threw', async () => {
    const { engine, logger, scheduler } = setup(undefined, false);
    await scheduler.runInstance('sf-main');
    expect(logger.events('sync.run')).toHaveLength(0);
    engine.error = new Error('connection reset');
    await scheduler.runInstance('sf-main');
    expect(logger.events('sync.run')).toEqual([expect.objectContaining({ level: 'error', meta: expect.objectContaining({ error: 'connection reset' }) })]);
  });

  it('turns a thrown run into a failed summary line and never rejects', async () => {
    const { engine, logger, scheduler, metrics } = setup();
    engine.error = new Error('auth: token expired');
    const summary = await scheduler.runInstance('dyn-main');
    expect(summary?.error).toBe('auth: token expired');
    expect(logger.events('sync.run')).toEqual([expect.objectContaining({ level: 'error' })]);
    expect(await metrics.text()).toMatch(/cosell_sync_runs_total\{connector="dyn-main",status="failed"\} 1/);
  });

  it('runOnStart runs every instance once right away', async () => {
    const { engine, scheduler } = setup();
    scheduler.start({ connectors, runOnStart: true });
    await scheduler.stop('test', 1000);
    expect(engine.runs.map((r) => r.connector)).toEqual(['sf-main', 'dyn-main']);
  });

  it('runs the expiry sweep on its tick and logs what expired; a sweep never overlaps', async () => {
    const gate = deferred();
    const sweep = jest.fn(async () => {
      await gate.promise;
      return { expired: ['opp-9'] };
    });
    const { cron, logger, scheduler } = setup(sweep);
    scheduler.start({ connectors, sweepSchedule: '*/1 * * * *' });
    cron.fire('expiry-sweep');
    cron.fire('expiry-sweep');
    gate.resolve();
    await scheduler.stop('test', 1000);
    expect(sweep).toHaveBeenCalledTimes(1);
    expect(logger.events('expiry.sweep')).toEqual([expect.objectContaining({ meta: expect.objectContaining({ expired: 1 }) })]);
  });

  it('stop stops the cron jobs, aborts running syncs and waits for them to finish their page', async () => {
    const { cron, engine, scheduler } = setup();
    const gate = deferred();
    engine.gate = gate.promise;
    scheduler.start({ connectors });
    cron.fire('sync:sf-main');
    const stopping = scheduler.stop('SIGTERM', 5000);
    expect(engine.runs[0]?.signal?.aborted).toBe(true);
    expect(cron.jobs.every((j) => j.stopped)).toBe(true);
    gate.resolve();
    expect(await stopping).toEqual({ unfinished: [] });
    expect(await scheduler.runInstance('sf-main')).toBeNull();
  });

  it('stop returns within its bound when a run does not finish, naming it', async () => {
    const { cron, engine, scheduler, logger } = setup();
    engine.gate = new Promise<void>(() => undefined);
    scheduler.start({ connectors });
    cron.fire('sync:dyn-main');
    expect(await scheduler.stop('SIGTERM', 20)).toEqual({ unfinished: ['dyn-main'] });
    expect(logger.lines.some((l) => l.meta['event'] === 'daemon.stop' && l.level === 'warn')).toBe(true);
  });

  it('fires a real node-cron schedule (every second) until stopped', async () => {
    let ticks = 0;
    const fired = deferred();
    const job = nodeCronSchedule({ expression: '* * * * * *', name: 'test-every-second', tick: () => {
      ticks += 1;
      fired.resolve();
    } });
    await fired.promise;
    job.stop();
    const after = ticks;
    await new Promise((r) => setTimeout(r, 1100));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(ticks).toBe(after);
  });
});

describe('Scheduler after stop', () => {
  it('schedules nothing when started after a stop (a stop that raced the start)', async () => {
    const cron = new ManualCron();
    const engine = new GatedEngine();
    const scheduler = new Scheduler({ engine, logger: new MemoryLogger(), metrics: new Metrics(), schedule: cron.schedule, sweep: async () => null });
    await scheduler.stop('early', 100);
    scheduler.start({ connectors, runOnStart: true });
    expect(cron.jobs).toHaveLength(0);
    expect(engine.runs).toHaveLength(0);
  });
});

describe('Scheduler: push runs after a run that applied changes', () => {
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  const plain = (runs: RunOptions[]): Array<[string, boolean]> => runs.map((r) => [r.connector, r.pushOnly === true]);

  it('a run that applied changes is followed at once by a push run of every other instance, which reads nothing and is followed by nothing', async () => {
    const { cron, engine, logger, scheduler } = setup();
    scheduler.start({ connectors });
    cron.fire('sync:sf-main');
    await settle();
    expect(plain(engine.runs)).toEqual([
      ['sf-main', false],
      ['dyn-main', true],
    ]);
    expect(logger.events('sync.run').map((l) => [l.meta['connector'], l.meta['pushOnly'] ?? false])).toEqual([
      ['sf-main', false],
      ['dyn-main', true],
    ]);
    await scheduler.stop('test', 1000);
  });

  it('a run that applied nothing, or failed, is followed by nothing', async () => {
    const { cron, engine, scheduler } = setup();
    scheduler.start({ connectors });
    engine.applied = 0;
    cron.fire('sync:sf-main');
    await settle();
    engine.applied = 8;
    engine.error = new Error('CRM down');
    cron.fire('sync:sf-main');
    await settle();
    expect(plain(engine.runs)).toEqual([
      ['sf-main', false],
      ['sf-main', false],
    ]);
    await scheduler.stop('test', 1000);
  });

  it('an instance still running gets its push run when its run ends', async () => {
    const { cron, engine, scheduler } = setup();
    scheduler.start({ connectors });
    const gate = deferred();
    engine.gate = gate.promise;
    engine.applied = 0;
    cron.fire('sync:dyn-main'); // a long Dynamics run that applies nothing
    engine.applied = 8;
    engine.gate = null;
    await scheduler.runInstance('sf-main'); // applies changes while Dynamics runs
    await settle();
    expect(plain(engine.runs)).toEqual([
      ['dyn-main', false],
      ['sf-main', false],
    ]);
    gate.resolve();
    await settle();
    expect(plain(engine.runs)).toEqual([
      ['dyn-main', false],
      ['sf-main', false],
      ['dyn-main', true],
    ]);
    await scheduler.stop('test', 1000);
  });

  it('starts no push run once stopping, and none for a paused instance', async () => {
    const cron = new ManualCron();
    const engine = new GatedEngine();
    const scheduler = new Scheduler({ engine, logger: new MemoryLogger(), metrics: new Metrics(), schedule: cron.schedule, sweep: async () => null, isPaused: async (c) => c === 'dyn-main' });
    scheduler.start({ connectors });
    cron.fire('sync:sf-main');
    await settle();
    expect(plain(engine.runs)).toEqual([['sf-main', false]]);
    const gate = deferred();
    engine.gate = gate.promise;
    const unpaused = new Scheduler({ engine, logger: new MemoryLogger(), metrics: new Metrics(), schedule: new ManualCron().schedule, sweep: async () => null });
    unpaused.start({ connectors });
    const run = unpaused.runInstance('sf-main');
    const stopped = unpaused.stop('test', 1000);
    gate.resolve();
    await run;
    await stopped;
    await settle();
    expect(plain(engine.runs)).toEqual([
      ['sf-main', false],
      ['sf-main', false],
    ]);
    await scheduler.stop('test', 1000);
  });
});
