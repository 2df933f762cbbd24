/** `cosell-sync run-control ...` against a real SQLite store and a fake engine. */
import { startDaemon } from '../../../src/daemon/daemon';
import { createHarness, runCli, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.cleanup();
});

describe('run-control', () => {
  it('pauses and resumes with the CLI user recorded, and shows the state', async () => {
    expect((await runCli(h, ['run-control', 'pause', 'sf-main', '--reason', 'CRM upgrade'])).stdout).toBe('sf-main paused\n');
    const status = await runCli(h, ['--json', 'run-control', 'status']);
    expect(status.json()).toEqual([
      { connector: 'sf-main', paused: true, changedBy: 'cli:tester', changedAt: h.clock.now().toISOString(), reason: 'CRM upgrade' },
      { connector: 'dyn-main', paused: false, changedBy: null, changedAt: null, reason: null },
    ]);
    expect((await runCli(h, ['run-control', 'status'])).stdout).toMatch(/sf-main\s+paused\s+cli:tester/);
    expect((await runCli(h, ['run-control', 'resume', 'sf-main'])).code).toBe(0);
    expect((await h.store.listOperatorActions({})).map((a) => [a.action, a.actor])).toEqual([['resume', 'cli:tester'], ['pause', 'cli:tester']]);
  });

  it('previews a record resync as a table of planned writes', async () => {
    const res = await runCli(h, ['run-control', 'resync-record', 'sf-main', '006A', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('record 006A previewed');
    expect(res.stdout).toMatch(/co-sell\s+update\s+opp-1\s+006A\s+\{"dealName":"Renamed"\}\s+the CRM changed dealName/);
    expect(h.engine.resynced).toEqual([{ connector: 'sf-main', externalId: '006A', dryRun: true }]);
  });

  it('forgets the cursor on full-resync', async () => {
    await h.store.setCursor('sf-main', 'c1', h.clock.now());
    const res = await runCli(h, ['run-control', 'full-resync', 'sf-main']);
    expect(res).toMatchObject({ code: 0, stdout: 'the next run of sf-main is a full pass\n' });
    expect((await h.store.getCursor('sf-main'))?.cursor).toBeNull();
  });

  it('exits 1 naming an unknown instance, and 2 without one', async () => {
    const unknown = await runCli(h, ['run-control', 'pause', 'nope']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: connector instance nope not found\n' });
    expect((await runCli(h, ['run-control', 'pause'])).code).toBe(2);
  });
});

describe('sandbox', () => {
  const runSandbox = (env: NodeJS.ProcessEnv, args: string[] = ['sandbox']) =>
    runCli(h, args, {
      env,
      startDaemon: (app, options) => {
        const handle = startDaemon(app, { ...options, http: { port: 0, host: '127.0.0.1' }, installSignalHandlers: false, schedule: () => ({ stop: () => undefined }) });
        void handle.ready.then(() => handle.stop('test'));
        return handle;
      },
    });

  it('prints the console address and how to log in', async () => {
    const res = await runSandbox({});
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^sandbox console: http:\/\/127\.0\.0\.1:\d+\/console\/ \(log in with the sandbox admin token: sandbox-admin-token\)\n$/);
  });

  it('names the variable, not the value, of a token set by the user; a configured daemon prints nothing', async () => {
    expect((await runSandbox({ COSELL_SANDBOX_ADMIN_TOKEN: 'my-own-secret' })).stdout).not.toContain('my-own-secret');
    expect((await runSandbox({ COSELL_SANDBOX_ADMIN_TOKEN: 'my-own-secret' })).stdout).toContain('COSELL_SANDBOX_ADMIN_TOKEN');
    expect((await runSandbox({ COSELL_SYNC_CONFIG: '/etc/cosell-sync.yaml' }, ['start'])).stdout).toBe('');
  });
});
