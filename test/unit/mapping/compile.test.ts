import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMapping } from '../../../src/mapping/load';

const ROOT = path.join(__dirname, '../../..');
const sf = loadMapping(path.join(ROOT, 'config/mappings/salesforce.yaml'));
const dyn = loadMapping(path.join(ROOT, 'config/mappings/dynamics.yaml'), { defaultOwner: 'latest' });

describe('compiled Salesforce mapping', () => {
  it('lists the fields to read', () => {
    expect(sf.crmFields).toEqual(
      expect.arrayContaining(['CoSell_Id__c', 'Name', 'Amount', 'CurrencyIsoCode', 'CloseDate', 'StageName', 'CoSell_Decline_Reason__c', 'CoSell_Sync__c']),
    );
    expect(new Set(sf.crmFields).size).toBe(sf.crmFields.length);
    expect(sf.fields.get('dealName')).toEqual({ direction: 'both', owner: 'crm', crmFields: ['Name'] });
    expect(sf.fields.has('stage')).toBe(false);
  });

  it('reads a record into co-sell values', () => {
    const out = sf.toCosell({
      Id: '006000000000001AAA',
      Name: 'Contoso rollout',
      Amount: 1250.5,
      CurrencyIsoCode: 'EUR',
      CloseDate: '2026-03-31',
      StageName: 'Negotiation/Review',
      CoSell_Help_Type__c: null,
      CoSell_Team__c: '[{"name":"Ana","phone":"+1 555","email":"ana@example.com"}]',
      CoSell_Contact_Consent__c: null,
      CoSell_Type__c: 'P2P',
    });
    expect(out.errors).toEqual([]);
    expect(out.values).toMatchObject({
      crmId: '006000000000001AAA',
      dealName: 'Contoso rollout',
      estimatedValue: { amount: 1250.5, currency: 'EUR' },
      estimatedCloseDate: '2026-03-31',
      microsoftHelpType: 'none',
      team: [{ name: 'Ana', phone: '+1 555', email: 'ana@example.com' }],
      'customer.contactConsent': false,
    });
    expect(out.values).not.toHaveProperty('type');
    expect(out.wantedStage).toBe('accepted');
    expect(out.declineReason).toBeNull();
  });

  it('reports conversion errors per field, with the CRM field', () => {
    const out = sf.toCosell({ CloseDate: 'soon', Amount: 5, CurrencyIsoCode: 'XXX', CoSell_Solutions__c: '{nope', CoSell_Help_Type__c: 'Lunch', StageName: 'Custom' });
    expect(out.errors).toEqual([
      { field: 'estimatedValue', crmField: 'CurrencyIsoCode', message: 'currency XXX is not one of USD, EUR, GBP, JPY, CAD, AUD, CHF, INR' },
      { field: 'estimatedCloseDate', crmField: 'CloseDate', message: 'expected an ISO 8601 date, got "soon"' },
      { field: 'solutions', crmField: 'CoSell_Solutions__c', message: 'not valid JSON' },
      { field: 'stage', crmField: 'StageName', message: 'CRM stage (StageName=Custom) matches no stage.fromCrm rule' },
    ]);
    // The help type falls back to its default rather than failing.
    expect(out.values.microsoftHelpType).toBe('none');
  });

  it('reads Closed Lost with a decline reason as declined, without one as lost', () => {
    expect(sf.toCosell({ StageName: 'Closed Lost', CoSell_Decline_Reason__c: 'No capacity' })).toMatchObject({ wantedStage: 'declined', declineReason: 'No capacity' });
    expect(sf.toCosell({ StageName: 'Closed Lost', CoSell_Decline_Reason__c: null })).toMatchObject({ wantedStage: 'lost', declineReason: null });
  });

  it('writes only fields whose direction writes to the CRM', () => {
    expect(sf.toCrm({ crmId: 'x', type: 'p2p', direction: 'inbound', notes: null })).toEqual({ CoSell_Type__c: 'P2P', CoSell_Direction__c: 'Inbound', Description: null });
  });

  it('keeps an equivalent CRM stage instead of overwriting it', () => {
    expect(sf.toCrm({ stage: 'accepted' }, { StageName: 'Negotiation/Review' })).toEqual({});
    expect(sf.toCrm({ stage: 'accepted' }, { StageName: 'Prospecting' })).toEqual({ StageName: 'Qualification' });
    expect(sf.toCrm({ stage: 'won' }, { StageName: 'Negotiation/Review' })).toEqual({ StageName: 'Closed Won' });
    expect(sf.toCrm({ stage: 'declined', declineReason: 'Duplicate' }, null)).toEqual({ StageName: 'Closed Lost', CoSell_Decline_Reason__c: 'Duplicate' });
    expect(sf.toCrm({ stage: 'declined', declineReason: 'Changed priorities' }, null)).toEqual({ StageName: 'Closed Lost', CoSell_Decline_Reason__c: 'Other' });
  });

  it('writes the sync status and conflict flag, truncated to the field length', () => {
    expect(sf.statusFields({ message: 'x'.repeat(300), conflict: true })).toEqual({ CoSell_Sync_Status__c: `${'x'.repeat(254)}…`, CoSell_Conflict__c: true });
    expect(sf.statusFields({ message: null, conflict: false })).toEqual({ CoSell_Sync_Status__c: null, CoSell_Conflict__c: false });
    expect(sf.participationFields).toEqual({ CoSell_Sync__c: true });
  });
});

