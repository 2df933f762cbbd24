/**
 * The sandbox (`npm start` with no configuration): both CRM simulators on loopback, seeded; a
 * fresh SQLite store under ./data; a few scripted CRM users, so the logs show every flow,
 * a reconciled terminal conflict among them.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../app';
import { loadConfig, type LoadedConfig } from '../config/load';
import { DAY_MS } from '../core/clock';
import { asOpportunityId, type OpportunityId } from '../core/model';
import type { InboundInput } from '../core/commands';
import { runExpirySweep } from '../store';
import { dynamicsSeed, salesforceSeed, sampleDeal } from './seed-data';
import { sandboxActivity } from './activity';
import { acceptInSalesforce, partnerCenterYaml, seedPartnerCenter, type SandboxPartnerCenter } from './partner-center';
import type { PartnerTokenSource } from '../ports/referral';
import { PARTNER_CENTER_CONNECTOR as PC } from '../partner-center/inbound';

interface SimLike {
  url: string;
  close(): Promise<void>;
  seed(records: Array<Record<string, unknown>>): string[];
  update(id: string, fields: Record<string, unknown>): unknown;
  get(id: string): Record<string, unknown> | null;
}

export interface SandboxAdapters {
  startSalesforceSimulator(): Promise<SimLike>;
  startDynamicsSimulator(): Promise<SimLike & { tenantId: string; clientId: string; clientSecret: string; authority: string; currencies: Record<string, string> }>;
  startGraphMailSimulator(): Promise<MailSim>;
  /** Partner Center's simulator and the sandbox's sign-in to it; without it the sandbox has no Partner Center. */
  partnerCenter?: SandboxPartnerCenter;
}

/** The Graph sendMail simulator: the sandbox's notification mails land in its mailbox. */
interface MailSim {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authority: string;
  sender: string;
  mailbox(): Array<{ subject: string }>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  adapters: SandboxAdapters;
  assemble: (
    loaded: LoadedConfig,
    options: { closers: Array<() => Promise<void>>; runOnStart: boolean; env: NodeJS.ProcessEnv; partnerCenterTokens?: PartnerTokenSource },
  ) => Promise<App>;
  env: NodeJS.ProcessEnv;
  /** Folder of the store and the generated configuration; default ./data. */
  dataDir?: string;
}

/** Where the shipped mapping files are, from src/ or from dist/src/. */
function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cosell-sync') return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export async function startSandbox(options: SandboxOptions): Promise<App> {
  const dataDir = path.resolve(options.dataDir ?? 'data');
  const storePath = path.join(dataDir, 'sandbox.db');
  mkdirSync(dataDir, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(storePath + suffix, { force: true });
  const sf = await options.adapters.startSalesforceSimulator();
  const dyn = await options.adapters.startDynamicsSimulator();
  const mail = await options.adapters.startGraphMailSimulator();
  const pcAdapter = options.adapters.partnerCenter;
  const pc = pcAdapter ? await pcAdapter.start() : null;
  const configFile = path.join(dataDir, 'sandbox.yaml');
  const yaml = sandboxYaml({ root: projectRoot(), storePath, sfUrl: sf.url, dyn, port: options.env.COSELL_SYNC_HTTP_PORT ?? '8080' }) + notificationsYaml(mail);
  writeFileSync(configFile, yaml + (pc ? partnerCenterYaml(pc) : ''));
  const env = {
    ...options.env, COSELL_SANDBOX_SF_SECRET: 'sandbox-secret', COSELL_SANDBOX_DYN_SECRET: dyn.clientSecret, COSELL_SANDBOX_MAIL_SECRET: mail.clientSecret,
    COSELL_SANDBOX_ADMIN_TOKEN: options.env.COSELL_SANDBOX_ADMIN_TOKEN ?? 'sandbox-admin-token',
  };
  const activity = { stop: (): void => undefined };
  const loaded = loadConfig(configFile, env);
  const closers = [async () => activity.stop(), () => sf.close(), () => dyn.close(), () => mail.close(), ...(pc ? [() => pc.close()] : [])];
  // The sandbox signs in once the app's store is open (the sign-in is kept there); runs start after it.
  let signedIn: PartnerTokenSource | null = null;
  const tokens: PartnerTokenSource = {
    token: (forceRefresh) => (signedIn ? signedIn.token(forceRefresh) : Promise.reject(new Error('sandbox: not signed in to Partner Center yet'))),
  };
  const app = await options.assemble(loaded, { closers, runOnStart: true, env, ...(pc ? { partnerCenterTokens: tokens } : {}) });
  if (pc && pcAdapter) signedIn = await pcAdapter.signIn(pc, app);
  app.logger.info('sandbox: simulators started', {
    event: 'sandbox.started', salesforce: sf.url, dynamics: dyn.url, mail: mail.url, partnerCenter: pc?.apiBase ?? null, store: storePath, config: configFile,
  });
  const sfIds = sf.seed(salesforceSeed(32));
  dyn.seed(dynamicsSeed(26, dyn.currencies));
  const referrals = await seedReferrals(app);
  const sent = pc ? seedPartnerCenter(pc, app.clock.now()) : [];
  app.logger.info('sandbox: seeded', { event: 'sandbox.seeded', salesforce: sfIds.length, dynamics: 26, referrals: referrals.length, partnerCenterReferrals: sent.length });
  // First pass (Partner Center first, so its referrals reach both CRMs at once), then the expiry
  // sweep, then a Salesforce user closes an expired referral as won.
  const names = app.engine.connectorNames();
  for (const name of [...names.filter((n) => n === PC), ...names.filter((n) => n !== PC)]) await app.engine.runOnce({ connector: name });
  await runExpirySweep(app.store, app.clock, app.logger);
  const [accepted] = sent;
  if (pc && accepted) await acceptInSalesforce({ app, sim: pc, sf, referral: accepted, salesforce: 'salesforce-sandbox', partnerCenter: PC });
  // New referrals, the one about to expire (its warning) and the expired one reach the mailbox.
  await app.notifier?.tick();
  app.logger.info('sandbox: notification mails in the simulator mailbox', {
    event: 'sandbox.mailbox', mails: mail.mailbox().length, subjects: mail.mailbox().map((m) => m.subject), list: `${mail.url}/__admin/mailbox`,
  });
  const expired = referrals[referrals.length - 1] as OpportunityId;
  const link = await app.store.getLinkByOpportunity('salesforce-sandbox', expired);
  if (link) {
    sf.update(link.externalId, { StageName: 'Closed Won' });
    app.logger.info('sandbox: a Salesforce user marks won a referral that already expired in co-sell', { event: 'sandbox.user', externalId: link.externalId, opportunityId: expired });
  }
  Object.assign(activity, sandboxActivity({ app, sf, dyn, sfIds }));
  return app;
}

