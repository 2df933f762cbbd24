/** The shipped Dynamics mapping checked against Dataverse-style metadata (choices as integer strings). */
import type { FieldMetadata } from '../../../src/ports/connector';
import { checkMetadata } from '../../../src/mapping/metadata-check';
import { readMappingFile } from '../../../src/mapping/parse';
import { formatIssue } from '../../../src/config/issues';
import { position, ROOT, SHIPPED_DYN } from '../config/helpers';
import path from 'node:path';

const field = (name: string, extra: Partial<FieldMetadata> = {}): FieldMetadata => ({
  name, label: name, type: 'string', updateable: true, createable: true, nillable: true, picklistValues: null, referenceTo: null, ...extra,
});
const choice = (name: string, first: number, count: number) =>
  field(name, { type: 'picklist', picklistValues: Array.from({ length: count }, (_, i) => String(first + i)) });

const FIELDS: FieldMetadata[] = [
  field('opportunityid', { type: 'id', updateable: false }),
  field('name'), field('estimatedvalue', { type: 'currency' }), field('estimatedclosedate', { type: 'date' }),
  field('transactioncurrencyid', { type: 'reference' }), field('campaignid', { type: 'reference' }), field('description', { type: 'textarea' }),
  choice('statecode', 0, 3), field('statuscode', { type: 'picklist', picklistValues: ['1', '2', '3', '4', '5'] }), choice('salesstage', 0, 4),
  field('cosell_cosellid'), field('cosell_sync', { type: 'boolean' }), choice('cosell_direction', 100000000, 2), choice('cosell_type', 100000000, 3),
  choice('cosell_helptype', 100000000, 7), choice('cosell_declinereason', 100000000, 5),
  ...['customername', 'customercity', 'customercountry', 'customerduns', 'contactname', 'contactemail', 'contactphone', 'team', 'solutions', 'syncstatus'].map((n) => field(`cosell_${n}`)),
  field('cosell_contactconsent', { type: 'boolean' }), field('cosell_conflict', { type: 'boolean' }),
  choice('cosell_msengagement', 100000000, 4), field('cosell_msengagementdue', { type: 'datetime' }),
];

const file = path.join(ROOT, 'config/mappings/dynamics.yaml');
const { mapping } = readMappingFile(file, 'dynamics.yaml');

describe('Dynamics mapping against Dataverse metadata', () => {
  it('passes when every column and choice exists', () => {
    expect(mapping).not.toBeNull();
    if (mapping === null) return;
    expect(checkMetadata(mapping, { name: 'opportunity', fields: FIELDS })).toEqual([]);
  });

  it('reports a choice value the column does not have', () => {
    if (mapping === null) throw new Error('shipped mapping does not parse');
    const fields = FIELDS.map((f) => (f.name === 'cosell_declinereason' ? choice(f.name, 100000000, 4) : f));
    const issues = checkMetadata(mapping, { name: 'opportunity', fields }).map(formatIssue);
    expect(issues).toEqual([
      `dynamics.yaml:${position(SHIPPED_DYN, '100000004', 'Other: ')} stage.declineReason.values.Other: 100000004 is not a value of CRM picklist cosell_declinereason`,
      `dynamics.yaml:${position(SHIPPED_DYN, '100000004', 'crmDefault: ')} stage.declineReason.crmDefault: 100000004 is not a value of CRM picklist cosell_declinereason`,
    ]);
  });
});
