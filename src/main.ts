/**
 * The composition root: configuration -> store -> connectors -> sync engine -> app. The only file
 * that imports connectors/ (architecture.md); everything else receives what it builds.
 */
import { readFileSync } from 'node:fs';
import { createDynamicsConnector } from '../connectors/dynamics';
import { startDynamicsSimulator } from '../connectors/dynamics/simulator';
import { createGraphMailSender } from '../connectors/graph-mail';
import { createPartnerCenterConnector } from '../connectors/partner-center';
import { startPartnerCenterSimulator } from '../connectors/partner-center/simulator';
import { createDelegatedTokenSource, loginPartnerCenter, PARTNER_CENTER_GRANT, type PartnerCenterAuthOptions } from '../connectors/partner-center/auth';
import { GrantMonitor } from './partner-center/grant-monitor';
import { createPartnerLookup } from '../connectors/partner-center/partner-lookup';
import { createPartnerCheck, type PartnerCheck } from './partner-center/partner-check';
import { signInCommand } from './ports/grant';
import { startGraphMailSimulator } from '../connectors/graph-mail/simulator';
import { COLLECTION_LIMIT as SALESFORCE_COLLECTION_LIMIT, createSalesforceConnector } from '../connectors/salesforce';
import { startSalesforceSimulator } from '../connectors/salesforce/simulator';
import type { App, ConnectorHealth, CreateAppOptions } from './app';
import { analyzeConfig, loadConfig, type LoadedConfig } from './config/load';
import { formatIssue } from './config/issues';
import { readCrmFacts } from './mapping/crm-facts';
import type { ConnectorConfig } from './config/types';
import { PARTNER_CENTER_INSTANCE, type PartnerCenterConfig } from './config/partner-center';
import type { PartnerCenterWebhookOptions } from './http/partner-center-webhook';
import { createPartnerCenterEngine } from './partner-center/instance-engine';
import { createPartnerCenterSync } from './partner-center/sync';
import { partnerTokenSource } from './partner-center/tokens';
import { createWebhookVerifier } from './partner-center/webhook-verify';
import type { PartnerTokenSource, ReferralApi } from './ports/referral';
import type { StateStore } from './store/types';
import { combineEngines } from './sync/combined-engine';
import type { SyncEngine } from './sync/types';
import { systemClock, type Clock } from './core/clock';
import { ConfigError } from './errors';
import { createLogger, type Logger } from './log';
import { Metrics } from './metrics';
import { Notifier, type NotificationSettings } from './notify';
import type { MailSender } from './ports/mail';
import { DEFAULT_RETRY_POLICY } from './retry';
import type { CrmConnector, ObjectMetadata } from './ports/connector';
import { createStore } from './store';
import { createSyncEngine } from './sync/engine';
import { gateEngine, type MetadataCheck } from './sync/metadata-gate';
import type { RunSummary } from './sync/types';
import type { ConnectorInstance } from './sync/ports';
import { startSandbox, type SandboxAdapters } from './sandbox/sandbox';
import { seedPartnerCenter } from './sandbox/partner-center';
import { dynamicsSeed, salesforceSeed } from './sandbox/seed-data';
import type { PartnerCenterLogin, PartnerCenterLoginRequest, RunningSimulators, StartSimulatorsOptions } from './cli/context';
import type { PartnerCenterAuthConfig } from './config/partner-center-auth';

