/** describe → ObjectMetadata with normalised types (FieldMetadata.type vocabulary of the port). */
import type { FieldMetadata, ObjectMetadata } from '../../src/ports/connector';
import { DescribeResult } from './schema';

const TYPES: Record<string, string> = {
  string: 'string',
  email: 'string',
  phone: 'string',
  url: 'string',
  encryptedstring: 'string',
  combobox: 'string',
  textarea: 'textarea',
  double: 'double',
  percent: 'double',
  currency: 'currency',
  int: 'int',
  long: 'int',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  picklist: 'picklist',
  multipicklist: 'picklist',
  reference: 'reference',
  id: 'id',
};

export function normaliseDescribe(raw: unknown): ObjectMetadata {
  const d = DescribeResult.parse(raw);
  return {
    name: d.name,
    fields: d.fields.map(
      (f): FieldMetadata => ({
        name: f.name,
        label: f.label,
        type: TYPES[f.type.toLowerCase()] ?? 'other',
        updateable: f.updateable,
        createable: f.createable,
        nillable: f.nillable,
        picklistValues: f.picklistValues && f.picklistValues.length > 0 ? f.picklistValues.filter((p) => p.active !== false).map((p) => p.value) : null,
        referenceTo: f.referenceTo && f.referenceTo.length > 0 ? f.referenceTo : null,
        scale: (f.type === 'currency' || f.type === 'double' || f.type === 'percent') && typeof f.scale === 'number' ? f.scale : null,
      }),
    ),
  };
}
