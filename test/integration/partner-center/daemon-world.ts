/**
 * The daemon with Partner Center, in process, over real HTTP: the Salesforce, Dynamics, Partner
 * Center and Graph mail simulators; a configuration file naming all of them (routing US referrals
 * to Salesforce and FR ones to Dynamics, webhooks on, notifications on); a SQLite file or a fresh
 * PostgreSQL database. Runs are started through the daemon's scheduler, as its cron ticks do.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { startGraphMailSimulator, type GraphMailSimulator } from '../../../connectors/graph-mail/simulator';
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { App } from '../../../src/app';
import { loadConfig } from '../../../src/config/load';
import { startDaemon, type DaemonHandle } from '../../../src/daemon/daemon';
import { assembleApp } from '../../../src/main';
import { pgQuery, TEST_PG_URL } from '../../helpers/postgres-schema';
import { ManualCron, MemoryLogger } from '../../unit/daemon/fakes';

export const SF = 'sf';
export const DYN = 'dyn';
export const PC = 'partner-center';
export type StoreKind = 'sqlite' | 'postgres';

export interface DaemonWorld {
  sf: SalesforceSimulator;
  dyn: DynamicsSimulator;
  pc: PartnerCenterSimulator;
  mail: GraphMailSimulator;
  configPath: string;
  env: Record<string, string>;
  /** The running daemon (replaced by `restart`). */
  app: App;
  handle: DaemonHandle;
  /** The daemon's cron: `fire('sync:partner-center')` is a tick of Partner Center's schedule. */
  cron: ManualCron;
  logger: MemoryLogger;
  /** `http://127.0.0.1:PORT` of the daemon. */
  address: string;
  /** One run of an instance through the daemon's scheduler; throws when it failed. */
  run(name: string): Promise<void>;
  /** Stops the daemon and starts another on the same store and simulators. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function yaml(p: { store: string; sf: SalesforceSimulator; dyn: DynamicsSimulator; pc: PartnerCenterSimulator; mail: GraphMailSimulator }): string {
  const mapping = (kind: string): string => JSON.stringify(path.resolve(__dirname, '../../../config/mappings', `${kind}.yaml`));
  return `version: 1
store: ${p.store}
connectors:
  - name: ${SF}
    kind: salesforce
    loginUrl: ${p.sf.url}
    auth: { flow: client_credentials, clientId: pc-e2e, clientSecret: '\${E2E_SF_SECRET}' }
    participation: [{ field: CoSell_Sync__c, op: eq, value: true }]
    mapping: ${mapping('salesforce')}
    options: { publish: inbound, inbound: { by: country, values: [US] }, maxRetries: 1 }
  - name: ${DYN}
    kind: dynamics
    url: ${p.dyn.url}
    auth: { tenantId: ${p.dyn.tenantId}, clientId: ${p.dyn.clientId}, clientSecret: '\${E2E_DYN_SECRET}', authority: ${p.dyn.authority} }
    participation: [{ field: cosell_sync, op: eq, value: true }]
    mapping: ${mapping('dynamics')}
    options: { publish: inbound, inbound: { by: country, values: [FR] }, maxRetries: 1 }
partnerCenter:
  apiBase: ${p.pc.apiBase}
  partnerApiBase: ${p.pc.partnerApiBase}
  schedule: '*/7 * * * *'
  overlapMs: 1000
  timeoutMs: 5000
  retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 10 }
  publisher: Simulated Partner Ltd
  auth: { tenantId: ${p.pc.entra.tenantId}, clientId: partner-app, authority: ${p.pc.authority} }
  webhook: { enabled: true, certificateHosts: [${p.pc.origin}] }
notifications:
  enabled: true
  mail: { kind: graph, tenantId: ${p.mail.tenantId}, clientId: ${p.mail.clientId}, clientSecret: '\${E2E_MAIL_SECRET}', authority: ${p.mail.authority}, graphUrl: ${p.mail.url}, sender: ${p.mail.sender}, maxRetries: 0 }
  recipients: { inbound: [cosell-team@partner.example], ops: [ops@partner.example] }
  lookbackHours: 1
logging: { level: debug, format: json }
http: { port: 0, host: 127.0.0.1, adminToken: '\${E2E_ADMIN_TOKEN}' }
`;
}

async function openStoreConfig(kind: StoreKind, dir: string): Promise<{ store: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') return { store: `{ driver: sqlite, path: ${JSON.stringify(path.join(dir, 'store.db'))} }`, drop: async () => undefined };
  const database = `cosell_pce2e_${randomBytes(4).toString('hex')}`;
  await pgQuery(`CREATE DATABASE ${database}`);
  const url = TEST_PG_URL.replace(/\/[^/]*$/, `/${database}`);
  return { store: `{ driver: postgres, url: ${JSON.stringify(url)}, poolSize: 3 }`, drop: async () => void (await pgQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)) };
}

export const ADMIN_TOKEN = 'pc-e2e-admin-token';

export async function startDaemonWorld(kind: StoreKind): Promise<DaemonWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-pc-e2e-'));
  const [sf, dyn, pc, mail] = await Promise.all([startSalesforceSimulator(), startDynamicsSimulator(), startPartnerCenterSimulator(), startGraphMailSimulator()]);
  const { store, drop } = await openStoreConfig(kind, dir);
  const configPath = path.join(dir, 'cosell-sync.yaml');
  writeFileSync(configPath, yaml({ store, sf, dyn, pc, mail }));
  const env = { E2E_SF_SECRET: 'pc-e2e-secret', E2E_DYN_SECRET: dyn.clientSecret, E2E_MAIL_SECRET: mail.clientSecret, E2E_ADMIN_TOKEN: ADMIN_TOKEN };

  const boot = async (): Promise<{ app: App; handle: DaemonHandle; cron: ManualCron; logger: MemoryLogger; address: string }> => {
    const logger = new MemoryLogger();
    const cron = new ManualCron();
    const app = await assembleApp(loadConfig(configPath, env), { env, logger, partnerCenterTokens: { token: async () => pc.token } });
    const handle = startDaemon(app, { schedule: cron.schedule, runOnStart: false, http: { port: 0, host: '127.0.0.1' } });
    const { httpAddress } = await handle.ready;
    return { app, handle, cron, logger, address: httpAddress ?? '' };
  };

  const world: DaemonWorld = {
    sf, dyn, pc, mail, configPath, env, ...(await boot()),
    async run(name) {
      // The push runs a run is followed by end before the next step, as the test's steps are one at a time.
      await world.handle.scheduler.settled();
      const summary = await world.handle.scheduler.runInstance(name);
      await world.handle.scheduler.settled();
      if (summary === null) throw new Error(`run of ${name} was skipped`);
      if (summary.error !== null) throw new Error(`run of ${name} failed: ${summary.error}`);
    },
    async restart() {
      await world.handle.stop('restart');
      Object.assign(world, await boot());
    },
    async close() {
      await world.handle.stop('test done').catch(() => undefined);
      await Promise.all([sf.close(), dyn.close(), pc.close(), mail.close()]);
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
