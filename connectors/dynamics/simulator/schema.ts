/**
 * The simulated organisation's schema: the opportunity table with the publisher's `cosell_`
 * columns (custom-fields.md) and the small tables it links to. Drives validation, `$select`,
 * formatted values and the EntityDefinitions metadata endpoints.
 */
export type AttributeType =
  | 'Uniqueidentifier'
  | 'String'
  | 'Memo'
  | 'Money'
  | 'Decimal'
  | 'Double'
  | 'DateTime'
  | 'Lookup'
  | 'Customer'
  | 'Boolean'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'Integer'
  | 'BigInt';

export interface OptionDef {
  value: number;
  label: string;
  /** Status options only: the statecode the status belongs to. */
  state?: number;
}

export interface AttributeDef {
  logicalName: string;
  type: AttributeType;
  label: string;
  required?: boolean;
  maxLength?: number;
  /** Money, Decimal and Double: decimal places kept (Money defaults to the org's currency precision, 2). */
  precision?: number;
  /** Double: the column's range (MinValue, MaxValue), when narrower than Dataverse's ±100,000,000,000. */
  range?: readonly [number, number];
  targets?: string[];
  options?: OptionDef[];
  createable?: boolean;
  updateable?: boolean;
  dateOnly?: boolean;
}

export interface TableDef {
  entitySet: string;
  logicalName: string;
  key: string;
  primaryName: string;
  alternateKeys: string[];
  attributes: AttributeDef[];
}

const str = (logicalName: string, label: string, maxLength = 255): AttributeDef => ({ logicalName, type: 'String', label, maxLength });
const memo = (logicalName: string, label: string): AttributeDef => ({ logicalName, type: 'Memo', label, maxLength: 1_048_576 });
const bool = (logicalName: string, label: string): AttributeDef => ({ logicalName, type: 'Boolean', label });
const choice = (logicalName: string, label: string, labels: string[]): AttributeDef => ({
  logicalName,
  type: 'Picklist',
  label,
  options: labels.map((l, i) => ({ value: 100_000_000 + i, label: l })),
});
const system = (logicalName: string, type: AttributeType, label: string): AttributeDef => ({
  logicalName,
  type,
  label,
  createable: false,
  updateable: false,
});

export const OPPORTUNITY: TableDef = {
  entitySet: 'opportunities',
  logicalName: 'opportunity',
  key: 'opportunityid',
  primaryName: 'name',
  alternateKeys: ['cosell_cosellid'],
  attributes: [
    { logicalName: 'opportunityid', type: 'Uniqueidentifier', label: 'Opportunity', updateable: false },
    { logicalName: 'name', type: 'String', label: 'Topic', maxLength: 300, required: true },
    { logicalName: 'estimatedvalue', type: 'Money', label: 'Est. Revenue' },
    { logicalName: 'estimatedclosedate', type: 'DateTime', label: 'Est. Close Date', dateOnly: true },
    { logicalName: 'actualvalue', type: 'Money', label: 'Actual Revenue' },
    { logicalName: 'actualclosedate', type: 'DateTime', label: 'Actual Close Date', dateOnly: true },
    { logicalName: 'closeprobability', type: 'Integer', label: 'Probability' },
    { logicalName: 'transactioncurrencyid', type: 'Lookup', label: 'Currency', targets: ['transactioncurrency'] },
    { logicalName: 'campaignid', type: 'Lookup', label: 'Source Campaign', targets: ['campaign'] },
    { logicalName: 'customerid', type: 'Customer', label: 'Potential Customer', targets: ['account', 'contact'] },
    memo('description', 'Description'),
    {
      logicalName: 'statecode',
      type: 'State',
      label: 'Status',
      createable: false,
      options: [
        { value: 0, label: 'Open' },
        { value: 1, label: 'Won' },
        { value: 2, label: 'Lost' },
      ],
    },
    {
      logicalName: 'statuscode',
      type: 'Status',
      label: 'Status Reason',
      options: [
        { value: 1, label: 'In Progress', state: 0 },
        { value: 2, label: 'On Hold', state: 0 },
        { value: 3, label: 'Won', state: 1 },
        { value: 4, label: 'Canceled', state: 2 },
        { value: 5, label: 'Out-Sold', state: 2 },
      ],
    },
    { logicalName: 'salesstage', type: 'Picklist', label: 'Sales Stage', options: ['Qualify', 'Develop', 'Propose', 'Close'].map((l, i) => ({ value: i, label: l })) },
    str('stepname', 'Pipeline Phase', 200),
    str('cosell_cosellid', 'Co-sell Id', 36),
    bool('cosell_sync', 'Co-sell Sync'),
    choice('cosell_direction', 'Co-sell Direction', ['Inbound', 'Outbound']),
    choice('cosell_type', 'Co-sell Type', ['Co-sell', 'P2P', 'Private']),
    choice('cosell_helptype', 'Co-sell Help Type', [
      'None',
      'Technical architecture',
      'Cost and pricing',
      'Deployment',
      'Customer relationship',
      'Product demo',
      'General',
    ]),
    choice('cosell_declinereason', 'Co-sell Decline Reason', ['Not a fit', 'No capacity', 'Customer not interested', 'Duplicate', 'Other']),
    str('cosell_customername', 'Customer Name'),
    str('cosell_customercity', 'Customer City'),
    str('cosell_customercountry', 'Customer Country'),
    str('cosell_customerduns', 'Customer DUNS', 9),
    str('cosell_contactname', 'Contact Name'),
    str('cosell_contactemail', 'Contact Email'),
    str('cosell_contactphone', 'Contact Phone'),
    bool('cosell_contactconsent', 'Contact Consent'),
    memo('cosell_team', 'Co-sell Team'),
    memo('cosell_solutions', 'Co-sell Solutions'),
    str('cosell_syncstatus', 'Co-sell Sync Status'),
    bool('cosell_conflict', 'Co-sell Conflict'),
    choice('cosell_msengagement', 'Microsoft Engagement', ['Waiting', 'Engaged', 'Declined', 'Lapsed']),
    { logicalName: 'cosell_msengagementdue', type: 'DateTime', label: 'Microsoft Engagement Due' },
    system('versionnumber', 'BigInt', 'Version Number'),
    system('createdon', 'DateTime', 'Created On'),
    system('modifiedon', 'DateTime', 'Modified On'),
  ],
};

