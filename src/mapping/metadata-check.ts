/**
 * A mapping checked against the CRM's own field metadata (CrmConnector.describe()): mapped fields
 * exist, fields written to the CRM are updateable, and written picklist values are values the CRM has.
 */
import type { FieldMetadata, ObjectMetadata } from '../ports/connector';
import { didYouMean, type ConfigIssue, type IssuePath } from '../config/issues';
import { writes } from './crm-names';
import type { ParsedMapping } from './parse';

export function checkMetadata(mapping: ParsedMapping, metadata: ObjectMetadata): ConfigIssue[] {
  const { spec, source } = mapping;
  const issues: ConfigIssue[] = [];
  const byName = new Map(metadata.fields.map((f) => [f.name.toLowerCase(), f]));
  const names = metadata.fields.map((f) => f.name);

  const field = (name: string, at: IssuePath, written: boolean): FieldMetadata | null => {
    // Relationship paths (Account.Name) belong to another object: not checked here.
    if (name.includes('.')) return null;
    const meta = byName.get(name.toLowerCase());
    if (meta === undefined) {
      issues.push(source.issue(at, `CRM field ${name} does not exist on ${metadata.name}${didYouMean(name, names)}`));
      return null;
    }
    if (meta.name !== name) issues.push(source.issue(at, `CRM field ${name} is spelled ${meta.name}`));
    if (written && !meta.updateable) issues.push(source.issue(at, `CRM field ${meta.name} is not updateable, but the mapping writes it`));
    return meta;
  };
  const picklist = (meta: FieldMetadata | null, value: unknown, at: IssuePath): void => {
    if (meta === null || meta.picklistValues === null || value === null || value === undefined) return;
    if (!meta.picklistValues.includes(String(value))) {
      const hint = typeof value === 'string' ? didYouMean(value, meta.picklistValues) : '';
      issues.push(source.issue(at, `${JSON.stringify(value)} is not a value of CRM picklist ${meta.name}${hint}`));
    }
  };

  field(spec.externalIdField, ['externalIdField'], false);
  for (const [name, value] of Object.entries(spec.participationFields)) {
    picklist(field(name, ['participationFields', name], true), value, ['participationFields', name]);
  }
  if (spec.status.messageField !== undefined) field(spec.status.messageField, ['status', 'messageField'], true);
  if (spec.status.conflictField !== undefined) field(spec.status.conflictField, ['status', 'conflictField'], true);

  if (spec.registration !== undefined) {
    field(spec.registration.idField, ['registration', 'idField'], false);
    if (spec.registration.detailsField !== undefined) field(spec.registration.detailsField, ['registration', 'detailsField'], false);
  }

  const stage = spec.stage;
  const stageWritten = writes(stage.direction);
  const stageMeta = new Map(stage.fields.map((f, i) => [f, field(f, ['stage', 'fields', i], stageWritten)]));
  for (const [name, values] of Object.entries(stage.toCrm)) {
    for (const [f, v] of Object.entries(values ?? {})) picklist(stageMeta.get(f) ?? null, v, ['stage', 'toCrm', name, f]);
  }
  stage.fromCrm.forEach((rule, i) => {
    for (const [f, v] of Object.entries(rule.when)) {
      const at: IssuePath = ['stage', 'fromCrm', i, 'when', f];
      if (Array.isArray(v)) v.forEach((one, j) => picklist(stageMeta.get(f) ?? null, one, [...at, j]));
      else picklist(stageMeta.get(f) ?? null, v, at);
    }
  });
  if (stage.declineReason !== undefined) {
    const meta = field(stage.declineReason.field, ['stage', 'declineReason', 'field'], stageWritten);
    for (const [k, v] of Object.entries(stage.declineReason.values)) picklist(meta, v, ['stage', 'declineReason', 'values', k]);
    picklist(meta, stage.declineReason.crmDefault, ['stage', 'declineReason', 'crmDefault']);
  }

  for (const [name, f] of spec.fields) {
    const at: IssuePath = ['fields', name];
    const written = writes(f.direction);
    if (f.type === 'money') {
      field(f.amount, [...at, 'amount'], written);
      if (f.currency === undefined) continue;
      const meta = field(f.currency, [...at, 'currency'], written);
      for (const [i, code] of (f.currencies ?? []).entries()) picklist(meta, code, [...at, 'currencies', i]);
      continue;
    }
    const meta = field(f.crm, [...at, 'crm'], written);
    if (f.type === 'picklist') {
      for (const [k, v] of Object.entries(f.values)) picklist(meta, v, [...at, 'values', k]);
      picklist(meta, f.crmDefault, [...at, 'crmDefault']);
    }
  }
  return issues;
}
