/** The Prometheus series the daemon exposes. */
import { Metrics } from '../../../src/metrics';
import type { RunSummary } from '../../../src/sync/types';

const summary = (overrides: Partial<RunSummary> = {}): RunSummary => ({
  runId: 'r1', connector: 'sf-main', dryRun: false, pulled: 12, applied: 9, pushed: 4, conflicts: 2, deadLetters: 1, apiCalls: 7, durationMs: 1500, planned: [], error: null, ...overrides,
});

describe('Metrics', () => {
  it('counts records synced by direction, API calls, conflicts, runs and durations', async () => {
    const m = new Metrics();
    m.recordRun(summary());
    m.recordRun(summary({ runId: 'r2', error: 'boom', applied: 1, pushed: 0 }));
    m.recordConflict('sf-main', 'terminal');
    const text = await m.text();
    expect(text).toContain('cosell_sync_records_synced_total{connector="sf-main",direction="pull"} 10');
    expect(text).toContain('cosell_sync_records_synced_total{connector="sf-main",direction="push"} 4');
    expect(text).toContain('cosell_sync_api_calls_total{connector="sf-main"} 14');
    expect(text).toContain('cosell_sync_conflicts_total{connector="sf-main",kind="terminal"} 1');
    expect(text).toContain('cosell_sync_runs_total{connector="sf-main",status="ok"} 1');
    expect(text).toContain('cosell_sync_runs_total{connector="sf-main",status="failed"} 1');
    expect(text).toContain('cosell_sync_run_duration_seconds_count{connector="sf-main"} 2');
    expect(text).toContain('cosell_sync_run_duration_seconds_bucket{le="2",connector="sf-main"} 2');
  });

  it('counts dry runs as runs only', async () => {
    const m = new Metrics();
    m.recordRun(summary({ dryRun: true }));
    const text = await m.text();
    expect(text).toContain('cosell_sync_runs_total{connector="sf-main",status="ok"} 1');
    expect(text).not.toContain('cosell_sync_records_synced_total{');
  });

  it('reports quota used, size and left, and lag', async () => {
    const m = new Metrics();
    m.setApiUsage('dyn-main', { used: 3, limit: 6000 });
    m.setApiUsage('sf-main', { used: null, limit: null });
    m.setLag('dyn-main', 42);
    const text = await m.text();
    expect(text).toContain('cosell_sync_api_quota_used{connector="dyn-main"} 3');
    expect(text).toContain('cosell_sync_api_quota_remaining{connector="dyn-main"} 5997');
    expect(text).toContain('cosell_sync_api_quota_limit{connector="dyn-main"} 6000');
    expect(text).not.toContain('connector="sf-main"');
    expect(text).toContain('cosell_sync_lag_seconds{connector="dyn-main"} 42');
  });

  it('counts a run reported twice (engine hook and scheduler) once', async () => {
    const m = new Metrics();
    m.recordRun(summary({ runId: 'same' }));
    m.recordRun(summary({ runId: 'same' }));
    expect(await m.text()).toContain('cosell_sync_runs_total{connector="sf-main",status="ok"} 1');
  });

  it('keeps its own registry: two instances do not share series', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.recordRun(summary());
    expect(await b.text()).not.toContain('cosell_sync_runs_total{');
  });
});
