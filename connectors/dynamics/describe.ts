/**
 * describe(): the table's columns from EntityDefinitions(LogicalName='…')/Attributes, and the
 * choices of picklist, state and status columns through the typed casts with `$expand=OptionSet`
 * ("Query table definitions using the Web API"). Choice values are reported as their numeric
 * values in text ("100000000"), the form the Web API reads and writes; labels travel alongside in
 * `picklistOptions`. A lookup `x` is described twice: `x` (written with @odata.bind) and
 * `_x_value` (read).
 */
import type { FieldMetadata, ObjectMetadata } from '../../src/ports/connector';
import { attributeListSchema, optionSetListSchema, parseReply, type OptionSetAttribute } from './schema';
import type { WebApiClient } from './web-api';

export interface DynamicsFieldMetadata extends FieldMetadata {
  picklistOptions: Array<{ value: number; label: string }> | null;
}

const TYPES: Record<string, string> = {
  String: 'string',
  Memo: 'textarea',
  Money: 'currency',
  Decimal: 'double',
  Double: 'double',
  Integer: 'int',
  BigInt: 'int',
  Boolean: 'boolean',
  Picklist: 'picklist',
  State: 'picklist',
  Status: 'picklist',
  Lookup: 'reference',
  Customer: 'reference',
  Owner: 'reference',
  Uniqueidentifier: 'id',
};

export const logicalNameOf = (entitySet: string): string =>
  entitySet === 'opportunities' ? 'opportunity' : entitySet.replace(/ies$/, 'y').replace(/s$/, '');

export async function describe(api: WebApiClient, entitySet: string): Promise<ObjectMetadata> {
  const base = `EntityDefinitions(LogicalName='${logicalNameOf(entitySet)}')/Attributes`;
  const get = async (url: string): Promise<string> => (await api.send({ method: 'GET', url, operation: 'describe' })).text;
  const cast = async (type: string): Promise<OptionSetAttribute[]> => {
    const text = await get(`${base}/Microsoft.Dynamics.CRM.${type}AttributeMetadata?$select=LogicalName&$expand=OptionSet`);
    return parseReply(optionSetListSchema, text, 'describe').value;
  };
  const [attributes, ...optionSets] = await Promise.all([
    get(base).then((text) => parseReply(attributeListSchema, text, 'describe').value),
    cast('Picklist'),
    cast('State'),
    cast('Status'),
  ]);
  const options = new Map<string, Array<{ value: number; label: string }>>();
  for (const attr of optionSets.flat()) {
    options.set(
      attr.LogicalName,
      (attr.OptionSet?.Options ?? []).map((o) => ({ value: o.Value, label: o.Label?.UserLocalizedLabel?.Label ?? String(o.Value) })),
    );
  }
  const fields: DynamicsFieldMetadata[] = [];
  for (const a of attributes) {
    const type = a.AttributeType === 'DateTime' ? (a.Format === 'DateOnly' ? 'date' : 'datetime') : (TYPES[a.AttributeType ?? ''] ?? 'other');
    const choices = options.get(a.LogicalName) ?? null;
    const field: DynamicsFieldMetadata = {
      name: a.LogicalName,
      label: a.DisplayName?.UserLocalizedLabel?.Label ?? a.LogicalName,
      type,
      updateable: a.IsValidForUpdate ?? false,
      createable: a.IsValidForCreate ?? false,
      nillable: (a.RequiredLevel?.Value ?? 'None') === 'None',
      picklistValues: choices ? choices.map((o) => String(o.value)) : null,
      referenceTo: a.Targets ?? null,
      picklistOptions: choices,
      scale: (type === 'currency' || type === 'double') && typeof a.Precision === 'number' ? a.Precision : null,
    };
    fields.push(field);
    if (type === 'reference') fields.push({ ...field, name: `_${a.LogicalName}_value`, updateable: false, createable: false });
  }
  return { name: logicalNameOf(entitySet), fields };
}
