/**
 * Each connector entry with its mapping file: read once per file, checked against the connector
 * (kind, object, participation filter) and, when given, the CRM's field metadata, then compiled.
 */
import type { ObjectMetadata } from '../ports/connector';
import { compileMapping, type CompiledMapping } from '../mapping/compile';
import { checkMetadata } from '../mapping/metadata-check';
import { readMappingFile, type ParsedMapping } from '../mapping/parse';
import type { FieldOwner } from '../mapping/schema';
import type { ParsedConnector } from './connector-entry';
import type { ConfigIssue } from './issues';
import type { ConnectorConfig } from './types';
import type { YamlSource } from './yaml-source';

export interface ConnectorEntry {
  connector: ParsedConnector;
  /** Index in the configuration's `connectors` list. */
  index: number;
  /** The mapping file as issues show it. */
  shown: string;
}

export interface BoundMappings {
  connectors: ConnectorConfig[];
  mappings: Map<string, CompiledMapping>;
  mappingFiles: Map<string, string>;
  issues: ConfigIssue[];
}

export function bindMappings(params: {
  entries: readonly ConnectorEntry[];
  source: YamlSource;
  metadata?: ReadonlyMap<string, ObjectMetadata> | undefined;
  defaultOwner?: FieldOwner;
}): BoundMappings {
  const { source } = params;
  const out: BoundMappings = { connectors: [], mappings: new Map(), mappingFiles: new Map(), issues: [] };
  const cache = new Map<string, ParsedMapping | null>();
  for (const { connector, index, shown } of params.entries) {
    out.mappingFiles.set(connector.name, shown);
    let mapping = cache.get(connector.mappingFile);
    if (mapping === undefined) {
      const read = readMappingFile(connector.mappingFile, shown);
      mapping = read.mapping;
      cache.set(connector.mappingFile, mapping);
      // A file that cannot be read is reported where the configuration names it.
      const at = ['connectors', index, 'mapping'];
      out.issues.push(...read.issues.map((i) => (i.line === 0 ? source.issue(at, `mapping file ${shown}: ${i.message}`) : i)));
    }
    if (mapping === null) continue;
    const issues = checkAgainstConnector(connector, mapping, { source, index, shown });
    const metadata = params.metadata?.get(connector.name);
    if (metadata !== undefined && issues.length === 0) issues.push(...checkMetadata(mapping, metadata));
    out.issues.push(...issues);
    if (issues.length > 0) continue;
    out.mappings.set(connector.name, compileMapping(mapping.spec, params.defaultOwner ? { defaultOwner: params.defaultOwner } : {}));
    out.connectors.push({ ...connector, object: connector.object ?? mapping.spec.object } as ConnectorConfig);
  }
  return out;
}

function checkAgainstConnector(
  connector: ParsedConnector,
  mapping: ParsedMapping,
  where: { source: YamlSource; index: number; shown: string },
): ConfigIssue[] {
  const { source, index, shown } = where;
  const at = ['connectors', index];
  if (mapping.spec.kind !== connector.kind) {
    return [source.issue([...at, 'mapping'], `${shown} is a ${mapping.spec.kind} mapping, this connector is ${connector.kind}`)];
  }
  const issues: ConfigIssue[] = [];
  if (connector.object !== null && connector.object !== mapping.spec.object) {
    issues.push(source.issue([...at, 'object'], `the mapping ${shown} maps ${mapping.spec.object}, not ${connector.object}`));
  }
  // Records created in the CRM must match the participation filter, or they would drop out of the sync.
  const sets = mapping.spec.participationFields;
  connector.participation.all.forEach((c, j) => {
    if (c.op !== 'eq') return;
    const where = [...at, 'participation', j];
    const prefix = "records created in the CRM would not take part: the mapping's participationFields";
    if (!(c.field in sets)) issues.push(source.issue(where, `${prefix} does not set ${c.field}`));
    else if (sets[c.field] !== c.value) issues.push(source.issue(where, `${prefix} sets ${c.field} to ${JSON.stringify(sets[c.field])}`));
  });
  return issues;
}
