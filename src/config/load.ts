/**
 * Reads the daemon configuration and every mapping file it names, and reports every issue at once
 * (architecture.md, Configuration): a daemon never starts on an invalid configuration.
 */
import path from 'node:path';
import type { ObjectMetadata } from '../ports/connector';
import { compileMapping, type CompiledMapping } from '../mapping/compile';
import { checkMetadata } from '../mapping/metadata-check';
import { readMappingFile, type ParsedMapping } from '../mapping/parse';
import { checkCron, parseConnector, type ParsedConnector } from './connector-entry';
import { resolveEnv } from './env';
import { ConfigValidationError, didYouMean, sortIssues, type ConfigIssue } from './issues';
import { CONFIG_SCHEMA, STORE_SCHEMA } from './schema';
import type { ConnectorConfig, DaemonConfig, StoreConfig } from './types';
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

  const parsedConnectors: { connector: ParsedConnector; index: number; shown: string }[] = [];
  const rawConnectors = valueAt(resolved.data, ['connectors']);
  const names = new Set<string>();
  (Array.isArray(rawConnectors) ? rawConnectors : []).forEach((raw, i) => {
    const parsed = parseConnector(raw, i, source, path.dirname(absolute));
    issues.push(...parsed.issues);
    if (parsed.connector === null) return;
    if (names.has(parsed.connector.name)) issues.push(source.issue(['connectors', i, 'name'], `duplicate connector name "${parsed.connector.name}"`));
    names.add(parsed.connector.name);
    const shown = path.join(path.dirname(file), String(valueAt(raw, ['mapping'])));
    parsedConnectors.push({ connector: parsed.connector, index: i, shown });
  });
  if (top.ok) issues.push(...checkCron(top.data.expiry.schedule, source, ['expiry', 'schedule']));

  const mappings = new Map<string, CompiledMapping>();
  const connectors: ConnectorConfig[] = [];
  const cache = new Map<string, { mapping: ParsedMapping | null; issues: ConfigIssue[] }>();
  parsedConnectors.forEach(({ connector, index, shown }) => {
    mappingFiles.set(connector.name, shown);
    let read = cache.get(connector.mappingFile);
    if (read === undefined) {
      read = readMappingFile(connector.mappingFile, shown);
      cache.set(connector.mappingFile, read);
      // A file that cannot be read is reported where the configuration names it.
      issues.push(...read.issues.map((i) => (i.line === 0 ? source.issue(['connectors', index, 'mapping'], `mapping file ${shown}: ${i.message}`) : i)));
    }
    const mapping = read.mapping;
    if (mapping === null) return;
    const at = ['connectors', index] as const;
    if (mapping.spec.kind !== connector.kind) {
      issues.push(source.issue([...at, 'mapping'], `${shown} is a ${mapping.spec.kind} mapping, this connector is ${connector.kind}`));
      return;
    }
    if (connector.object !== null && connector.object !== mapping.spec.object) {
      issues.push(source.issue([...at, 'object'], `the mapping ${shown} maps ${mapping.spec.object}, not ${connector.object}`));
    }
    issues.push(...checkParticipation(connector, mapping, source, index));
    const metadata = options.metadata?.get(connector.name);
    if (metadata !== undefined) issues.push(...checkMetadata(mapping, metadata));
    mappings.set(connector.name, compileMapping(mapping.spec, top.ok ? { defaultOwner: top.data.reconciliation.defaultOwner } : {}));
    connectors.push({ ...connector, object: connector.object ?? mapping.spec.object } as ConnectorConfig);
  });

  if (issues.length > 0 || !top.ok || store.store === null) return { loaded: null, mappingFiles, issues: sortIssues(dedupe(issues)) };
  const { http, notifications, reconciliation, logging, expiry } = top.data;
  const config: DaemonConfig = {
    configFile: absolute,
    store: store.store,
    connectors,
    reconciliation,
    logging,
    http: { port: http.port, host: http.host, adminToken: http.adminToken ?? null },
    expiry,
    notifications: { enabled: notifications?.enabled ?? false },
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

/** Records created in the CRM must match the participation filter, or they would drop out of the sync. */
function checkParticipation(connector: ParsedConnector, mapping: ParsedMapping, source: YamlSource, index: number): ConfigIssue[] {
  const sets = mapping.spec.participationFields;
  return connector.participation.all.flatMap((c, j) => {
    if (c.op !== 'eq') return [];
    const at = ['connectors', index, 'participation', j];
    if (!(c.field in sets)) return [source.issue(at, `records created in the CRM would not take part: the mapping's participationFields does not set ${c.field}`)];
    return sets[c.field] === c.value ? [] : [source.issue(at, `records created in the CRM would not take part: the mapping's participationFields sets ${c.field} to ${JSON.stringify(sets[c.field])}`)];
  });
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
