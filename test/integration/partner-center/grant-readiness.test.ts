/**
 * An expired or revoked Partner Center grant is never a silent stop: over real HTTP, a revoked
 * grant makes the connector's call fail with grant_expired; the GrantMonitor then has `/readyz`
 * answer 503 with the reason, `cosell-sync status` show it, and one ops alert mail go out (also
 * when reported again, and after a restart).
 */
import type { AddressInfo } from 'node:net';
import { createDelegatedTokenSource } from '../../../connectors/partner-center/auth';
import { createPartnerCenterConnector } from '../../../connectors/partner-center';
import { createGraphMailSender } from '../../../connectors/graph-mail';
import { startGraphMailSimulator, type GraphMailSimulator } from '../../../connectors/graph-mail/simulator';
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import type { App } from '../../../src/app';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { NOTIFICATIONS_SCHEMA, Notifier } from '../../../src/notify';
import { GrantMonitor } from '../../../src/partner-center/grant-monitor';
import type { MailSender } from '../../../src/ports/mail';
import type { ReferralApi } from '../../../src/ports/referral';
import { createHarness, runCli, type Harness } from '../cli/harness';
import { authOptions, ENV, signIn, startSim, USER } from './auth-harness';
import { FAST_RETRY, quietLogger } from './setup';

const OPS = 'ops@partner.example';
const CONFIG = '/etc/cosell/cosell.yaml';

let h: Harness;
let sim: PartnerCenterSimulator;
let graph: GraphMailSimulator;
let mail: MailSender;
let api: ReferralApi;
let server: ReturnType<typeof createHttpServer>;
let base: string;
let monitor: GrantMonitor;
let notifier: Notifier;

const settings = NOTIFICATIONS_SCHEMA.parse({
  enabled: true,
  mail: { kind: 'graph', tenantId: 't', clientId: 'c', clientSecret: 's', sender: 'n@x.example' },
  recipients: { ops: [OPS] },
});

function wire(): void {
  notifier = new Notifier({ store: h.store, mail, settings, clock: h.clock, logger: quietLogger(), connectors: [] });
  monitor = new GrantMonitor({ store: h.store, clock: h.clock, logger: quietLogger(), notifier, grants: [{ name: 'partner-center', loginCommand: `cosell-sync login partner-center --config ${CONFIG}` }] });
}

beforeEach(async () => {
  h = await createHarness();
  sim = await startSim();
  graph = await startGraphMailSimulator();
  mail = createGraphMailSender(
    { tenantId: graph.tenantId, clientId: graph.clientId, clientSecret: graph.clientSecret, authority: graph.authority, graphUrl: graph.url, sender: graph.sender, retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    { logger: quietLogger() },
  );
  wire();
  const app: App = { ...h.app, notifier, grants: monitor };
  server = createHttpServer({ app, metrics: new Metrics() });
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const tokens = createDelegatedTokenSource(authOptions(sim), { store: h.store, env: ENV, logger: quietLogger(), configPath: CONFIG });
  api = createPartnerCenterConnector({ name: 'partner-center', apiBase: sim.apiBase, retry: FAST_RETRY, timeoutMs: 10_000 }, { logger: quietLogger(), tokens });
});

afterEach(async () => {
  await server.close();
  await api.close();
  await mail.close();
  await graph.close();
  await sim.close();
  await h.cleanup();
});

const readyz = async (): Promise<{ status: number; body: { status: string; reasons: string[]; grants: Array<{ name: string; ready: boolean; reason: string | null; account: string | null }> } }> => {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
};

async function listOnce(): Promise<unknown> {
  try {
    for await (const page of api.list({})) return page;
    return null;
  } catch (error) {
    return error;
  }
}

it('before any sign-in, /readyz is not ready and says how to sign in', async () => {
  const before = await readyz();
  expect(before.status).toBe(503);
  expect(before.body.reasons).toEqual([`partner-center: no sign-in stored: run \`cosell-sync login partner-center --config ${CONFIG}\``]);
  await signIn(sim, h.store);
  const after = await readyz();
  expect(after.status).toBe(200);
  expect(after.body.grants).toEqual([expect.objectContaining({ name: 'partner-center', ready: true, account: USER.username })]);
});

it('a revoked grant: grant_expired, /readyz 503 with the reason, status shows it, one alert mail', async () => {
  await signIn(sim, h.store);
  expect(await listOnce()).toMatchObject({ referrals: [] });
  expect((await readyz()).status).toBe(200);

  sim.entra.revokeGrants();
  sim.entra.setAccessTokenLifetime(1);
  sim.revokeTokens();
  const error = await listOnce();
  expect(error).toMatchObject({ code: 'grant_expired' });
  expect(await monitor.report(error)).toBe(true);
  expect(await monitor.report(await listOnce())).toBe(true);
  expect(await monitor.report(new Error('something else'))).toBe(false);

  const ready = await readyz();
  expect(ready.status).toBe(503);
  expect(ready.body.status).toBe('not-ready');
  expect(ready.body.reasons).toHaveLength(1);
  expect(ready.body.reasons[0]).toMatch(/^partner-center: sign-in expired or was revoked \(invalid_grant: AADSTS50173: The provided grant has expired due to it being revoked/);
  expect(ready.body.reasons[0]).toContain(`run \`cosell-sync login partner-center --config ${CONFIG}\``);

  const status = await runCli(h, ['--json', 'status'], { env: { COSELL_SYNC_CONFIG: CONFIG } });
  expect(status.code).toBe(0);
  const row = status.json<{ connectors: Array<{ connector: string; grant: { ready: boolean; reason: string; account: string } | null }> }>().connectors.find((r) => r.connector === 'partner-center');
  expect(row?.grant).toMatchObject({ ready: false, account: USER.username, reason: expect.stringContaining('AADSTS50173') });
  const human = await runCli(h, ['status'], { env: { COSELL_SYNC_CONFIG: CONFIG } });
  expect(human.stdout).toMatch(/partner-center sign-in: NOT READY: sign-in expired or was revoked .*AADSTS50173.* run `cosell-sync login partner-center --config \/etc\/cosell\/cosell.yaml`/);

  // One alert, however often it is reported, and after a restart (a new monitor and notifier).
  expect((await notifier.tick()).byKind).toEqual({ 'grant-expired': 1 });
  expect((await notifier.tick()).sent).toBe(0);
  wire();
  expect(await monitor.report(await listOnce())).toBe(true);
  expect((await notifier.tick()).sent).toBe(0);
  const alerts = graph.mailbox();
  expect(alerts).toHaveLength(1);
  expect(alerts[0]?.to).toEqual([OPS]);
  expect(alerts[0]?.body).toContain('partner-center');
  for (const token of [...sim.entra.issuedTokens().access, ...sim.entra.issuedTokens().refresh]) expect(alerts[0]?.body).not.toContain(token);

  // Signing in again makes it ready.
  await signIn(sim, h.store);
  sim.entra.setAccessTokenLifetime(3600);
  expect((await readyz()).status).toBe(200);
  expect(await listOnce()).toMatchObject({ referrals: [] });
});
