/**
 * One connector entry of the configuration: picked by `kind` (and, for Salesforce, the auth `flow`),
 * then checked with its strict schema, its cron schedule and its participation filter.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { readMappingFile } from '../mapping/parse';
import { didYouMean, type ConfigIssue, type IssuePath } from './issues';
import { DYNAMICS_CONNECTOR, SALESFORCE_AUTH, SALESFORCE_CONNECTOR } from './schema';
import type { ConnectorEntry } from './bind-mappings';
import type { ConnectorConfig } from './types';
import type { YamlSource } from './yaml-source';
import { parseAt, typeName } from './zod-issues';

const KINDS = ['salesforce', 'dynamics'] as const;

/** A connector entry before its mapping is read: `object` may still be unknown. */
export type ParsedConnector = ConnectorConfig extends infer C ? (C extends ConnectorConfig ? Omit<C, 'object'> & { object: string | null } : never) : never;

export function checkCron(expression: string, source: YamlSource, at: IssuePath): ConfigIssue[] {
  return validateCron(expression) ? [] : [source.issue(at, `invalid cron expression "${expression}"`)];
}

export function parseConnector(
  raw: unknown,
  index: number,
  source: YamlSource,
  configDir: string,
): { connector: ParsedConnector | null; issues: ConfigIssue[] } {
  const at: IssuePath = ['connectors', index];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { connector: null, issues: [source.issue(at, `expected a map, got ${typeName(raw)}`)] };
  }
  const kind = (raw as Record<string, unknown>)['kind'];
  if (kind !== 'salesforce' && kind !== 'dynamics') {
    const hint = typeof kind === 'string' ? didYouMean(kind, KINDS) : '';
    const message = kind === undefined ? `required: one of ${KINDS.join(', ')}` : `expected one of ${KINDS.join(', ')}${hint}`;
    return { connector: null, issues: [source.issue([...at, 'kind'], message)] };
  }
  const issues: ConfigIssue[] = [];
  const common = (c: { participation: ConnectorConfig['participation']['all']; schedule: string; mapping: string; object?: string | undefined }) => {
    issues.push(...checkCron(c.schedule, source, [...at, 'schedule']));
    return {
      object: c.object ?? null,
      participation: { all: c.participation },
      mappingFile: path.resolve(configDir, c.mapping),
    };
  };
  if (kind === 'dynamics') {
    const parsed = parseAt(DYNAMICS_CONNECTOR, raw, source, at);
    if (!parsed.ok) return { connector: null, issues: [...parsed.issues, ...rawChecks(raw, source, at)] };
    const { mapping: _mapping, object: _object, participation: _participation, ...rest } = parsed.data;
    return { connector: { ...rest, ...common(parsed.data) }, issues };
  }
  const parsed = parseAt(SALESFORCE_CONNECTOR, raw, source, at);
  const auth = parseSalesforceAuth((raw as Record<string, unknown>)['auth'], source, [...at, 'auth']);
  if (!parsed.ok || !auth.ok) {
    return { connector: null, issues: [...(parsed.ok ? [] : parsed.issues), ...(auth.ok ? [] : auth.issues), ...(parsed.ok ? [] : rawChecks(raw, source, at))] };
  }
  const { mapping: _mapping, object: _object, participation: _participation, instanceUrl, ...rest } = parsed.data;
  return { connector: { ...rest, instanceUrl: instanceUrl ?? null, auth: auth.data, ...common(parsed.data) }, issues };
}

/**
 * What can still be checked of an entry its schema refused, so that every error comes in one
 * round: its cron expression, and its mapping file on its own.
 */
function rawChecks(raw: object, source: YamlSource, at: IssuePath): ConfigIssue[] {
  const { schedule } = raw as { schedule?: unknown };
  return typeof schedule === 'string' ? checkCron(schedule, source, [...at, 'schedule']) : [];
}

/** The mapping file's own issues, for an entry that could not be parsed (it is not bound to a connector). */
function mappingFileIssues(raw: unknown, configDir: string, shownDir: string): ConfigIssue[] {
  const mapping = raw !== null && typeof raw === 'object' ? (raw as { mapping?: unknown }).mapping : undefined;
  if (typeof mapping !== 'string' || mapping === '') return [];
  const file = path.resolve(configDir, mapping);
  if (!existsSync(file)) return [];
  return readMappingFile(file, path.isAbsolute(mapping) ? mapping : path.join(shownDir, mapping)).issues.filter((i) => i.line > 0);
}

function parseSalesforceAuth(raw: unknown, source: YamlSource, at: IssuePath) {
  const flows = Object.keys(SALESFORCE_AUTH) as (keyof typeof SALESFORCE_AUTH)[];
  const flow = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['flow'] : undefined;
  const known = flows.find((f) => f === flow);
  if (raw === undefined) return { ok: false as const, issues: [source.issue(at, 'required')] };
  if (known === undefined) {
    const hint = typeof flow === 'string' ? didYouMean(flow, flows) : '';
    const message = flow === undefined ? `required: one of ${flows.join(', ')}` : `expected one of ${flows.join(', ')}${hint}`;
    return { ok: false as const, issues: [source.issue([...at, 'flow'], message)] };
  }
  return parseAt(SALESFORCE_AUTH[known], raw, source, at);
}

/** Every connector entry, with unique names; `file` is the configuration file as shown. */
export function parseConnectors(raw: unknown, source: YamlSource, file: string): { entries: ConnectorEntry[]; issues: ConfigIssue[] } {
  const entries: ConnectorEntry[] = [];
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  const configDir = path.dirname(path.resolve(file));
  (Array.isArray(raw) ? raw : []).forEach((item: unknown, index) => {
    const parsed = parseConnector(item, index, source, configDir);
    issues.push(...parsed.issues);
    const connector = parsed.connector;
    if (connector === null) {
      issues.push(...mappingFileIssues(item, configDir, path.dirname(file)));
      return;
    }
    if (names.has(connector.name)) issues.push(source.issue(['connectors', index, 'name'], `duplicate connector name "${connector.name}"`));
    names.add(connector.name);
    const mapping = String((item as { mapping?: unknown }).mapping);
    // An absolute mapping path is shown as given: the config folder is only put in front of a relative one.
    entries.push({ connector, index, shown: path.isAbsolute(mapping) ? mapping : path.join(path.dirname(file), mapping) });
  });
  return { entries, issues };
}
