/**
 * Cross-field checks of a mapping file, each located in the file: required co-sell fields left
 * unmapped, two writers on one CRM field, value maps that cannot be read back, stage mappings that
 * do not read back as themselves, fields that cannot be written.
 */
import { COSELL_FIELDS, COSELL_FIELD_NAMES, isCosellField } from '../core/fields';
import type { Stage } from '../core/model';
import { didYouMean, type ConfigIssue, type IssuePath } from '../config/issues';
import type { YamlSource } from '../config/yaml-source';
import { logicalFields, writes } from './crm-names';
import type { FieldMappingSpec, MappingFileSpec, StageSpec } from './schema';
import { matchStageRule } from './stage';

export function checkMapping(spec: MappingFileSpec, source: YamlSource, named: ReadonlySet<string> = new Set()): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, field] of spec.fields) issues.push(...checkField(name, field, source));
  issues.push(...checkRequired(spec, source, named), ...checkWriters(spec, source), ...checkStage(spec.stage, source));
  return issues;
}

function checkField(name: string, field: FieldMappingSpec, source: YamlSource): ConfigIssue[] {
  const path: IssuePath = ['fields', name];
  const issues: ConfigIssue[] = [];
  if (writes(field.direction)) {
    for (const crm of logicalFields(field)) {
      if (crm.includes('.')) {
        issues.push(source.issue([...path, 'direction'], `${crm} is a relationship field and can only be read: use direction to-cosell`));
      }
    }
  }
  if (field.type === 'money' && (field.currency === undefined) === (field.fixedCurrency === undefined)) {
    issues.push(source.issue(path, 'money needs exactly one of currency (a CRM field) or fixedCurrency'));
  }
  if (field.type === 'money' && field.rates !== undefined && field.fixedCurrency === undefined) {
    issues.push(source.issue([...path, 'rates'], 'rates convert into fixedCurrency: set fixedCurrency, or drop rates (a multi-currency CRM keeps each deal in its own currency)'));
  }
  if (field.type === 'string' && field.onTooLong === 'truncate' && field.maxLength === undefined) {
    issues.push(source.issue([...path, 'onTooLong'], 'onTooLong needs maxLength'));
  }
  if (field.type === 'picklist') issues.push(...checkValueMap(field.values, field.direction, [...path, 'values'], source, enumValues(name)));
  if (field.type === 'picklist' && field.default !== undefined) {
    const allowed = enumValues(name);
    if (allowed !== null && !allowed.includes(field.default)) {
      issues.push(source.issue([...path, 'default'], `unknown value "${field.default}": expected one of ${allowed.join(', ')}`));
    }
  }
  return issues;
}

function enumValues(name: string): readonly string[] | null {
  if (!isCosellField(name)) return null;
  const spec = COSELL_FIELDS[name];
  return 'values' in spec ? spec.values : null;
}

/** Keys must be known co-sell values; read back through the inverse, the map must be one-to-one. */
export function checkValueMap(
  values: Record<string, string | number | boolean>,
  direction: string,
  path: IssuePath,
  source: YamlSource,
  allowed: readonly string[] | null,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, string>();
  for (const [cosell, crm] of Object.entries(values)) {
    if (allowed !== null && !allowed.includes(cosell)) {
      issues.push(source.issue([...path, cosell], `unknown value "${cosell}"${didYouMean(cosell, allowed)}: expected one of ${allowed.join(', ')}`, true));
    }
    const other = seen.get(String(crm));
    if (other !== undefined && direction === 'both') {
      issues.push(source.issue([...path, cosell], `value map is not one-to-one: "${other}" and "${cosell}" both map to CRM value ${JSON.stringify(crm)}`));
    }
    seen.set(String(crm), cosell);
  }
  return issues;
}

function checkRequired(spec: MappingFileSpec, source: YamlSource, named: ReadonlySet<string>): ConfigIssue[] {
  const missing = (name: string) => !spec.fields.has(name) && !named.has(name);
  return COSELL_FIELD_NAMES.filter((name) => COSELL_FIELDS[name].requiredForCreate && missing(name)).map((name) =>
    source.issue(['fields'], `required co-sell field ${name} is not mapped`, true),
  );
}

/** One writer per CRM field: two co-sell fields written to one CRM field would overwrite each other. */
function checkWriters(spec: MappingFileSpec, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const writers = new Map<string, string>();
  const claim = (crm: string, writer: string, path: IssuePath): void => {
    const key = crm.toLowerCase();
    const first = writers.get(key);
    if (first === undefined) writers.set(key, writer);
    else issues.push(source.issue(path, `CRM field ${crm} is written by both ${first} and ${writer}`));
  };
  claim(spec.externalIdField, 'externalIdField', ['externalIdField']);
  if (writes(spec.stage.direction)) {
    for (const f of spec.stage.fields) claim(f, 'stage', ['stage', 'fields']);
    if (spec.stage.declineReason !== undefined) claim(spec.stage.declineReason.field, 'stage.declineReason', ['stage', 'declineReason', 'field']);
  }
  if (spec.status.messageField !== undefined) claim(spec.status.messageField, 'status.messageField', ['status', 'messageField']);
  if (spec.status.conflictField !== undefined) claim(spec.status.conflictField, 'status.conflictField', ['status', 'conflictField']);
  for (const [name, field] of spec.fields) {
    if (!writes(field.direction)) continue;
    const keys = field.type === 'money' ? ['amount', 'currency'] : ['crm'];
    logicalFields(field).forEach((crm, i) => claim(crm, name, ['fields', name, keys[i] ?? 'crm']));
  }
  return issues;
}

const READ_BACK: readonly Stage[] = ['received', 'accepted', 'won', 'lost'];

function checkStage(stage: StageSpec, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const known = stage.fields;
  for (const [i, rule] of stage.fromCrm.entries()) {
    for (const field of Object.keys(rule.when)) {
      if (!known.includes(field) && field !== stage.declineReason?.field) {
        issues.push(source.issue(['stage', 'fromCrm', i, 'when', field], `${field} is not one of stage.fields (${known.join(', ')})`, true));
      }
    }
  }
  for (const [name, values] of Object.entries(stage.toCrm)) {
    for (const field of Object.keys(values ?? {})) {
      if (!known.includes(field)) {
        issues.push(source.issue(['stage', 'toCrm', name, field], `${field} is not one of stage.fields (${known.join(', ')})`, true));
      }
    }
  }
  if (stage.declineReason !== undefined) {
    issues.push(...checkValueMap(stage.declineReason.values, 'both', ['stage', 'declineReason', 'values'], source, null));
  }
  if (!writes(stage.direction)) return issues;
  for (const name of ['received', 'accepted', 'won', 'lost', 'declined', 'expired'] as const) {
    const values = stage.toCrm[name];
    if (values === undefined) {
      issues.push(source.issue(['stage', 'toCrm'], `no CRM value for stage ${name}`));
      continue;
    }
    const rule = stage.fromCrm[matchStageRule(stage, values)];
    if (READ_BACK.includes(name) && rule?.stage !== name) {
      issues.push(source.issue(['stage', 'toCrm', name], `written as ${JSON.stringify(values)}, which reads back as ${rule?.stage ?? 'no stage'}`));
    }
  }
  return issues;
}