/** Builds the connector a configuration entry describes. */
export function createConnector(config: ConnectorConfig, logger: Logger): CrmConnector {
  const filter = config.participation;
  if (config.kind === 'salesforce') {
    const auth =
      config.auth.flow === 'jwt'
        ? { kind: 'jwt' as const, clientId: config.auth.clientId, username: config.auth.username, privateKey: readFileSync(config.auth.privateKeyFile, 'utf8') }
        : { kind: 'client_credentials' as const, clientId: config.auth.clientId, clientSecret: config.auth.clientSecret };
    return createSalesforceConnector(
      {
        name: config.name, loginUrl: config.instanceUrl ?? config.loginUrl, apiVersion: config.apiVersion, auth, object: config.object, filter,
        pageSize: Math.min(2000, Math.max(200, config.options.pageSize)), bulkThreshold: config.options.bulkThreshold,
        // Bulk results are applied a chunk per transaction: smaller chunks keep a long first load's progress across restarts.
        bulkPageSize: Math.max(2000, config.options.pageSize),
        retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.options.maxRetries + 1 },
        timeoutMs: config.options.timeoutMs,
        settleMs: config.options.settleMs,
        batchSize: config.options.batchSize,
        writeConcurrency: config.options.writeConcurrency,
      },
      { logger },
    );
  }
  const { tenantId, clientId, authority } = config.auth;
  const base = { tenantId, clientId, ...(authority ? { authority } : {}) };
  const auth = config.auth.certificate
    ? { ...base, certificate: { thumbprint: config.auth.certificate.thumbprint, privateKey: readFileSync(config.auth.certificate.privateKeyFile, 'utf8') } }
    : { ...base, clientSecret: config.auth.clientSecret ?? '' };
  return createDynamicsConnector(
    {
      name: config.name, url: config.url, auth, filter, pageSize: Math.min(5000, config.options.pageSize),
      batchSize: Math.min(1000, config.options.batchSize), writeConcurrency: config.options.writeConcurrency, apiVersion: `v${config.apiVersion}`, retry: { maxAttempts: config.options.maxRetries + 1 },
      timeoutMs: config.options.timeoutMs,
    },
    { logger },
  );
}

/**
 * Records a push plans and settles at once: one write call's worth (sObject Collections take 200
 * at most) for each call the connector keeps in flight.
 */
export function pushBatchSize(config: ConnectorConfig): number {
  const perCall = config.kind === 'salesforce' ? Math.min(SALESFORCE_COLLECTION_LIMIT, config.options.batchSize) : Math.min(1000, config.options.batchSize);
  return perCall * config.options.writeConcurrency;
}

/** The configured mail service; null (nothing is ever sent) unless notifications are enabled with one. */
export function createMailSender(settings: NotificationSettings, logger: Logger): MailSender | null {
  const mail = settings.enabled ? settings.mail : undefined;
  if (mail === undefined) return null;
  return createGraphMailSender(
    {
      tenantId: mail.tenantId, clientId: mail.clientId, clientSecret: mail.clientSecret, graphUrl: mail.graphUrl, sender: mail.sender,
      timeoutMs: mail.timeoutMs, saveToSentItems: mail.saveToSentItems, retry: { maxAttempts: mail.maxRetries + 1 },
      ...(mail.authority ? { authority: mail.authority } : {}),
    },
    { logger },
  );
}

/**
 * At start, every mapped CRM field is checked against the CRM's own metadata (describe /
 * EntityDefinitions): a daemon never starts with a mapping its CRM cannot honour.
 */
/** Each connector's field metadata (for `config validate --check-crm`). */
export async function describeCrms(loaded: LoadedConfig, logger: Logger): Promise<Map<string, ObjectMetadata>> {
  const metadata = new Map<string, ObjectMetadata>();
  for (const config of loaded.config.connectors.filter((c) => c.enabled)) {
    const connector = createConnector(config, logger);
    try {
      metadata.set(config.name, await connector.describe());
    } finally {
      await connector.close();
    }
  }
  return metadata;
}

/**
 * A permanent mismatch between one instance's mapping and its CRM's fields, one line per issue;
 * throws when the CRM cannot answer. Once the fields check out, the instance's mapping learns the
 * CRM's facts: amounts are rounded to each CRM's field scale and converted at its own rates.
 */