const simpleTable = (entitySet: string, logicalName: string, primaryName: string, extra: AttributeDef[], key = `${logicalName}id`): TableDef => ({
  entitySet,
  logicalName,
  key,
  primaryName,
  alternateKeys: [],
  attributes: [
    { logicalName: key, type: 'Uniqueidentifier', label: logicalName, updateable: false },
    ...extra,
    system('versionnumber', 'BigInt', 'Version Number'),
    system('createdon', 'DateTime', 'Created On'),
    system('modifiedon', 'DateTime', 'Modified On'),
  ],
});

export const TABLES: TableDef[] = [
  OPPORTUNITY,
  simpleTable('accounts', 'account', 'name', [
    { logicalName: 'name', type: 'String', label: 'Account Name', maxLength: 160, required: true },
    str('address1_city', 'City'),
    str('address1_country', 'Country'),
    str('accountnumber', 'Account Number', 20),
    str('telephone1', 'Main Phone', 50),
    str('fax', 'Fax', 50),
    // Columns of the standard account table the Web API guide's create example sets.
    { logicalName: 'creditonhold', type: 'Boolean', label: 'Credit Hold' },
    { logicalName: 'address1_latitude', type: 'Double', label: 'Address 1: Latitude', precision: 5, range: [-90, 90] },
    memo('description', 'Description'),
    { logicalName: 'revenue', type: 'Money', label: 'Annual Revenue' },
    {
      logicalName: 'accountcategorycode',
      type: 'Picklist',
      label: 'Category',
      options: [
        { value: 1, label: 'Preferred Customer' },
        { value: 2, label: 'Standard' },
      ],
    },
  ]),
  simpleTable('transactioncurrencies', 'transactioncurrency', 'currencyname', [
    { logicalName: 'isocurrencycode', type: 'String', label: 'Currency Code', maxLength: 5, required: true },
    { logicalName: 'currencyname', type: 'String', label: 'Currency Name', maxLength: 100, required: true },
    { logicalName: 'exchangerate', type: 'Decimal', label: 'Exchange Rate', precision: 10 },
  ]),
  simpleTable('campaigns', 'campaign', 'name', [
    { logicalName: 'name', type: 'String', label: 'Name', maxLength: 128, required: true },
    str('codename', 'Campaign Code', 32),
  ]),
  // Activities (the Web API guide's $batch examples create tasks regarding an account).
  simpleTable(
    'tasks',
    'task',
    'subject',
    [
      { logicalName: 'subject', type: 'String', label: 'Subject', maxLength: 200 },
      memo('description', 'Description'),
      { logicalName: 'regardingobjectid', type: 'Lookup', label: 'Regarding', targets: ['account', 'opportunity'] },
    ],
    'activityid',
  ),
  simpleTable('opportunitycloses', 'opportunityclose', 'subject', [
    { logicalName: 'subject', type: 'String', label: 'Subject', maxLength: 200 },
    { logicalName: 'opportunityid', type: 'Lookup', label: 'Opportunity', targets: ['opportunity'] },
    { logicalName: 'actualrevenue', type: 'Money', label: 'Actual Revenue' },
    { logicalName: 'actualend', type: 'DateTime', label: 'Actual End', dateOnly: true },
    { logicalName: 'description', type: 'Memo', label: 'Description' },
    { logicalName: 'competitorid', type: 'Lookup', label: 'Competitor', targets: ['competitor'] },
  ]),
];

export const tableBySet = (entitySet: string): TableDef | undefined => TABLES.find((t) => t.entitySet === entitySet);
export const tableByLogicalName = (name: string): TableDef | undefined => TABLES.find((t) => t.logicalName === name);
export const isLookup = (a: AttributeDef): boolean => a.type === 'Lookup' || a.type === 'Customer';
