/**
 * Liveness that means it: /healthz fails while scheduled work has made no progress for longer than
 * the bound, and /metrics answers while the store's only pooled connection is held.
 */
import { Liveness } from '../../../src/daemon/liveness';
import { Scheduler } from '../../../src/daemon/scheduler';
import { createHttpServer } from '../../../src/http/server';
import { silentLogger } from '../../../src/log';
import { Metrics } from '../../../src/metrics';
import { createStore } from '../../../src/store';
import { freshPostgresSchema } from '../../helpers/postgres-schema';
import { ManualCron, deferred } from '../../unit/daemon/fakes';
import { createHarness, type Harness } from '../cli/harness';

// Real HTTP and real SQL on a shared, loaded runner: jest's 5 s default is too short.
jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.cleanup());

describe('/healthz', () => {
  it('503 naming the instance once a due run made no progress for longer than the bound; 200 again when it ends', async () => {
    let now = 0;
    const liveness = new Liveness(60_000, () => now);
    const cron = new ManualCron();
    const metrics = new Metrics();
    const scheduler = new Scheduler({ engine: h.engine, logger: silentLogger, metrics, schedule: cron.schedule, sweep: async () => null, liveness });
    scheduler.start({ connectors: [{ name: 'sf-main', kind: 'salesforce', schedule: '* * * * *' }] });
    const server = createHttpServer({ app: h.app, metrics, liveness });
    try {
      const gate = deferred();
      h.engine.gate = gate.promise;
      cron.fire('sync:sf-main');
      now = 30_000;
      cron.fire('sync:sf-main'); // skipped: the run is still going, and the work still due
      now = 60_000;
      expect((await server.inject({ url: '/healthz' })).statusCode).toBe(200);
      now = 60_001;
      const stalled = await server.inject({ url: '/healthz' });
      expect(stalled.statusCode).toBe(503);
      expect(stalled.json()).toEqual({ status: 'stalled', reason: 'work was due with no progress', waiting: [{ name: 'sf-main', sinceMs: 60_001 }] });
      gate.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      await scheduler.stop('test', 1000);
      expect((await server.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await scheduler.stop('test', 1000);
      await server.close();
    }
  });

  it('a run that applies pages keeps it healthy however long it lasts', async () => {
    let now = 0;
    const liveness = new Liveness(60_000, () => now);
    const cron = new ManualCron();
    const metrics = new Metrics();
    const gate = deferred();
    let progress: (() => void) | undefined;
    const engine = Object.assign(Object.create(h.engine) as typeof h.engine, {
      runOnce: async (options: { connector: string; onProgress?: () => void }) => {
        progress = options.onProgress;
        await gate.promise;
        return h.engine.runOnce(options);
      },
    });
    const scheduler = new Scheduler({ engine, logger: silentLogger, metrics, schedule: cron.schedule, sweep: async () => null, liveness });
    scheduler.start({ connectors: [{ name: 'sf-main', kind: 'salesforce', schedule: '* * * * *' }] });
    const server = createHttpServer({ app: h.app, metrics, liveness });
    try {
      cron.fire('sync:sf-main');
      for (let minute = 1; minute <= 5; minute += 1) {
        now = minute * 50_000;
        progress?.();
        expect((await server.inject({ url: '/healthz' })).statusCode).toBe(200);
      }
      now += 60_001;
      expect((await server.inject({ url: '/healthz' })).statusCode).toBe(503);
    } finally {
      gate.resolve();
      await scheduler.stop('test', 1000);
      await server.close();
    }
  });
});

describe('/metrics', () => {
  it('PostgreSQL pool of 1 held by a transaction: /metrics still answers, with the counters', async () => {
    const pg = await freshPostgresSchema('metrics');
    const store = await createStore({ kind: 'postgres', url: pg.url, schema: pg.schema, poolSize: 1 });
    const metrics = new Metrics();
    const server = createHttpServer({ app: { ...h.app, store }, metrics, metricsStoreWaitMs: 200 });
    const release = deferred();
    const holding = deferred();
    const held = store.transaction(async (tx) => {
      await tx.setCursor('held', 'x', new Date());
      holding.resolve();
      await release.promise;
    });
    try {
      await holding.promise;
      metrics.recordRun({ runId: 'r1', connector: 'sf-main', dryRun: false, pulled: 1, applied: 1, pushed: 0, conflicts: 0, deadLetters: 0, apiCalls: 2, durationMs: 5, planned: [], error: null });
      const first = await server.inject({ url: '/metrics' });
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('cosell_sync_api_calls_total{connector="sf-main"} 2');
      // A second scrape joins the refresh still waiting for the pool, rather than queueing another.
      expect((await server.inject({ url: '/metrics' })).statusCode).toBe(200);
    } finally {
      release.resolve();
      await held;
      await server.close();
      await store.close();
      await pg.drop();
    }
  });
});
