/** A run whose worker died before reporting its end is marked abandoned by the next run of that instance. */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/log';
import { sfOpportunity, startSyncHarness } from './harness';

// Real HTTP and real SQL on a shared, loaded runner: jest's 5 s default is too short.
jest.setTimeout(60_000);

describe.each(['sqlite', 'postgres'] as const)('abandoned runs, %s store', (store) => {
  it('the next run of the instance marks a dead worker\'s run abandoned; other instances\' runs are left alone', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const h = await startSyncHarness({ store, logger: createLogger({ stream, format: 'json' }) });
    try {
      h.sf.seed([sfOpportunity()]);
      // What a worker killed mid-run leaves behind: started, never finished.
      await h.store.startRun({ runId: 'dead-sf', connector: 'sf' }, h.clock.now());
      await h.store.startRun({ runId: 'dead-dyn', connector: 'dyn' }, h.clock.now());
      h.clock.advance(60_000);
      const summary = await h.engine.runOnce({ connector: 'sf' });
      expect(summary.error).toBeNull();
      const runs = await h.store.lastRuns();
      expect(runs.find((r) => r.connector === 'sf')).toMatchObject({ runId: summary.runId, status: 'ok' });
      expect(runs.find((r) => r.connector === 'dyn')).toMatchObject({ runId: 'dead-dyn', status: 'running' });
      const said = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['event'] === 'sync.abandoned');
      expect(said).toEqual([expect.objectContaining({ connector: 'sf', count: 1 })]);
      // The abandoned row is kept, with when it was found and why.
      await h.store.startRun({ runId: 'later', connector: 'other' }, h.clock.now());
      const count = await h.store.abandonRunningRuns('sf', h.clock.now());
      expect(count).toBe(0);
      expect(await h.store.abandonRunningRuns('dyn', h.clock.now())).toBe(1);
      const dyn = (await h.store.lastRuns()).find((r) => r.connector === 'dyn');
      expect(dyn).toMatchObject({ runId: 'dead-dyn', status: 'abandoned', finishedAt: h.clock.now().toISOString() });
      expect(dyn?.error).toContain('stopped before reporting its end');
    } finally {
      await h.close();
    }
  });
});