describe('compiled Dynamics mapping', () => {
  it('takes the default owner from the options and reads lookups in their _x_value form', () => {
    expect(dyn.fields.get('notes')?.owner).toBe('latest');
    expect(dyn.crmFields).toEqual(expect.arrayContaining(['_transactioncurrencyid_value', 'transactioncurrencyid', '_campaignid_value', 'statecode', 'statuscode', 'salesstage']));
  });

  it('maps the currency through the formatted value, else the currency value map', () => {
    const base = { estimatedvalue: 10, statecode: 0, statuscode: 2, salesstage: 0 };
    const named = dyn.toCosell({ ...base, _transactioncurrencyid_value: 'g-1', '_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue': 'Euro' });
    expect(named.values.estimatedValue).toEqual({ amount: 10, currency: 'EUR' });
    expect(named.wantedStage).toBe('received');
    // As the Dynamics connector gives it: the logical name resolved to the ISO code.
    const resolved = dyn.toCosell({ ...base, _transactioncurrencyid_value: 'g-7', transactioncurrencyid: 'CHF' });
    expect(resolved.values.estimatedValue).toEqual({ amount: 10, currency: 'CHF' });
    const unknown = dyn.toCosell({ ...base, _transactioncurrencyid_value: 'g-9', transactioncurrencyid: 'g-9' });
    expect(unknown.errors).toEqual([
      { field: 'estimatedValue', crmField: '_transactioncurrencyid_value', message: 'currency "g-9" has no ISO code (add it to currencyValues)' },
    ]);
  });

  it('writes choices as integers, lookups as @odata.bind and the currency as an ISO code', () => {
    expect(
      dyn.toCrm({ microsoftHelpType: 'deployment', campaignId: '6f1c0c1e-0000-0000-0000-000000000001', estimatedValue: { amount: 3, currency: 'GBP' } }),
    ).toEqual({
      cosell_helptype: 100000003,
      'campaignid@odata.bind': '/campaigns(6f1c0c1e-0000-0000-0000-000000000001)',
      estimatedvalue: 3,
      transactioncurrencyid: 'GBP',
    });
  });

  it('reads the stage from statecode, statuscode and salesstage', () => {
    expect(dyn.toCosell({ statecode: 0, statuscode: 1, salesstage: 2 }).wantedStage).toBe('accepted');
    expect(dyn.toCosell({ statecode: 1, statuscode: 3 }).wantedStage).toBe('won');
    expect(dyn.toCosell({ statecode: 2, statuscode: 5 }).wantedStage).toBe('lost');
    expect(dyn.toCosell({ statecode: 2, statuscode: 4, cosell_declinereason: 100000000 })).toMatchObject({ wantedStage: 'declined', declineReason: 'Not a fit' });
    expect(dyn.toCrm({ stage: 'accepted' }, { statecode: 0, statuscode: 1, salesstage: 2 })).toEqual({});
    expect(dyn.toCrm({ stage: 'accepted' }, { statecode: 0, statuscode: 2, salesstage: 0 })).toEqual({ statecode: 0, statuscode: 1 });
  });
});

describe('the customer name read from the Account', () => {
  it('reads a relationship path from a nested or a flat record, and never writes it', () => {
    const { spec } = (() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cosell-map-'));
      const text = fs
        .readFileSync(path.join(ROOT, 'config/mappings/salesforce.yaml'), 'utf8')
        .replace('    crm: CoSell_Customer_Name__c\n', '    crm: Account.Name\n    direction: to-cosell\n');
      fs.writeFileSync(path.join(dir, 'm.yaml'), text);
      try {
        return { spec: loadMapping(path.join(dir, 'm.yaml')) };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    })();
    expect(spec.crmFields).toContain('Account.Name');
    expect(spec.toCosell({ Account: { Name: 'Contoso' } }).values['customer.name']).toBe('Contoso');
    expect(spec.toCosell({ 'Account.Name': 'Fabrikam' }).values['customer.name']).toBe('Fabrikam');
    expect(spec.toCrm({ 'customer.name': 'Other' })).toEqual({});
  });
});
