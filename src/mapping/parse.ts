/**
 * Reads a mapping file: YAML with positions, the schema, each field's conversion (checked against the
 * co-sell field's kind), then the cross-field checks of check.ts. Every issue is kept.
 */
import { COSELL_FIELDS, COSELL_FIELD_NAMES, isCosellField, type CosellField } from '../core/fields';
import { didYouMean, type ConfigIssue } from '../config/issues';
import { readYamlSource, type YamlSource } from '../config/yaml-source';
import { parseAt, valueAt } from '../config/zod-issues';
import { checkMapping } from './check';
import { CONVERSIONS_BY_KIND, FIELD_SCHEMAS, MAPPING_SCHEMA, type FieldMappingSpec, type MappingFileSpec } from './schema';

export interface ParsedMapping {
  spec: MappingFileSpec;
  source: YamlSource;
}

/** Fields mapped elsewhere in the file, not under `fields`. */
const NOT_UNDER_FIELDS: Partial<Record<CosellField, string>> = {
  id: 'the co-sell id is written to the CRM through externalIdField',
  stage: 'the stage is mapped in the stage section',
  declineReason: 'the decline reason is mapped in stage.declineReason',
};

export function readMappingFile(absolutePath: string, shownAs: string): { mapping: ParsedMapping | null; issues: ConfigIssue[] } {
  const { source, issues } = readYamlSource(absolutePath, shownAs);
  if (source === null) return { mapping: null, issues };
  return parseMappingSource(source);
}

export function parseMappingSource(source: YamlSource): { mapping: ParsedMapping | null; issues: ConfigIssue[] } {
  const top = parseAt(MAPPING_SCHEMA, source.data, source, []);
  const rawFields = valueAt(source.data, ['fields']);
  const fields = new Map<string, FieldMappingSpec>();
  const issues: ConfigIssue[] = top.ok ? [] : top.issues;
  if (rawFields !== null && typeof rawFields === 'object' && !Array.isArray(rawFields)) {
    for (const [name, raw] of Object.entries(rawFields as Record<string, unknown>)) {
      const parsed = parseField(source, name, raw);
      if (parsed.ok) fields.set(name, parsed.spec);
      else issues.push(...parsed.issues);
    }
  }
  if (!top.ok) return { mapping: null, issues };
  const spec: MappingFileSpec = { ...top.data, fields };
  // Fields present but broken are already reported: not also "required ... not mapped".
  const named = new Set(rawFields !== null && typeof rawFields === 'object' ? Object.keys(rawFields) : []);
  issues.push(...checkMapping(spec, source, named));
  return issues.length === 0 ? { mapping: { spec, source }, issues } : { mapping: null, issues };
}

function parseField(
  source: YamlSource,
  name: string,
  raw: unknown,
): { ok: true; spec: FieldMappingSpec } | { ok: false; issues: ConfigIssue[] } {
  const path = ['fields', name];
  if (!isCosellField(name)) {
    return { ok: false, issues: [source.issue(path, `unknown co-sell field "${name}"${didYouMean(name, COSELL_FIELD_NAMES)}`, true)] };
  }
  const elsewhere = NOT_UNDER_FIELDS[name];
  if (elsewhere !== undefined) return { ok: false, issues: [source.issue(path, `not mapped here: ${elsewhere}`, true)] };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [source.issue(path, 'expected a map with at least crm and type')] };
  }
  const allowed = CONVERSIONS_BY_KIND[COSELL_FIELDS[name].kind];
  const type = (raw as Record<string, unknown>)['type'];
  if (type === undefined) return { ok: false, issues: [source.issue([...path, 'type'], `required: one of ${allowed.join(', ')}`)] };
  const conversion = allowed.find((c) => c === type);
  if (conversion === undefined) {
    const hint = typeof type === 'string' ? didYouMean(type, allowed) : '';
    return { ok: false, issues: [source.issue([...path, 'type'], `expected one of ${allowed.join(', ')}${hint}`)] };
  }
  const parsed = parseAt(FIELD_SCHEMAS[conversion], raw, source, path);
  return parsed.ok ? { ok: true, spec: parsed.data } : { ok: false, issues: parsed.issues };
}
