/**
 * `cosell-sync login partner-center` end to end: the real command wiring (configuration file,
 * store, device code flow against the Partner Center simulator over HTTP). The test reads the code
 * from the command's stderr and approves it, as the person at the terminal would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDelegatedTokenSource, PARTNER_CENTER_GRANT } from '../../../connectors/partner-center/auth';
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import type { CliContext } from '../../../src/cli/context';
import { run } from '../../../src/cli/program';
import { ManualClock } from '../../../src/core/clock';
import { loadConfig } from '../../../src/config/load';
import { createHttpServer } from '../../../src/http/server';
import { assembleApp, loginPartnerCenterWithConfig } from '../../../src/main';
import { Metrics } from '../../../src/metrics';
import { createStore } from '../../../src/store';
import { CLIENT_ID, ENV, startSim, USER } from '../partner-center/auth-harness';
import { quietLogger } from '../partner-center/setup';

let dir: string;
let sim: PartnerCenterSimulator;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cosell-login-'));
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFile(partnerCenter: string | null): string {
  const file = path.join(dir, 'cosell-sync.yaml');
  const store = path.join(dir, 'store.db');
  writeFileSync(file, [`store:\n  driver: sqlite\n  path: ${store}`, partnerCenter ?? ''].join('\n'));
  return file;
}

const section = (extra = ''): string =>
  `partnerCenter:\n  auth:\n    tenantId: ${sim.entra.tenantId}\n    clientId: ${CLIENT_ID}\n    authority: ${sim.authority}\n${extra}`;

async function cli(args: string[], env: NodeJS.ProcessEnv, approve = true): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: {
      write: (s: string) => {
        stderr += s;
        const code = /code: (\w+)/.exec(s)?.[1];
        if (code && approve) setTimeout(() => sim.entra.approve(code, USER), 100);
      },
    },
    env,
    clock: new ManualClock('2026-03-02T09:00:00Z'),
    userName: 'tester',
    openStore: async () => {
      throw new Error('not used');
    },
    createApp: async () => {
      throw new Error('not used');
    },
    startDaemon: () => {
      throw new Error('not used');
    },
    validateConfig: async () => ({ ok: true, errors: [], summary: '' }),
    loginPartnerCenter: loginPartnerCenterWithConfig,
  };
  const code = await run(['node', 'cosell-sync', ...args], ctx);
  return { code, stdout, stderr };
}

it('signs in, prints the URL and code on stderr and who signed in on stdout, and stores the cache', async () => {
  const config = configFile(section());
  const res = await cli(['login', 'partner-center', '--config', config], ENV);
  expect(res.code).toBe(0);
  expect(res.stderr).toContain(`URL:  ${sim.origin}/devicelogin`);
  expect(res.stderr).toMatch(/code: [A-Z0-9]{8}/);
  expect(res.stdout).toBe(`signed in to Partner Center as ${USER.username} (${USER.name}), tenant ${sim.entra.tenantId}; the token cache is stored encrypted\n`);
  for (const token of [...sim.entra.issuedTokens().access, ...sim.entra.issuedTokens().refresh]) {
    expect(res.stdout + res.stderr).not.toContain(token);
  }
  const store = await createStore({ kind: 'sqlite', path: path.join(dir, 'store.db') });
  try {
    expect(await store.getGrant(PARTNER_CENTER_GRANT)).toMatchObject({ account: USER.username, status: 'active' });
    const tokens = createDelegatedTokenSource({ tenantId: sim.entra.tenantId, clientId: CLIENT_ID, authority: sim.authority }, { store, env: ENV, logger: quietLogger() });
    expect(sim.entra.accepts(await tokens.token(false))).toBe(true);
  } finally {
    await store.close();
  }
});

it('--json prints the result as JSON; the prompt stays on stderr', async () => {
  const config = configFile(section());
  const res = await cli(['--json', 'login', 'partner-center', '--config', config], ENV);
  expect(res.code).toBe(0);
  expect(JSON.parse(res.stdout)).toMatchObject({ ok: true, account: USER.username, tenantId: sim.entra.tenantId, scopes: ['https://api.partner.microsoft.com/user_impersonation'] });
  expect(res.stderr).toContain('To sign in, use a web browser');
});

it('uses the configured key variable and scopes', async () => {
  const config = configFile(section('    keyEnv: PC_CACHE_KEY\n    scopes: [https://api.partner.microsoft.com/.default, offline_access]\n'));
  const missing = await cli(['login', 'partner-center', '--config', config], ENV);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('environment variable PC_CACHE_KEY is not set');
  const res = await cli(['--json', 'login', 'partner-center', '--config', config], { PC_CACHE_KEY: Buffer.alloc(32, 3).toString('hex') });
  expect(res.code).toBe(0);
  expect(JSON.parse(res.stdout)).toMatchObject({ scopes: ['https://api.partner.microsoft.com/.default'] });
});

it('exit 1 with a clear message when nobody signs in before --timeout, or Partner Center is not configured', async () => {
  const config = configFile(section());
  const late = await cli(['login', 'partner-center', '--config', config, '--timeout', '1'], ENV, false);
  expect(late.code).toBe(1);
  expect(late.stderr).toContain('error: login partner-center failed: the code expired before anyone signed in with it; run the command again');
  const none = await cli(['login', 'partner-center', '--config', configFile(null)], ENV);
  expect(none.code).toBe(1);
  expect(none.stderr).toContain('no partnerCenter.auth section');
});

it('exit 2 on usage errors: no configuration, a bad --timeout, an unknown service', async () => {
  expect((await cli(['login', 'partner-center'], ENV)).code).toBe(2);
  const bad = await cli(['login', 'partner-center', '--config', configFile(section()), '--timeout', 'soon'], ENV);
  expect(bad).toMatchObject({ code: 2 });
  expect(bad.stderr).toContain('--timeout: expected a whole number of seconds');
  expect((await cli(['login', 'salesforce', '--config', configFile(section())], ENV)).code).toBe(2);
});

it('a configuration error in partnerCenter.auth is reported with file and path', async () => {
  const config = configFile(`partnerCenter:\n  auth:\n    tenantId: t\n    clientid: typo\n`);
  const res = await cli(['login', 'partner-center', '--config', config], ENV);
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/partnerCenter\.auth/);
});

it('an app assembled from a configuration with partnerCenter.auth is not ready until someone signs in', async () => {
  const config = configFile(section());
  const app = await assembleApp(loadConfig(config, ENV), { checkCrmFields: false, env: ENV, logger: quietLogger() });
  const server = createHttpServer({ app, metrics: new Metrics() });
  try {
    const before = await server.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({ reasons: [`partner-center: no sign-in stored: run \`cosell-sync login partner-center --config ${config}\``] });
    expect((await cli(['login', 'partner-center', '--config', config], ENV)).code).toBe(0);
    const after = await server.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ grants: [{ name: 'partner-center', ready: true, account: USER.username }] });
  } finally {
    await server.close();
    await app.close();
  }
});

it('the daemon syncs Partner Center with the stored sign-in; a revoked grant fails the run, /readyz shows it, ops get one alert', async () => {
  const config = configFile(section(`  apiBase: ${sim.apiBase}\n  retry: { maxAttempts: 1 }\n`));
  const app = await assembleApp(loadConfig(config, ENV), { checkCrmFields: false, env: ENV, logger: quietLogger() });
  const server = createHttpServer({ app, metrics: new Metrics() });
  const reported: string[] = [];
  app.notifier = Object.assign(app.notifier ?? {}, { reportExpiredGrant: (a: { grantId: string }) => void reported.push(a.grantId) }) as never;
  try {
    const notSignedIn = await app.engine.runOnce({ connector: 'partner-center' });
    expect(notSignedIn.error).toContain('cosell-sync login partner-center --config');
    expect((await cli(['login', 'partner-center', '--config', config], ENV)).code).toBe(0);
    sim.receive({ name: 'Fabrikam', customerProfile: { name: 'Fabrikam', address: { country: 'US' } }, consent: {}, details: {} });
    const ok = await app.engine.runOnce({ connector: 'partner-center' });
    expect(ok.error).toBeNull();
    expect(ok.pulled).toBe(1);
    sim.entra.revokeGrants();
    sim.entra.setAccessTokenLifetime(1);
    const failed = await app.engine.runOnce({ connector: 'partner-center' });
    expect(failed.error).toMatch(/Partner Center sign-in expired or was revoked .*AADSTS50173/);
    const ready = await server.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json<{ reasons: string[] }>().reasons.join('\n')).toMatch(/partner-center: sign-in expired or was revoked .*AADSTS50173/);
    await app.engine.runOnce({ connector: 'partner-center' });
    // Once for "nobody signed in", once for the revoked sign-in, however many runs fail.
    const grant = await app.store.getGrant('partner-center');
    expect(grant?.status).toBe('expired');
    expect(reported).toEqual(['none', grant?.grantId]);
  } finally {
    await server.close();
    await app.close();
  }
});

it('without partnerCenter configured, /readyz does not mention it', async () => {
  const app = await assembleApp(loadConfig(configFile(null), ENV), { checkCrmFields: false, env: ENV, logger: quietLogger() });
  const server = createHttpServer({ app, metrics: new Metrics() });
  try {
    const res = await server.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty('grants');
  } finally {
    await server.close();
    await app.close();
  }
});