async function seedReferrals(app: App): Promise<string[]> {
  const now = app.clock.now().getTime();
  // received now (4), one 90 seconds from expiry, one received 15 days ago (expires at once)
  const ages = [0, 0, 0, 0, 14 * DAY_MS - 90_000, 15 * DAY_MS];
  const ids: string[] = [];
  for (const [i, age] of ages.entries()) {
    const d = sampleDeal(200 + i);
    const id = asOpportunityId(`5a4db0c0-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
    const input: InboundInput = {
      sender: i % 2 === 0 ? { kind: 'microsoft', name: 'Microsoft seller' } : { kind: 'partner', partnerId: 'partner-42', name: 'Trey Research' },
      type: i % 2 === 0 ? 'co-sell' : 'p2p',
      customer: { name: d.customer, location: { street: null, city: d.city, region: null, postalCode: null, country: d.country }, duns: null, contact: null, contactConsent: false },
      dealName: d.name, estimatedValue: { amount: d.amount, currency: 'USD' }, estimatedCloseDate: d.closeDate, notes: 'Referral from the co-sell program',
      team: [], solutions: [{ id: 'sol-ms', name: 'Azure Data Platform', kind: 'microsoft' }], microsoftHelpType: 'none',
    };
    await app.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input }, source: { kind: 'system', name: 'sandbox' }, now: new Date(now - age) });
    ids.push(id);
  }
  return ids;
}

function sandboxYaml(p: { root: string; storePath: string; sfUrl: string; dyn: { url: string; tenantId: string; clientId: string; authority: string }; port: string }): string {
  const mapping = (kind: string) => JSON.stringify(path.join(p.root, 'config', 'mappings', `${kind}.yaml`));
  return `# Written by the sandbox at each start; the simulators listen on new ports every time.
version: 1
store: { driver: sqlite, path: ${JSON.stringify(p.storePath)} }
connectors:
  - name: salesforce-sandbox
    kind: salesforce
    loginUrl: ${p.sfUrl}
    auth: { flow: client_credentials, clientId: sandbox-client, clientSecret: '\${COSELL_SANDBOX_SF_SECRET}' }
    participation: [{ field: CoSell_Sync__c, op: eq, value: true }]
    schedule: '*/15 * * * * *'
    mapping: ${mapping('salesforce')}
    options: { pageSize: 2000, batchSize: 200, publish: all }
  - name: dynamics-sandbox
    kind: dynamics
    url: ${p.dyn.url}
    auth: { tenantId: ${p.dyn.tenantId}, clientId: ${p.dyn.clientId}, clientSecret: '\${COSELL_SANDBOX_DYN_SECRET}', authority: ${p.dyn.authority} }
    participation: [{ field: cosell_sync, op: eq, value: true }]
    schedule: '5,20,35,50 * * * * *'
    mapping: ${mapping('dynamics')}
    options: { pageSize: 5000, batchSize: 1000, publish: all }
reconciliation: { terminalConflicts: flag, illegalCrmMoves: accept-then-apply }
logging: { level: info, format: auto }
http: { port: ${Number(p.port)}, host: 127.0.0.1, adminToken: '\${COSELL_SANDBOX_ADMIN_TOKEN}' }
expiry: { schedule: '*/30 * * * * *' }
`;
}

/** Notifications to the Graph mail simulator; the recipients are sandbox placeholders. */
function notificationsYaml(mail: MailSim): string {
  return `notifications:
  enabled: true
  mail: { kind: graph, tenantId: ${mail.tenantId}, clientId: ${mail.clientId}, clientSecret: '\${COSELL_SANDBOX_MAIL_SECRET}', authority: ${mail.authority}, graphUrl: ${mail.url}, sender: ${mail.sender} }
  recipients:
    inbound: [cosell-team@partner.example]
    ops: [ops@partner.example]
    senders: { microsoft: [seller@microsoft.example], partner-42: [alliances@treyresearch.example] }
  expiryWarningDays: 3
`;
}
