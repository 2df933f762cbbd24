/**
 * The daemon over a real listening port (127.0.0.1, ephemeral): health, readiness, metrics, the
 * admin API, and a SIGTERM that stops everything within the bound.
 */
import { EventEmitter } from 'node:events';
import { startDaemon, type DaemonHandle } from '../../../src/daemon/daemon';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { anOutboundInput } from '../../unit/core/builders';
import { ManualCron, deferred } from '../../unit/daemon/fakes';
import { createHarness, type Harness } from '../cli/harness';


const token = { authorization: 'Bearer test-admin-token' };
let h: Harness;
let handle: DaemonHandle | null = null;

beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  if (handle !== null) await handle.stop('test cleanup').catch(() => undefined);
  handle = null;
  await h.cleanup();
});

function start(options: { shutdownTimeoutMs?: number } = {}) {
  const cron = new ManualCron();
  const signals = new EventEmitter();
  handle = startDaemon(h.app, { http: { port: 0, host: '127.0.0.1' }, schedule: cron.schedule, installSignalHandlers: true, signalSource: signals, ...options });
  return { cron, signals, handle };
}

describe('daemon over a real port', () => {
  it('serves health, readiness, metrics and the admin API, then stops on SIGTERM', async () => {
    const { cron, handle: d, signals } = start();
    const { httpAddress } = await d.ready;
    expect(httpAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const base = String(httpAddress);

    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', reasons: [] });

    cron.fire('sync:sf-main');
    await new Promise((r) => setImmediate(r));
    await h.store.addDeadLetter({ connector: 'sf-main', direction: 'push', externalId: null, opportunityId: null, reason: 'REQUIRED_FIELD_MISSING', code: 'validation', payload: null }, h.clock.now());
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('cosell_sync_records_synced_total{connector="sf-main",direction="pull"} 2');
    expect(text).toContain('cosell_sync_dead_letters{connector="sf-main"} 1');
    expect(text).toContain('cosell_sync_api_calls_total{connector="sf-main"} 4');

    expect((await fetch(`${base}/api/opportunities`)).status).toBe(401);
    const created = await fetch(`${base}/api/opportunities`, {
      method: 'POST',
      headers: { ...token, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'opp-1', ...anOutboundInput() }),
    });
    expect(created.status).toBe(201);
    const list = await fetch(`${base}/api/opportunities?view=outbound`, { headers: token });
    expect(((await list.json()) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual(['opp-1']);

    signals.emit('SIGTERM', 'SIGTERM');
    await d.done;
    expect(h.closedApps).toBe(1);
    expect(cron.jobs.every((j) => j.stopped)).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('routes POST /api/sync through the scheduler: a run already going answers 409', async () => {
    const { handle: d } = start();
    const base = String((await d.ready).httpAddress);
    const gate = deferred();
    h.engine.gate = gate.promise;
    const first = fetch(`${base}/api/sync/sf-main`, { method: 'POST', headers: token });
    while (h.engine.runs.length === 0) await new Promise((r) => setTimeout(r, 5));
    const second = await fetch(`${base}/api/sync/sf-main`, { method: 'POST', headers: token });
    expect(second.status).toBe(409);
    gate.resolve();
    expect((await first).status).toBe(200);
  });

  it('stops within the bound when a run never finishes its page, aborting it', async () => {
    const { cron, handle: d, signals } = start({ shutdownTimeoutMs: 50 });
    await d.ready;
    h.engine.gate = new Promise<void>(() => undefined);
    cron.fire('sync:dyn-main');
    signals.emit('SIGINT', 'SIGINT');
    await d.done;
    expect(h.engine.runs[0]?.signal?.aborted).toBe(true);
    expect(h.closedApps).toBe(1);
  });

  it('rejects done when it cannot start (invalid cron) and still closes the app', async () => {
    h.settings.connectors = [{ name: 'sf-main', kind: 'salesforce', schedule: 'often' }];
    const { handle: d } = start();
    await expect(d.done).rejects.toThrow(/invalid cron expression "often"/);
    expect(h.closedApps).toBe(1);
  });
});

describe('/readyz', () => {
  it('answers 503 with reasons until the configuration is loaded, and when the store fails', async () => {
    let loaded = false;
    const server = createHttpServer({ app: h.app, metrics: new Metrics(), readiness: () => ({ configLoaded: loaded, stopping: false }) });
    const before = await server.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({ status: 'not-ready', reasons: ['configuration not loaded yet'] });
    loaded = true;
    expect((await server.inject({ url: '/readyz' })).statusCode).toBe(200);
    const broken = createHttpServer({
      app: { ...h.app, store: { ...h.store, countOutbox: async () => Promise.reject(new Error('database is locked')) } },
      metrics: new Metrics(),
    });
    const res = await broken.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ reasons: ['store error: database is locked'] });
    await server.close();
    await broken.close();
  });
});
