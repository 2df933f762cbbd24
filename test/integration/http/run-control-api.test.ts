/** The run control admin API through fastify's inject, against a real SQLite store and a fake engine. */
import type { FastifyInstance } from 'fastify';
import { startDaemon, type DaemonHandle } from '../../../src/daemon/daemon';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { createHarness, type Harness } from '../cli/harness';
import { ManualCron } from '../../unit/daemon/fakes';

let h: Harness;
let server: FastifyInstance;
const auth = { authorization: 'Bearer test-admin-token' };

beforeEach(async () => {
  h = await createHarness();
  server = createHttpServer({ app: h.app, metrics: new Metrics() });
  await server.ready();
});
afterEach(async () => {
  await server.close();
  await h.cleanup();
});

async function post(url: string, payload: object = {}, headers: Record<string, string> = auth) {
  const res = await server.inject({ method: 'POST', url, headers, payload });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

describe('run control API', () => {
  it('pauses and resumes an instance, recording who did it', async () => {
    expect(await post('/api/run-control/sf-main/pause', { by: 'alice', reason: 'CRM upgrade' })).toMatchObject({ status: 200, body: { connector: 'sf-main', paused: true, changedBy: 'admin-api:alice', reason: 'CRM upgrade' } });
    const list = await server.inject({ method: 'GET', url: '/api/run-control', headers: auth });
    expect(list.json()).toEqual({ items: [expect.objectContaining({ connector: 'sf-main', paused: true }), expect.objectContaining({ connector: 'dyn-main', paused: false, changedBy: null })] });
    expect(await post('/api/run-control/sf-main/resume')).toMatchObject({ status: 200, body: { paused: false, changedBy: 'admin-api' } });
    const log = await server.inject({ method: 'GET', url: '/api/operator-actions?connector=sf-main', headers: auth });
    expect(log.json<{ items: Array<{ action: string; actor: string }> }>().items.map((a) => [a.action, a.actor])).toEqual([['resume', 'admin-api'], ['pause', 'admin-api:alice']]);
  });

  it('previews a record resync by default and runs it when dryRun is false', async () => {
    const preview = await post('/api/run-control/sf-main/resync-record', { externalId: '006A' });
    expect(preview).toMatchObject({ status: 200, body: { ok: true, dryRun: true, planned: [expect.objectContaining({ externalId: '006A', reason: 'the CRM changed dealName' })] } });
    expect((await post('/api/run-control/sf-main/resync-record', { externalId: '006A', dryRun: false })).body).toMatchObject({ ok: true, dryRun: false });
    expect(h.engine.resynced).toEqual([{ connector: 'sf-main', externalId: '006A', dryRun: true }, { connector: 'sf-main', externalId: '006A', dryRun: false }]);
  });

  it('starts a full resync: the cursor is forgotten and a run starts', async () => {
    await h.store.setCursor('dyn-main', 'c-42', h.clock.now());
    expect(await post('/api/run-control/dyn-main/full-resync')).toMatchObject({ status: 202, body: { ok: true, message: 'full resync of dyn-main started' } });
    expect((await h.store.getCursor('dyn-main'))?.cursor).toBeNull();
    expect(h.engine.runs.map((r) => r.connector)).toEqual(['dyn-main']);
  });

  it.each([
    ['/api/run-control/nope/pause', {}, 404, 'connector instance nope not found'],
    ['/api/run-control/sf-main/pause', { paused: true }, 400, 'invalid pause request'],
    ['/api/run-control/sf-main/pause', { by: '<script>' }, 400, 'by:'],
    ['/api/run-control/sf-main/resync-record', { externalId: '' }, 400, 'a CRM record id is required'],
    ['/api/run-control/sf-main/resync-record', {}, 400, 'externalId'],
  ])('refuses %s %j with %i', async (url, body, status, message) => {
    const res = await post(url, body);
    expect(res.status).toBe(status);
    expect(String(res.body['message'])).toContain(message);
    expect(h.engine.resynced).toEqual([]);
    expect(await h.store.listOperatorActions({})).toEqual([]);
  });

  it('answers 401 without the admin token', async () => {
    expect((await post('/api/run-control/sf-main/pause', {}, {})).status).toBe(401);
    expect(await h.store.getRunControl('sf-main')).toBeNull();
  });
});

describe('a paused instance in the daemon', () => {
  let daemon: DaemonHandle | null = null;
  afterEach(async () => {
    await daemon?.stop('test');
    daemon = null;
  });

  it('starts no run on a cron tick nor on POST /api/sync, and runs again once resumed', async () => {
    const cron = new ManualCron();
    daemon = startDaemon(h.app, { http: { port: 0, host: '127.0.0.1' }, schedule: cron.schedule, installSignalHandlers: false });
    const { httpAddress } = await daemon.ready;
    const call = (path: string) => fetch(`${httpAddress}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect((await call('/api/run-control/sf-main/pause')).status).toBe(200);
    cron.fire('sync:sf-main');
    const refused = await call('/api/sync/sf-main');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: 'paused' });
    expect(h.engine.runs).toEqual([]);
    expect((await call('/api/run-control/sf-main/resume')).status).toBe(200);
    expect((await call('/api/sync/sf-main')).status).toBe(200);
    // The run (and, since it applied changes, the push runs it is followed by) after the resume.
    expect(h.engine.runs.filter((r) => r.pushOnly !== true).map((r) => r.connector)).toEqual(['sf-main']);
  });
});
