/**
 * The simulated org's metadata: Opportunity (standard fields plus the co-sell custom fields of
 * custom-fields.md), Account and Campaign. Field types use Salesforce's describe vocabulary.
 */
export type SfFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'date'
  | 'datetime'
  | 'currency'
  | 'double'
  | 'percent'
  | 'boolean'
  | 'reference'
  | 'email'
  | 'phone';

export interface SfField {
  name: string;
  label: string;
  type: SfFieldType;
  length?: number;
  /** Number fields: total digits and decimal places kept (an org rounds a saved value to `scale`). */
  precision?: number;
  scale?: number;
  required?: boolean;
  createable: boolean;
  updateable: boolean;
  picklist?: readonly string[];
  referenceTo?: string;
  relationshipName?: string;
  externalId?: boolean;
  unique?: boolean;
}

export interface SfObject {
  name: string;
  labelPlural: string;
  keyPrefix: string;
  fields: readonly SfField[];
  byLower: ReadonlyMap<string, SfField>;
}

/** Stage → IsClosed / IsWon / default probability (OpportunityStage of a new org). */
export const STAGES: ReadonlyMap<string, { closed: boolean; won: boolean; probability: number }> = new Map([
  ['Prospecting', { closed: false, won: false, probability: 10 }],
  ['Qualification', { closed: false, won: false, probability: 10 }],
  ['Needs Analysis', { closed: false, won: false, probability: 20 }],
  ['Value Proposition', { closed: false, won: false, probability: 50 }],
  ['Id. Decision Makers', { closed: false, won: false, probability: 60 }],
  ['Perception Analysis', { closed: false, won: false, probability: 70 }],
  ['Proposal/Price Quote', { closed: false, won: false, probability: 75 }],
  ['Negotiation/Review', { closed: false, won: false, probability: 90 }],
  ['Closed Won', { closed: true, won: true, probability: 100 }],
  ['Closed Lost', { closed: true, won: false, probability: 0 }],
]);

const rw = { createable: true, updateable: true } as const;
const ro = { createable: false, updateable: false } as const;
const str = (name: string, label: string, length: number, extra: Partial<SfField> = {}): SfField => ({ name, label, type: 'string', length, ...rw, ...extra });
const pick = (name: string, label: string, values: readonly string[], extra: Partial<SfField> = {}): SfField => ({ name, label, type: 'picklist', picklist: values, ...rw, ...extra });
const bool = (name: string, label: string, extra: Partial<SfField> = {}): SfField => ({ name, label, type: 'boolean', ...rw, ...extra });
const text = (name: string, label: string): SfField => ({ name, label, type: 'textarea', length: 32000, ...rw });

const systemFields: SfField[] = [
  { name: 'Id', label: 'Record ID', type: 'id', ...ro },
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', ...ro },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', ...ro },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', ...ro },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', ...ro },
];

const opportunityFields: SfField[] = [
  ...systemFields,
  str('Name', 'Name', 120, { required: true }),
  pick('StageName', 'Stage', [...STAGES.keys()], { required: true }),
  { name: 'CloseDate', label: 'Close Date', type: 'date', required: true, ...rw },
  { name: 'Amount', label: 'Amount', type: 'currency', precision: 18, scale: 2, ...rw },
  pick('CurrencyIsoCode', 'Opportunity Currency', ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'INR']),
  { name: 'CampaignId', label: 'Campaign ID', type: 'reference', referenceTo: 'Campaign', relationshipName: 'Campaign', ...rw },
  { name: 'AccountId', label: 'Account ID', type: 'reference', referenceTo: 'Account', relationshipName: 'Account', ...rw },
  text('Description', 'Description'),
  { name: 'Probability', label: 'Probability (%)', type: 'percent', ...rw },
  bool('IsClosed', 'Closed', ro),
  bool('IsWon', 'Won', ro),
  str('CoSell_Id__c', 'Co-sell Id', 36, { externalId: true, unique: true }),
  bool('CoSell_Sync__c', 'Co-sell Sync'),
  pick('CoSell_Direction__c', 'Co-sell Direction', ['Inbound', 'Outbound']),
  pick('CoSell_Type__c', 'Co-sell Type', ['Co-sell', 'P2P', 'Private']),
  pick('CoSell_Help_Type__c', 'Co-sell Help Type', ['None', 'Technical architecture', 'Cost and pricing', 'Deployment', 'Customer relationship', 'Product demo', 'General']),
  pick('CoSell_Decline_Reason__c', 'Co-sell Decline Reason', ['Not a fit', 'No capacity', 'Customer not interested', 'Duplicate', 'Other']),
  str('CoSell_Customer_Name__c', 'Customer Name', 255),
  str('CoSell_Customer_City__c', 'Customer City', 255),
  str('CoSell_Customer_Country__c', 'Customer Country', 255),
  str('CoSell_Customer_DUNS__c', 'Customer DUNS', 9),
  str('CoSell_Contact_Name__c', 'Contact Name', 255),
  { name: 'CoSell_Contact_Email__c', label: 'Contact Email', type: 'email', length: 80, ...rw },
  { name: 'CoSell_Contact_Phone__c', label: 'Contact Phone', type: 'phone', length: 40, ...rw },
  bool('CoSell_Contact_Consent__c', 'Contact Consent'),
  text('CoSell_Team__c', 'Co-sell Team'),
  text('CoSell_Solutions__c', 'Co-sell Solutions'),
  str('CoSell_Sync_Status__c', 'Sync Status', 255),
  str('CoSell_Registration_Id__c', 'Deal Registration Id', 64),
  text('CoSell_Registration_Details__c', 'Deal Registration Details'),
  bool('CoSell_Conflict__c', 'Sync Conflict'),
  pick('CoSell_MS_Engagement__c', 'Microsoft Engagement', ['Waiting', 'Engaged', 'Declined', 'Lapsed']),
  { name: 'CoSell_MS_Engagement_Due__c', label: 'Microsoft Engagement Due', type: 'datetime', ...rw },
];

