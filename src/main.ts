/**
 * The composition root: configuration -> store -> connectors -> sync engine -> app. The only file
 * that imports connectors/ (architecture.md); everything else receives what it builds.
 */
import { readFileSync } from 'node:fs';
import { createDynamicsConnector } from '../connectors/dynamics';
import { startDynamicsSimulator } from '../connectors/dynamics/simulator';
import { createGraphMailSender } from '../connectors/graph-mail';
import { startGraphMailSimulator } from '../connectors/graph-mail/simulator';
import { createSalesforceConnector } from '../connectors/salesforce';
import { startSalesforceSimulator } from '../connectors/salesforce/simulator';
import type { App, ConnectorHealth, CreateAppOptions } from './app';
import { analyzeConfig, loadConfig, type LoadedConfig } from './config/load';
import { ConfigValidationError } from './config/issues';
import type { ConnectorConfig } from './config/types';
import { systemClock, type Clock } from './core/clock';
import { createLogger, type Logger } from './log';
import { Metrics } from './metrics';
import { Notifier, type NotificationSettings } from './notify';
import type { MailSender } from './ports/mail';
import { DEFAULT_RETRY_POLICY } from './retry';
import type { CrmConnector, ObjectMetadata } from './ports/connector';
import { createStore } from './store';
import { createSyncEngine } from './sync/engine';
import type { ConnectorInstance } from './sync/ports';
import { startSandbox, type SandboxAdapters } from './sandbox/sandbox';

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
      batchSize: Math.min(1000, config.options.batchSize), apiVersion: `v${config.apiVersion}`, retry: { maxAttempts: config.options.maxRetries + 1 },
    },
    { logger },
  );
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

async function checkFieldsAgainstCrms(configFile: string, env: NodeJS.ProcessEnv, instances: readonly ConnectorInstance[]): Promise<void> {
  const metadata = new Map<string, ObjectMetadata>();
  for (const instance of instances) metadata.set(instance.name, await instance.connector.describe());
  const { issues } = analyzeConfig(configFile, { env, metadata });
  if (issues.length > 0) throw new ConfigValidationError(issues);
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
    return { name: c.name, connector: createConnector(c, logger), mapping, publish: c.options.publish, pushBatchSize: c.options.batchSize };
  });
  if (options.checkCrmFields !== false) {
    try {
      await checkFieldsAgainstCrms(config.configFile, options.env ?? process.env, instances);
    } catch (error) {
      for (const instance of instances) await instance.connector.close();
      await store.close();
      for (const close of options.closers ?? []) await close();
      throw error;
    }
  }
  const health = new Map<string, ConnectorHealth>(enabled.map((c) => [c.name, { name: c.name, kind: c.kind, ready: true, reason: null }]));
  const engine = createSyncEngine({
    store, instances, clock, logger,
    policy: { terminalConflicts: config.reconciliation.terminalConflicts, illegalMoves: config.reconciliation.illegalCrmMoves },
    onRun: (summary) => {
      metrics.recordRun(summary);
      const instance = instances.find((i) => i.name === summary.connector);
      if (instance) metrics.setApiUsage(summary.connector, instance.connector.apiUsage());
      health.set(summary.connector, { ...(health.get(summary.connector) as ConnectorHealth), ready: summary.error === null, reason: summary.error });
    },
  });
  const mail = createMailSender(config.notifications, logger);
  const notifier = new Notifier({
    store, mail, settings: config.notifications, clock, logger: logger.child({ module: 'notify' }), connectors: enabled.map((c) => c.name),
  });
  return {
    config: {
      connectors: enabled.map((c) => ({ name: c.name, kind: c.kind, schedule: c.schedule })),
      http: config.http,
      expiry: config.expiry,
      runOnStart: options.runOnStart ?? true,
    },
    store, engine, logger, clock, metrics, notifier,
    connectorStatus: () => [...health.values()],
    async close() {
      for (const instance of instances) await instance.connector.close();
      await mail?.close();
      await store.close();
      for (const close of options.closers ?? []) await close();
    },
  };
}

const sandboxAdapters: SandboxAdapters = { startSalesforceSimulator, startDynamicsSimulator, startGraphMailSimulator };

/** The app the configuration describes; with no configuration at all, the sandbox. */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? env.COSELL_SYNC_CONFIG;
  if (options.sandbox === true || configPath === undefined || configPath === '') {
    return startSandbox({ adapters: sandboxAdapters, assemble: assembleApp, env });
  }
  return assembleApp(loadConfig(configPath, env), { env });
}
