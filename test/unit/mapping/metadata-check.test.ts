/** The shipped Salesforce mapping checked against fake describe() metadata, through `config validate`. */
import type { FieldMetadata, ObjectMetadata } from '../../../src/ports/connector';
import { validateConfigFile } from '../../../src/cli/config-validate';
import { formatIssue } from '../../../src/config/issues';
import { removeWorkspaces, BASE_CONFIG, ENV, position, SHIPPED_SF, workspace } from '../config/helpers';

afterAll(removeWorkspaces);

function makeField(name: string, type = 'string', extra: Partial<FieldMetadata> = {}): FieldMetadata {
  return { name, label: name, type, updateable: true, createable: true, nillable: true, picklistValues: null, referenceTo: null, ...extra };
}

const STAGES = ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Perception Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];
const picklist = (name: string, values: string[]) => makeField(name, 'picklist', { picklistValues: values });

function opportunity(change: (fields: FieldMetadata[]) => FieldMetadata[] = (f) => f): ObjectMetadata {
  const fields = [
    makeField('Id', 'id', { updateable: false, createable: false }),
    makeField('Name'),
    picklist('StageName', STAGES),
    makeField('CloseDate', 'date'),
    makeField('Amount', 'currency'),
    picklist('CurrencyIsoCode', ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'INR']),
    makeField('CampaignId', 'reference', { referenceTo: ['Campaign'] }),
    makeField('Description', 'textarea'),
    makeField('IsWon', 'boolean', { updateable: false, createable: false }),
    makeField('CoSell_Id__c'),
    makeField('CoSell_Sync__c', 'boolean'),
    picklist('CoSell_Direction__c', ['Inbound', 'Outbound']),
    picklist('CoSell_Type__c', ['Co-sell', 'P2P', 'Private']),
    picklist('CoSell_Help_Type__c', ['None', 'Technical architecture', 'Cost and pricing', 'Deployment', 'Customer relationship', 'Product demo', 'General']),
    picklist('CoSell_Decline_Reason__c', ['Not a fit', 'No capacity', 'Customer not interested', 'Duplicate', 'Other']),
    ...['Customer_Name', 'Customer_City', 'Customer_Country', 'Customer_DUNS', 'Contact_Name', 'Contact_Email', 'Contact_Phone'].map((n) => makeField(`CoSell_${n}__c`)),
    makeField('CoSell_Contact_Consent__c', 'boolean'),
    makeField('CoSell_Team__c', 'textarea'),
    makeField('CoSell_Solutions__c', 'textarea'),
    makeField('CoSell_Sync_Status__c'),
    makeField('CoSell_Conflict__c', 'boolean'),
    picklist('CoSell_MS_Engagement__c', ['Waiting', 'Engaged', 'Declined', 'Lapsed']),
    makeField('CoSell_MS_Engagement_Due__c', 'datetime'),
  ];
  return { name: 'Opportunity', fields: change(fields) };
}

function check(metadata: ObjectMetadata) {
  const ws = workspace({ 'config.yaml': BASE_CONFIG, 'mappings/sf.yaml': SHIPPED_SF });
  const result = validateConfigFile(ws.config, { env: ENV, metadata: new Map([['sf', metadata]]) });
  const at = (needle: string, after = '') => `${ws.shown('mappings/sf.yaml')}:${position(SHIPPED_SF, needle, after)}`;
  return { result, lines: result.errors.map(formatIssue), at };
}

describe('mapping checked against CRM field metadata', () => {
  it('passes on metadata that has every mapped field', () => {
    const { result } = check(opportunity());
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('reports a mapped field the CRM does not have, with a hint', () => {
    const { lines, at } = check(opportunity((f) => f.map((x) => (x.name === 'CoSell_Customer_DUNS__c' ? makeField('CoSell_Customer_Duns_No__c') : x))));
    expect(lines).toEqual([`${at('CoSell_Customer_DUNS__c', 'customer.duns:')} fields.customer.duns.crm: CRM field CoSell_Customer_DUNS__c does not exist on Opportunity`]);
  });

  it('reports a field with another spelling', () => {
    const { lines, at } = check(opportunity((f) => f.map((x) => (x.name === 'Description' ? makeField('description') : x))));
    expect(lines).toEqual([`${at('Description', 'notes:\n')} fields.notes.crm: CRM field Description is spelled description`]);
  });

  it('reports a written field that is not updateable', () => {
    const { lines, at } = check(opportunity((f) => f.map((x) => (x.name === 'CoSell_Sync_Status__c' ? { ...x, updateable: false } : x))));
    expect(lines).toEqual([`${at('CoSell_Sync_Status__c', 'messageField: ')} status.messageField: CRM field CoSell_Sync_Status__c is not updateable, but the mapping writes it`]);
  });

  it('does not require a read-only field to be updateable', () => {
    const { result } = check(opportunity());
    expect(result.summary).toMatch(/crmId\s+<--\s+Id/);
  });

  it('reports picklist values the CRM does not have', () => {
    const { lines, at } = check(
      opportunity((f) => f.map((x) => (x.name === 'StageName' ? picklist('StageName', STAGES.filter((s) => s !== 'Qualification')) : x.name === 'CoSell_Help_Type__c' ? picklist(x.name, ['None', 'General']) : x))),
    );
    expect(lines).toEqual([
      `${at('Qualification', 'accepted: { StageName: ')} stage.toCrm.accepted.StageName: "Qualification" is not a value of CRM picklist StageName`,
      `${at('Qualification', 'StageName:\n          - ')} stage.fromCrm[3].when.StageName[0]: "Qualification" is not a value of CRM picklist StageName`,
      ...['Technical architecture', 'Cost and pricing', 'Deployment', 'Customer relationship', 'Product demo'].map(
        (v) => `${at(v, 'crm: CoSell_Help_Type__c')} fields.microsoftHelpType.values.${v === 'Technical architecture' ? 'technical-architecture' : v === 'Cost and pricing' ? 'cost-pricing' : v.toLowerCase().replace(' ', '-')}: "${v}" is not a value of CRM picklist CoSell_Help_Type__c`,
      ),
    ]);
  });
});