const accountFields: SfField[] = [
  ...systemFields,
  str('Name', 'Account Name', 255, { required: true }),
  str('BillingCity', 'Billing City', 40),
  str('BillingCountry', 'Billing Country', 80),
];

const campaignFields: SfField[] = [...systemFields, str('Name', 'Name', 80, { required: true })];

function object(name: string, keyPrefix: string, fields: SfField[]): SfObject {
  const labelPlural = name.endsWith('y') ? `${name.slice(0, -1)}ies` : `${name}s`;
  return { name, labelPlural, keyPrefix, fields, byLower: new Map(fields.map((f) => [f.name.toLowerCase(), f])) };
}

export const OBJECTS: ReadonlyMap<string, SfObject> = new Map(
  [object('Opportunity', '006', opportunityFields), object('Account', '001', accountFields), object('Campaign', '701', campaignFields)].map(
    (o) => [o.name.toLowerCase(), o],
  ),
);

export function findObject(name: string): SfObject | undefined {
  return OBJECTS.get(name.toLowerCase());
}

/** SOAP types of the describe field types (DescribeSObjectResult Field.soapType). */
const SOAP_TYPES: Partial<Record<SfFieldType, string>> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  currency: 'xsd:double',
  double: 'xsd:double',
  percent: 'xsd:double',
};

/** Bytes a text value of `length` characters may take (3 a character, UTF-8), as describe reports. */
const byteLength = (f: SfField): number => (f.type === 'id' || f.type === 'reference' ? 18 : (f.length ?? 0) * 3);

/**
 * The describe payload's field entry: the Field properties of the sObject Describe resource
 * (REST API guide) that jsforce, the connector and mapping checks read, with an org's values for
 * the simulated fields.
 */
export function describeField(f: SfField): Record<string, unknown> {
  const nillable = f.type !== 'boolean' && f.type !== 'id' && !f.required;
  const longText = f.type === 'textarea' && (f.length ?? 0) > 255;
  return {
    aggregatable: !longText,
    byteLength: byteLength(f),
    calculated: false,
    createable: f.createable,
    custom: f.name.endsWith('__c'),
    defaultedOnCreate: f.type === 'boolean' || f.name === 'Id' || f.name === 'SystemModstamp' || f.name === 'CreatedDate' || f.name === 'LastModifiedDate',
    digits: 0,
    externalId: f.externalId ?? false,
    filterable: !longText,
    groupable: !longText && f.type !== 'currency' && f.type !== 'double' && f.type !== 'percent' && f.type !== 'datetime',
    idLookup: f.name === 'Id' || f.externalId === true,
    label: f.label,
    length: f.type === 'id' || f.type === 'reference' ? 18 : (f.length ?? 0),
    name: f.name,
    nameField: f.name === 'Name',
    nillable,
    picklistValues: (f.picklist ?? []).map((v) => ({ active: true, defaultValue: false, label: v, validFor: null, value: v })),
    precision: f.precision ?? (f.type === 'percent' ? 3 : 0),
    referenceTo: f.referenceTo ? [f.referenceTo] : [],
    relationshipName: f.relationshipName ?? null,
    restrictedPicklist: f.type === 'picklist',
    scale: f.scale ?? 0,
    soapType: SOAP_TYPES[f.type] ?? 'xsd:string',
    sortable: !longText,
    type: f.type,
    unique: f.unique ?? false,
    updateable: f.updateable,
  };
}
