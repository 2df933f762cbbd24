/**
 * EntityDefinitions (Dataverse "Query table definitions using the Web API"): the table, its
 * attributes, and the option sets of picklist / state / status attributes through the
 * `Attributes/Microsoft.Dynamics.CRM.<Type>AttributeMetadata?$expand=OptionSet` casts.
 */
import { json, type SimContext, type SimRequest, type SimResponse } from './context';
import { tableByLogicalName, type AttributeDef, type TableDef } from './schema';

const label = (text: string): Record<string, unknown> => ({
  LocalizedLabels: [{ Label: text, LanguageCode: 1033 }],
  UserLocalizedLabel: { Label: text, LanguageCode: 1033 },
});

const CASTS: Record<string, AttributeDef['type']> = {
  PicklistAttributeMetadata: 'Picklist',
  StateAttributeMetadata: 'State',
  StatusAttributeMetadata: 'Status',
};

function attributeMetadata(def: TableDef, a: AttributeDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '@odata.type': `#Microsoft.Dynamics.CRM.${a.type === 'Customer' ? 'Lookup' : a.type}AttributeMetadata`,
    LogicalName: a.logicalName,
    SchemaName: a.logicalName,
    AttributeType: a.type,
    DisplayName: label(a.label),
    IsValidForCreate: a.createable !== false || a.type === 'State' || a.type === 'Status',
    IsValidForUpdate: a.updateable !== false,
    IsValidForRead: true,
    IsPrimaryId: a.logicalName === def.key,
    IsPrimaryName: a.logicalName === def.primaryName,
    RequiredLevel: { Value: a.required ? 'ApplicationRequired' : a.logicalName === def.key ? 'SystemRequired' : 'None' },
  };
  if (a.maxLength !== undefined) out.MaxLength = a.maxLength;
  if (a.type === 'Money' || a.type === 'Decimal') out.Precision = a.precision ?? 2;
  if (a.targets) out.Targets = a.targets;
  if (a.dateOnly) out.Format = 'DateOnly';
  return out;
}

function optionSet(a: AttributeDef): Record<string, unknown> {
  return {
    Name: a.logicalName,
    Options: (a.options ?? []).map((o) => ({ Value: o.value, Label: label(o.label), ...(o.state === undefined ? {} : { State: o.state }) })),
  };
}

/** The table's alternate keys (EntityKeyMetadata), one per key column. */
function keys(def: TableDef): Array<Record<string, unknown>> {
  return def.alternateKeys.map((column) => ({
    LogicalName: `${column}_key`,
    SchemaName: `${column}_key`,
    EntityLogicalName: def.logicalName,
    KeyAttributes: [column],
    EntityKeyIndexStatus: 'Active',
    DisplayName: label(column),
  }));
}

export function handleMetadata(ctx: SimContext, req: SimRequest): SimResponse | null {
  const k = /^EntityDefinitions\(LogicalName='(\w+)'\)\/Keys$/.exec(req.path);
  const keyed = k?.[1] ? tableByLogicalName(k[1]) : undefined;
  if (keyed && req.method === 'GET') return json(200, { '@odata.context': `${ctx.apiBase}/$metadata#EntityDefinitions('${keyed.logicalName}')/Keys`, value: keys(keyed) });
  const m = /^EntityDefinitions\(LogicalName='(\w+)'\)(?:\/Attributes(?:\/Microsoft\.Dynamics\.CRM\.(\w+))?)?$/.exec(req.path);
  const def = m?.[1] ? tableByLogicalName(m[1]) : undefined;
  if (!m || !def || req.method !== 'GET') return null;
  const base = `${ctx.apiBase}/$metadata#EntityDefinitions('${def.logicalName}')`;
  if (!req.path.includes('/Attributes')) {
    return json(200, {
      ...((req.query.get('$expand') ?? '').split(',').includes('Keys') ? { Keys: keys(def) } : {}),
      '@odata.context': `${ctx.apiBase}/$metadata#EntityDefinitions/$entity`,
      LogicalName: def.logicalName,
      EntitySetName: def.entitySet,
      PrimaryIdAttribute: def.key,
      PrimaryNameAttribute: def.primaryName,
      ChangeTrackingEnabled: true,
      DisplayName: label(def.logicalName),
    });
  }
  const cast = m[2];
  if (cast === undefined) return json(200, { '@odata.context': `${base}/Attributes`, value: def.attributes.map((a) => attributeMetadata(def, a)) });
  const type = CASTS[cast];
  if (!type) return json(200, { '@odata.context': `${base}/Attributes/${cast}`, value: [] });
  const expand = (req.query.get('$expand') ?? '').includes('OptionSet');
  const value = def.attributes
    .filter((a) => a.type === type)
    .map((a) => ({ LogicalName: a.logicalName, MetadataId: a.logicalName, ...(expand ? { OptionSet: optionSet(a) } : {}) }));
  return json(200, { '@odata.context': `${base}/Attributes/Microsoft.Dynamics.CRM.${cast}`, value });
}
