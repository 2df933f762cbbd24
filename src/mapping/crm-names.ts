/**
 * How a mapped field is spelled on the wire: the names read ($select / SOQL) and the logical CRM
 * field names (for metadata checks and the one-writer-per-CRM-field rule).
 */
import type { ConnectorKind } from '../ports/connector';
import type { FieldMappingSpec } from './schema';

/**
 * Dataverse returns a lookup's key as `_<name>_value`, and its display text under the
 * `@OData.Community.Display.V1.FormattedValue` annotation when `Prefer: odata.include-annotations` asks
 * for it (learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns).
 */
export const dataverseLookupValue = (name: string): string => `_${name}_value`;
export const FORMATTED_VALUE = '@OData.Community.Display.V1.FormattedValue';

/** Salesforce relationship name of a reference field: CampaignId -> Campaign, Partner__c -> Partner__r. */
export function salesforceRelationship(field: string): string {
  if (field.endsWith('__c')) return `${field.slice(0, -3)}__r`;
  if (field.endsWith('Id')) return field.slice(0, -2);
  return field;
}

/** Logical CRM field names a mapping entry touches. */
export function logicalFields(spec: FieldMappingSpec): string[] {
  if (spec.type === 'money') return spec.currency === undefined ? [spec.amount] : [spec.amount, spec.currency];
  return [spec.crm];
}

/** The names to ask the CRM for when reading. */
export function selectFields(kind: ConnectorKind, spec: FieldMappingSpec): string[] {
  if (spec.type === 'money') {
    if (spec.currency === undefined) return [spec.amount];
    // Dynamics: the lookup's guid and annotation, and the logical name, which the connector resolves to the ISO code.
    return kind === 'dynamics' ? [spec.amount, dataverseLookupValue(spec.currency), spec.currency] : [spec.amount, spec.currency];
  }
  if (spec.type === 'lookup') {
    const byId = spec.lookup.by === 'Id';
    if (kind === 'dynamics') return byId ? [dataverseLookupValue(spec.crm)] : [`${spec.crm}.${spec.lookup.by}`];
    return byId ? [spec.crm] : [`${salesforceRelationship(spec.crm)}.${spec.lookup.by}`];
  }
  return [spec.crm];
}

/** A value of a (possibly dotted, relationship) field from a record: flat key first, then nested objects. */
export function getCrmValue(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  let value: unknown = record;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export const writes = (direction: string): boolean => direction === 'to-crm' || direction === 'both';
export const reads = (direction: string): boolean => direction === 'to-cosell' || direction === 'both';