function metadataCheck(configFile: string, env: NodeJS.ProcessEnv, instances: ConnectorInstance[], mappings: LoadedConfig['mappings']): MetadataCheck {
  return async (name) => {
    const instance = instances.find((i) => i.name === name);
    if (instance === undefined) return [];
    const described = await instance.connector.describe();
    const metadata = new Map<string, ObjectMetadata>([[name, described]]);
    const issues = analyzeConfig(configFile, { env, metadata }).issues.map(formatIssue);
    const compiled = mappings.get(name);
    if (issues.length === 0 && compiled) instance.mapping = compiled.withCrmFacts(await readCrmFacts(instance.connector, described));
    return issues;
  };
}

/** Partner Center as the daemon runs it: its engine, its connector, and the webhook route when enabled. */
interface PartnerCenterParts {
  engine: SyncEngine;
  api: ReferralApi;
  partners: PartnerCheck;
  webhook: PartnerCenterWebhookOptions | null;
}

/**
 * The signing certificate a webhook names, fetched within the configured time; never more than 64 KiB.
 * Kept as bytes: a `.cer` is often binary DER, which a text decoding would corrupt; X509Certificate
 * reads DER and PEM alike.
 */
async function fetchCertificate(url: string, timeoutMs: number): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new Error(`certificate fetch answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > 64 * 1024) throw new Error('certificate larger than 64 KiB');
  return body;
}

function assemblePartnerCenter(
  config: PartnerCenterConfig,
  deps: {
    store: StateStore; clock: Clock; logger: Logger; tokens: PartnerTokenSource; onRun: (summary: RunSummary) => void; reportError: (error: unknown) => Promise<void>;
    reviewLeaseWaitMs: number;
  },
): PartnerCenterParts {
  const api = createPartnerCenterConnector(
    { name: PARTNER_CENTER_INSTANCE, apiBase: config.apiBase, timeoutMs: config.timeoutMs, retry: { ...DEFAULT_RETRY_POLICY, ...config.retry } },
    { logger: deps.logger, tokens: deps.tokens },
  );
  const context = { ownPublisher: config.publisher ?? null, defaultCurrency: config.defaultCurrency };
  // R8: partner invitations name partners Partner Center knows (answers cached in the store).
  const lookup = createPartnerLookup(
    { name: PARTNER_CENTER_INSTANCE, apiBase: config.partnerApiBase, timeoutMs: config.timeoutMs, retry: { ...DEFAULT_RETRY_POLICY, ...config.retry } },
    { logger: deps.logger, tokens: deps.tokens },
  );
  const partners = createPartnerCheck({ api: lookup, store: deps.store, now: () => deps.clock.now(), logger: deps.logger, ttlMs: config.partnerLookupTtlMs });
  const sync = createPartnerCenterSync({ api, store: deps.store, clock: deps.clock, logger: deps.logger, context, overlapMs: config.overlapMs, partners });
  const engine = createPartnerCenterEngine({
    sync, api, store: deps.store, clock: deps.clock, logger: deps.logger, onRun: deps.onRun, reportError: deps.reportError, reviewLeaseWaitMs: deps.reviewLeaseWaitMs,
  });
  const { webhook } = config;
  const verify = createWebhookVerifier({
    allowedCertificateOrigins: webhook.certificateHosts.map((h) => new URL(h).origin),
    expectedOrganization: webhook.organization,
    fetchCertificate: (url) => fetchCertificate(url, webhook.certificateTimeoutMs),
    now: () => deps.clock.now(),
  });
  const logger = deps.logger.child({ connector: PARTNER_CENTER_INSTANCE, module: 'partner-center-webhook' });
  return { engine, api, partners, webhook: webhook.enabled ? { verify, onReferral: (id) => sync.pullOne(id), logger } : null };
}

export interface AssembleOptions {
  /** Check mapped fields against each CRM's metadata before starting (default true). */
  checkCrmFields?: boolean;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** Released with the app (the sandbox's simulators). */
  closers?: Array<() => Promise<void>>;
  runOnStart?: boolean;
  /** The Partner Center token source (the sandbox's sign-in); default the configured delegated sign-in. */
  partnerCenterTokens?: PartnerTokenSource;
}

/** Wires a loaded configuration into a running app (no schedules yet: the daemon starts those). */
export async function assembleApp(loaded: LoadedConfig, options: AssembleOptions = {}): Promise<App> {
  const { config, mappings } = loaded;
  const logger = options.logger ?? createLogger({ level: config.logging.level, format: config.logging.format });
  const clock = options.clock ?? systemClock;
  const store = await createStore(
    config.store.driver === 'sqlite'
      ? { kind: 'sqlite', path: config.store.path }
      : { kind: 'postgres', url: config.store.url, poolSize: config.store.poolSize, logger },
  );
  const metrics = new Metrics();
  const enabled = config.connectors.filter((c) => c.enabled);
  const instances: ConnectorInstance[] = enabled.map((c) => {
    const mapping = mappings.get(c.name);
    if (!mapping) throw new Error(`no compiled mapping for connector ${c.name}`);
    return { name: c.name, connector: createConnector(c, logger), mapping, publish: c.options.publish, inbound: c.options.inbound, pushBatchSize: pushBatchSize(c) };
  });
  const health = new Map<string, ConnectorHealth>(enabled.map((c) => [c.name, { name: c.name, kind: c.kind, ready: true, reason: null }]));
  if (config.partnerCenter) health.set(PARTNER_CENTER_INSTANCE, { name: PARTNER_CENTER_INSTANCE, kind: 'partner-center', ready: true, reason: null });
  const onRun = (summary: RunSummary): void => {
    metrics.recordRun(summary);
    const instance = instances.find((i) => i.name === summary.connector);
    if (instance) metrics.setApiUsage(summary.connector, instance.connector.apiUsage());
    // A run that made no call (a push run with nothing due) says nothing of the connector's health.
    if (summary.error === null && summary.apiCalls === 0) return;
    health.set(summary.connector, { ...(health.get(summary.connector) as ConnectorHealth), ready: summary.error === null, reason: summary.error });
  };
  const policy = { terminalConflicts: config.reconciliation.terminalConflicts, illegalMoves: config.reconciliation.illegalCrmMoves };
  const inner = createSyncEngine({ store, instances, clock, logger, policy, onRun, reviewLeaseWaitMs: config.reconciliation.reviewLeaseWaitMs });
  // Each instance checks its CRM's fields before its first run, alone: one CRM down never holds back the others.
  const check: MetadataCheck = options.checkCrmFields === false ? async () => [] : metadataCheck(config.configFile, options.env ?? process.env, instances, mappings);
  const gated = gateEngine({ engine: inner, check, store, clock, logger, policy: DEFAULT_RETRY_POLICY, onRun });
  const mail = createMailSender(config.notifications, logger);
  const notifier = new Notifier({
    store, mail, settings: config.notifications, clock, logger: logger.child({ module: 'notify' }),
    connectors: [...enabled.map((c) => c.name), ...(config.partnerCenter ? [PARTNER_CENTER_INSTANCE] : [])],
  });
  // The delegated sign-in (unless a token source is handed in): /readyz and status show it, and its
  // expiry alerts ops once.
  const grants = config.partnerCenter && !options.partnerCenterTokens
    ? new GrantMonitor({
        store, clock, logger: logger.child({ module: 'grants' }), notifier,
        grants: [{ name: PARTNER_CENTER_GRANT, loginCommand: signInCommand(PARTNER_CENTER_GRANT, config.configFile) }],
      })
    : undefined;
  const pcAuth = config.partnerCenter?.auth;
  const delegated = grants && pcAuth ? () => delegatedTokens(pcAuth, { store, env: options.env ?? process.env, logger, configFile: config.configFile, grants }) : undefined;
  const tokens = config.partnerCenter
    ? partnerTokenSource(config.partnerCenter.auth, options.partnerCenterTokens ? { given: options.partnerCenterTokens } : delegated ? { delegated } : {})
    : null;
  // A failed run (a token refused by the API too) goes to the grant monitor as well.
  const reportError = async (error: unknown): Promise<void> => void (await grants?.report(error));
  const pc = config.partnerCenter && tokens ? assemblePartnerCenter(config.partnerCenter, { store, clock, logger, tokens, onRun, reportError, reviewLeaseWaitMs: config.reconciliation.reviewLeaseWaitMs }) : null;
  const engine = pc ? combineEngines(store, [gated, pc.engine]) : gated;
  const scheduled = [
    ...enabled.map((c) => ({ name: c.name, kind: c.kind, schedule: c.schedule, inbound: c.options.inbound })),
    ...(config.partnerCenter ? [{ name: PARTNER_CENTER_INSTANCE, kind: 'partner-center', schedule: config.partnerCenter.schedule }] : []),
  ];
  return {
    config: {
      connectors: scheduled,
      http: { ...config.http, host: httpHost(options.env ?? process.env, config.http.host) },
      expiry: config.expiry,
      runOnStart: options.runOnStart ?? true,
    },
    store, engine, logger, clock, metrics, notifier,
    ...(pc?.webhook ? { partnerCenterWebhook: pc.webhook } : {}),
    ...(grants ? { grants } : {}),
    ...(pc ? { partners: pc.partners } : {}),
    connectorStatus: () => [...health.values()],
    async close() {
      for (const instance of instances) await instance.connector.close();
      await pc?.api.close();
      await mail?.close();
      await store.close();
      for (const close of options.closers ?? []) await close();
    },
  };
}

/**
 * The daemon's Partner Center token source: the delegated sign-in stored by `login partner-center`,
 * built at the first call (a missing key then fails each run with its clear message instead of
 * stopping the daemon), every failure handed to the grant monitor (an expired grant shows on
 * /readyz and in status, and alerts ops once).
 */
function delegatedTokens(
  auth: PartnerCenterAuthConfig,
  deps: { store: StateStore; env: NodeJS.ProcessEnv; logger: Logger; configFile: string; grants: GrantMonitor },
): PartnerTokenSource {
  let source: PartnerTokenSource | null = null;
  return {
    async token(forceRefresh) {
      try {
        source ??= createDelegatedTokenSource(partnerCenterAuthOptions(auth), { store: deps.store, env: deps.env, logger: deps.logger, configPath: deps.configFile });
        return await source.token(forceRefresh);
      } catch (error) {
        await deps.grants.report(error).catch((e: unknown) => deps.logger.warn('recording an expired sign-in failed', { event: 'grant.report-failed', err: e }));
        throw error;
      }
    },
  };
}

/** The `partnerCenter.auth` section as the Partner Center auth module takes it. */
export function partnerCenterAuthOptions(auth: PartnerCenterAuthConfig): PartnerCenterAuthOptions {
  return {
    tenantId: auth.tenantId,
    clientId: auth.clientId,
    ...(auth.authority === undefined ? {} : { authority: auth.authority }),
    ...(auth.scopes === undefined ? {} : { scopes: auth.scopes }),
    ...(auth.keyEnv === undefined ? {} : { keyEnv: auth.keyEnv }),
  };
}

/** `cosell-sync login partner-center`: the configured sign-in, stored in the configured store. */
export async function loginPartnerCenterWithConfig(request: PartnerCenterLoginRequest): Promise<PartnerCenterLogin> {
  const { config } = loadConfig(request.configPath, request.env);
  if (config.partnerCenter === null) {
    throw new ConfigError(`${request.configPath}: no partnerCenter.auth section (tenantId, clientId): Partner Center is not configured`);
  }
  const logger = createLogger({ level: 'warn', format: config.logging.format });
  const store = await createStore(
    config.store.driver === 'sqlite'
      ? { kind: 'sqlite', path: config.store.path }
      : { kind: 'postgres', url: config.store.url, poolSize: 1, logger },
  );
  try {
    const result = await loginPartnerCenter(partnerCenterAuthOptions(config.partnerCenter.auth), {
      store, env: request.env, logger, configPath: request.configPath, onDeviceCode: request.onDeviceCode,
      ...(request.timeoutSeconds === undefined ? {} : { timeoutSeconds: request.timeoutSeconds }),
    });
    return { account: result.account, name: result.name, tenantId: result.tenantId, scopes: result.scopes, expiresOn: result.expiresOn };
  } finally {
    await store.close();
  }
}

/** COSELL_SYNC_HTTP_HOST overrides the configured address (the container image sets 0.0.0.0). */
export function httpHost(env: NodeJS.ProcessEnv, configured: string): string {
  const host = env['COSELL_SYNC_HTTP_HOST'];
  return host === undefined || host.trim() === '' ? configured : host.trim();
}

/** Credentials the simulators accept (printed by `cosell-sync simulators`; they guard nothing real). */
const SIMULATOR_CLIENT = { clientId: 'cosell-sync-sim-client', clientSecret: 'cosell-sync-sim-secret' };

/** The CRM and Partner Center simulators on the given loopback ports (0: any), seeded with the sandbox's samples unless `empty`. */
export async function startSimulators(options: StartSimulatorsOptions): Promise<RunningSimulators> {
  const sf = await startSalesforceSimulator({ port: options.salesforcePort, auth: { ...SIMULATOR_CLIENT } });
  const dyn = await startDynamicsSimulator({ port: options.dynamicsPort }).catch(async (error: unknown) => {
    await sf.close();
    throw error;
  });
  const pc = await startPartnerCenterSimulator({ ...(options.partnerCenterPort ? { port: options.partnerCenterPort } : {}) }).catch(async (error: unknown) => {
    await sf.close();
    await dyn.close();
    throw error;
  });
  const seeded = options.empty ? { salesforce: 0, dynamics: 0 } : { salesforce: sf.seed(salesforceSeed(32)).length, dynamics: dyn.seed(dynamicsSeed(26, dyn.currencies)).length };
  const referrals = options.empty ? 0 : seedPartnerCenter(pc, new Date()).length;
  return {
    salesforce: { url: sf.url, loginUrl: sf.url, clientId: SIMULATOR_CLIENT.clientId, clientSecret: SIMULATOR_CLIENT.clientSecret, records: seeded.salesforce },
    dynamics: { url: dyn.url, tenantId: dyn.tenantId, authority: dyn.authority, clientId: dyn.clientId, clientSecret: dyn.clientSecret, records: seeded.dynamics },
    partnerCenter: { apiBase: pc.apiBase, authority: pc.authority, tenantId: pc.entra.tenantId, certificateHost: pc.origin, referrals },
    close: async () => {
      await sf.close();
      await dyn.close();
      await pc.close();
    },
  };
}

/** The simulators (and the sign-in to Partner Center's) `npm start` runs the sandbox with. */
export const sandboxAdapters: SandboxAdapters = {
  startSalesforceSimulator, startDynamicsSimulator, startGraphMailSimulator,
  partnerCenter: { start: () => startPartnerCenterSimulator({ entra: { pollIntervalSeconds: 1 } }), login: loginPartnerCenterWithConfig },
};


/** The app the configuration describes, or the sandbox when asked for. */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? env.COSELL_SYNC_CONFIG;
  if (options.sandbox === true) return startSandbox({ adapters: sandboxAdapters, assemble: assembleApp, env });
  if (configPath === undefined || configPath === '') throw new ConfigError('no configuration: give --config FILE or set COSELL_SYNC_CONFIG');
  const loaded = loadConfig(configPath, env);
  const { level, format } = loaded.config.logging;
  const logger = createLogger({ level, format, ...(options.logTo === 'stderr' ? { stream: process.stderr } : {}) });
  return assembleApp(loaded, { env, logger });
}
