/**
 * EntityDefinitions (Dataverse "Query table definitions using the Web API"): the table, its
 * attributes, and the option sets of picklist / state / status attributes through the
 * `Attributes/Microsoft.Dynamics.CRM.<Type>AttributeMetadata?$expand=OptionSet` casts.
 */
import { createHash } from 'node:crypto';
import { json, type SimContext, type SimRequest, type SimResponse } from './context';
import { RANGES } from './records';
import { tableByLogicalName, type AttributeDef, type TableDef } from './schema';

/** A stable MetadataId for a definition (the same name gives the same id on every start). */
function metadataId(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A Label (LocalizedLabels plus the caller's UserLocalizedLabel), as the definitions carry them. */
function label(text: string, owner: string): Record<string, unknown> {
  const localized = { Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: metadataId(`${owner}/label`), HasChanged: null };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
}

const CASTS: Record<string, AttributeDef['type']> = {
  PicklistAttributeMetadata: 'Picklist',
  StateAttributeMetadata: 'State',
  StatusAttributeMetadata: 'Status',
};

function attributeMetadata(def: TableDef, a: AttributeDef): Record<string, unknown> {
  const id = `${def.logicalName}.${a.logicalName}`;
  const out: Record<string, unknown> = {
    '@odata.type': `#Microsoft.Dynamics.CRM.${a.type === 'Customer' ? 'Lookup' : a.type}AttributeMetadata`,
    MetadataId: metadataId(id),
    LogicalName: a.logicalName,
    SchemaName: a.logicalName,
    AttributeType: a.type,
    DisplayName: label(a.label, id),
    IsValidForCreate: a.createable !== false || a.type === 'State' || a.type === 'Status',
    IsValidForUpdate: a.updateable !== false,
    IsValidForRead: true,
    IsPrimaryId: a.logicalName === def.key,
    IsPrimaryName: a.logicalName === def.primaryName,
    RequiredLevel: {
      Value: a.required ? 'ApplicationRequired' : a.logicalName === def.key ? 'SystemRequired' : 'None',
      CanBeChanged: a.logicalName !== def.key,
      ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
    },
  };
  if (a.maxLength !== undefined) out.MaxLength = a.maxLength;
  if (a.type === 'String') Object.assign(out, { Format: 'Text', FormatName: { Value: 'Text' } });
  if (a.type === 'Money') {
    // Money columns keep the currency precision (PrecisionSource 2) within the documented range.
    Object.assign(out, { Precision: a.precision ?? 2, PrecisionSource: 2, MinValue: RANGES.Money[0], MaxValue: RANGES.Money[1], IsBaseCurrency: a.logicalName.endsWith('_base') });
  }
  if (a.type === 'Decimal') Object.assign(out, { Precision: a.precision ?? 2, MinValue: -100_000_000_000, MaxValue: 100_000_000_000 });
  if (a.type === 'Double') Object.assign(out, { Precision: a.precision ?? 2, MinValue: (a.range ?? RANGES.Double)[0], MaxValue: (a.range ?? RANGES.Double)[1] });
  if (a.targets) out.Targets = a.targets;
  if (a.type === 'DateTime') Object.assign(out, a.dateOnly ? { Format: 'DateOnly', DateTimeBehavior: { Value: 'DateOnly' } } : { Format: 'DateAndTime', DateTimeBehavior: { Value: 'UserLocal' } });
  return out;
}

function optionSet(a: AttributeDef): Record<string, unknown> {
  return {
    Name: a.logicalName,
    Options: (a.options ?? []).map((o) => ({ Value: o.value, Label: label(o.label, `${a.logicalName}.${o.value}`), ...(o.state === undefined ? {} : { State: o.state }) })),
  };
}

/** The table's alternate keys (EntityKeyMetadata), one per key column. */
function keys(def: TableDef): Array<Record<string, unknown>> {
  return def.alternateKeys.map((column) => ({
    MetadataId: metadataId(`${def.logicalName}/${column}_key`),
    LogicalName: `${column}_key`,
    SchemaName: `${column}_key`,
    EntityLogicalName: def.logicalName,
    KeyAttributes: [column],
    EntityKeyIndexStatus: 'Active',
    DisplayName: label(column, `${def.logicalName}/${column}_key`),
    IsManaged: false,
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
      DisplayName: label(def.logicalName, def.logicalName),
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
