/**
 * Reads the daemon configuration and every mapping file it names, and reports every issue at once
 * (architecture.md, Configuration): a daemon never starts on an invalid configuration.
 */
import path from 'node:path';
import type { ObjectMetadata } from '../ports/connector';
import type { CompiledMapping } from '../mapping/compile';
import { bindMappings } from './bind-mappings';
import { checkCron, parseConnectors } from './connector-entry';
import { resolveEnv } from './env';
import { ConfigValidationError, didYouMean, sortIssues, type ConfigIssue } from './issues';
import { NO_NOTIFICATIONS } from '../notify/settings';
import { PARTNER_CENTER_INSTANCE } from './partner-center';
import { CONFIG_SCHEMA, STORE_SCHEMA } from './schema';
import type { DaemonConfig, StoreConfig } from './types';
import { readYamlSource, type YamlSource } from './yaml-source';
import { parseAt, valueAt } from './zod-issues';

export interface LoadedConfig {
  config: DaemonConfig;
  /** Compiled mapping per connector name. */
  mappings: ReadonlyMap<string, CompiledMapping>;
}

export interface AnalyzeOptions {
  env?: NodeJS.ProcessEnv;
  /** CRM field metadata per connector name (from CrmConnector.describe()), for the field checks. */
  metadata?: ReadonlyMap<string, ObjectMetadata>;
}

export interface ConfigAnalysis {
  loaded: LoadedConfig | null;
  /** The mapping file (as shown) of each connector, for summaries. */
  mappingFiles: ReadonlyMap<string, string>;
  issues: ConfigIssue[];
}

/** Parses, resolves and compiles; throws a ConfigValidationError listing every issue. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const analysis = analyzeConfig(file, { env });
  if (analysis.loaded === null) throw new ConfigValidationError(analysis.issues);
  return analysis.loaded;
}

export function analyzeConfig(file: string, options: AnalyzeOptions = {}): ConfigAnalysis {
  const absolute = path.resolve(file);
  const { source, issues } = readYamlSource(absolute, file);
  const mappingFiles = new Map<string, string>();
  if (source === null) return { loaded: null, mappingFiles, issues };
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    return { loaded: null, mappingFiles, issues: [source.issue([], 'expected a map of settings')] };
  }
  const resolved = resolveEnv(source.data, options.env ?? process.env, source);
  issues.push(...resolved.issues);
  const top = parseAt(CONFIG_SCHEMA, resolved.data, source, []);
  if (!top.ok) issues.push(...top.issues);
  const store = parseStore(valueAt(resolved.data, ['store']), source);
  issues.push(...store.issues);

  const entries = parseConnectors(valueAt(resolved.data, ['connectors']), source, file);
  issues.push(...entries.issues);
  if (top.ok) issues.push(...checkCron(top.data.expiry.schedule, source, ['expiry', 'schedule']));
  // Checked on the raw value too, so that a bad schedule is reported with the block's other errors.
  const pcSchedule = valueAt(resolved.data, ['partnerCenter', 'schedule']);
  if (typeof pcSchedule === 'string') issues.push(...checkCron(pcSchedule, source, ['partnerCenter', 'schedule']));
  if (top.ok && top.data.partnerCenter?.enabled === true) {
    // Partner Center runs as the instance of this name: its runs, lease and dead letters go by it.
    for (const entry of entries.entries.filter((e) => e.connector.name === PARTNER_CENTER_INSTANCE)) {
      issues.push(source.issue(['connectors', entry.index, 'name'], `"${PARTNER_CENTER_INSTANCE}" is the Partner Center instance's name; give this connector another`));
    }
  }

  const bound = bindMappings({
    entries: entries.entries,
    source,
    metadata: options.metadata,
    ...(top.ok ? { defaultOwner: top.data.reconciliation.defaultOwner } : {}),
  });
  issues.push(...bound.issues);
  for (const [name, shown] of bound.mappingFiles) mappingFiles.set(name, shown);
  const { connectors, mappings } = bound;

  if (issues.length > 0 || !top.ok || store.store === null) return { loaded: null, mappingFiles, issues: sortIssues(dedupe(issues)) };
  const { http, notifications, reconciliation, logging, expiry, partnerCenter } = top.data;
  const config: DaemonConfig = {
    configFile: absolute,
    store: store.store,
    connectors,
    reconciliation,
    logging,
    http: { port: http.port, host: http.host, adminToken: http.adminToken ?? null, ...(http.stalledAfterMs === undefined ? {} : { stalledAfterMs: http.stalledAfterMs }) },
    expiry,
    notifications: notifications ?? NO_NOTIFICATIONS,
    partnerCenter: partnerCenter?.enabled === true ? partnerCenter : null,
  };
  return { loaded: { config, mappings }, mappingFiles, issues: [] };
}

function parseStore(raw: unknown, source: YamlSource): { store: StoreConfig | null; issues: ConfigIssue[] } {
  if (raw === undefined) return { store: { driver: 'sqlite', path: path.resolve('./data/cosell-sync.db') }, issues: [] };
  const driver = valueAt(raw, ['driver']);
  if (driver !== 'sqlite' && driver !== 'postgres') {
    const hint = typeof driver === 'string' ? didYouMean(driver, ['sqlite', 'postgres']) : '';
    const message = driver === undefined ? 'required: one of sqlite, postgres' : `expected one of sqlite, postgres${hint}`;
    return { store: null, issues: [source.issue(['store', 'driver'], message)] };
  }
  const parsed = parseAt(STORE_SCHEMA[driver], raw, source, ['store']);
  if (!parsed.ok) return { store: null, issues: parsed.issues };
  const store = parsed.data;
  // SQLite paths are relative to the working directory, where `npm start` puts ./data/.
  return { store: store.driver === 'sqlite' ? { ...store, path: path.resolve(store.path) } : store, issues: [] };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.file}:${i.line}:${i.column}:${i.path}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
