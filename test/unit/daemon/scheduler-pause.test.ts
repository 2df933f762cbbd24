/** The scheduler honours run control: a paused instance starts no run, by cron or on demand. */
import { Scheduler } from '../../../src/daemon/scheduler';
import { Metrics } from '../../../src/metrics';
import type { RunOptions, RunSummary, SyncEngine } from '../../../src/sync/types';
import { ManualCron, MemoryLogger } from './fakes';

class CountingEngine implements SyncEngine {
  readonly runs: RunOptions[] = [];
  connectorNames = (): string[] => ['sf-main', 'dyn-main'];
  async runOnce(options: RunOptions): Promise<RunSummary> {
    this.runs.push(options);
    return { runId: `r${this.runs.length}`, connector: options.connector, dryRun: false, pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 0, apiCalls: 0, durationMs: 1, planned: [], error: null };
  }
  retryDeadLetter = async () => ({ ok: true, message: '' });
  resolveConflict = async () => ({ ok: true, message: '' });
  resyncRecord = async () => ({ ok: true, dryRun: false, message: '', planned: [] });
}

function setup(isPaused: (connector: string) => Promise<boolean>) {
  const cron = new ManualCron();
  const logger = new MemoryLogger();
  const engine = new CountingEngine();
  const scheduler = new Scheduler({ engine, logger, metrics: new Metrics(), schedule: cron.schedule, sweep: async () => null, isPaused });
  scheduler.start({ connectors: [{ name: 'sf-main', kind: 'salesforce', schedule: '*/5 * * * *' }, { name: 'dyn-main', kind: 'dynamics', schedule: '*/5 * * * *' }] });
  return { cron, logger, engine, scheduler };
}

describe('Scheduler run control', () => {
  it('starts no run of a paused instance and keeps running the others', async () => {
    const paused = new Set(['sf-main']);
    const { logger, engine, scheduler } = setup(async (c) => paused.has(c));
    expect(await scheduler.runInstance('sf-main')).toBeNull();
    expect(await scheduler.runInstance('dyn-main')).not.toBeNull();
    expect(engine.runs.map((r) => r.connector)).toEqual(['dyn-main']);
    expect(logger.lines.find((l) => l.meta['event'] === 'sync.skip')?.meta).toMatchObject({ connector: 'sf-main', reason: 'paused' });
    paused.delete('sf-main');
    expect(await scheduler.runInstance('sf-main')).not.toBeNull();
    expect(engine.runs.map((r) => r.connector)).toEqual(['dyn-main', 'sf-main']);
    await scheduler.stop('test');
  });

  it('reads the pause at every cron tick', async () => {
    let paused = true;
    const { cron, engine, scheduler } = setup(async () => paused);
    cron.fire('sync:sf-main');
    await new Promise((resolve) => setImmediate(resolve));
    expect(engine.runs).toHaveLength(0);
    paused = false;
    cron.fire('sync:sf-main');
    await new Promise((resolve) => setImmediate(resolve));
    expect(engine.runs).toHaveLength(1);
    await scheduler.stop('test');
  });

  it('starts nothing when the run control cannot be read', async () => {
    const { logger, engine, scheduler } = setup(async () => {
      throw new Error('store down');
    });
    expect(await scheduler.runInstance('sf-main')).toBeNull();
    expect(engine.runs).toHaveLength(0);
    expect(logger.lines.some((l) => l.level === 'error' && l.meta['reason'] === 'run-control')).toBe(true);
    await scheduler.stop('test');
  });
});
