import path from 'node:path';
import { validateConfigFile } from '../../../src/cli/config-validate';
import { loadConfig } from '../../../src/config/load';

const EXAMPLE = path.join(__dirname, '../../../config/cosell-sync.example.yaml');
const ENV = {
  SF_CLIENT_ID: 'sf-client',
  DYNAMICS_TENANT_ID: 'tenant',
  DYNAMICS_CLIENT_ID: 'dyn-client',
  DYNAMICS_CLIENT_SECRET: 'dyn-secret',
  COSELL_ADMIN_TOKEN: 'admin-token',
};

describe('shipped example configuration', () => {
  it('validates with the env variables it references', () => {
    const result = validateConfigFile(EXAMPLE, { env: ENV });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary).toContain('salesforce-main (salesforce Opportunity)');
    expect(result.summary).toMatch(/dealName\s+<->\s+Name\s+crm/);
    expect(result.summary).toMatch(/estimatedValue\s+<->\s+estimatedvalue, _transactioncurrencyid_value, transactioncurrencyid\s+crm/);
    expect(result.summary).toMatch(/type\s+-->\s+CoSell_Type__c\s+cosell/);
  });

  it('loadConfig returns the resolved configuration and a compiled mapping per connector', () => {
    const { config, mappings } = loadConfig(EXAMPLE, ENV);
    expect(config.store).toEqual({ driver: 'sqlite', path: path.resolve('./data/cosell-sync.db') });
    expect(config.http.adminToken).toBe('admin-token');
    expect(config.reconciliation).toEqual({
      terminalConflicts: 'flag',
      defaultOwner: 'crm',
      terminalPrecedence: 'first-committed',
      illegalCrmMoves: 'accept-then-apply',
      reviewLeaseWaitMs: 10000,
    });
    const [sf, dyn] = config.connectors;
    expect(sf).toMatchObject({ name: 'salesforce-main', kind: 'salesforce', object: 'Opportunity', participation: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] } });
    expect(sf?.kind === 'salesforce' && sf.auth).toEqual({ flow: 'jwt', clientId: 'sf-client', username: 'integration@example.com', privateKeyFile: './secrets/salesforce.key' });
    expect(dyn?.kind === 'dynamics' && dyn.auth.clientSecret).toBe('dyn-secret');
    expect(dyn?.mappingFile).toBe(path.join(path.dirname(EXAMPLE), 'mappings/dynamics.yaml'));
    expect(dyn?.options).toEqual({ pageSize: 5000, bulkThreshold: 2000, batchSize: 1000, writeConcurrency: 4, timeoutMs: 30000, maxRetries: 5, publish: 'inbound', settleMs: 5000, inbound: { by: 'all' } });
    expect(mappings.get('salesforce-main')?.externalIdField).toBe('CoSell_Id__c');
    expect(mappings.get('dynamics-main')?.externalIdField).toBe('cosell_cosellid');
  });

  it('loadConfig throws a ConfigError listing every issue', () => {
    expect(() => loadConfig(EXAMPLE, {})).toThrow(/5 issues[\s\S]*SF_CLIENT_ID is not set[\s\S]*COSELL_ADMIN_TOKEN is not set/);
  });
});
