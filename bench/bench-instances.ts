/**
 * The two connector instances the benchmark and the statement-budget test run: as
 * config/cosell-sync.example.yaml (Salesforce pages of 2,000 and a Bulk API 2.0 initial load above
 * 2,000 records, pushes of 200; Dynamics pages of 5,000, pushes of 500), the shipped mappings.
 */
import path from 'node:path';
import { createDynamicsConnector } from '../connectors/dynamics';
import type { DynamicsSimulator } from '../connectors/dynamics/simulator';
import { createSalesforceConnector } from '../connectors/salesforce';
import { silentLogger } from '../src/log';
import { loadMapping } from '../src/mapping/load';
import { DEFAULT_RETRY_POLICY } from '../src/retry';
import { ROOT } from './connector-bench';
import type { ConnectorInstance } from '../src/sync/ports';

export function benchInstances(sfUrl: string, dyn: Pick<DynamicsSimulator, 'url' | 'tenantId' | 'clientId' | 'clientSecret' | 'authority'>): ConnectorInstance[] {
  return [
    {
      name: 'salesforce', mapping: loadMapping(path.join(ROOT, 'config/mappings/salesforce.yaml')), publish: 'all', pushBatchSize: 200,
      connector: createSalesforceConnector(
        {
          name: 'salesforce', loginUrl: sfUrl, auth: { kind: 'client_credentials', clientId: 'bench', clientSecret: 'bench' },
          filter: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] }, pageSize: 2000, bulkThreshold: 2000, retry: DEFAULT_RETRY_POLICY,
        },
        { logger: silentLogger },
      ),
    },
    {
      name: 'dynamics', mapping: loadMapping(path.join(ROOT, 'config/mappings/dynamics.yaml')), publish: 'all', pushBatchSize: 500,
      connector: createDynamicsConnector(
        {
          name: 'dynamics', url: dyn.url, auth: { tenantId: dyn.tenantId, clientId: dyn.clientId, clientSecret: dyn.clientSecret, authority: dyn.authority },
          filter: { all: [{ field: 'cosell_sync', op: 'eq', value: true }] }, pageSize: 5000, batchSize: 1000,
        },
        { logger: silentLogger },
      ),
    },
  ];
}
