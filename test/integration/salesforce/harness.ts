/**
 * A Salesforce simulator plus a connector wired to it with JWT bearer auth (a fresh RSA key
 * pair, the public half configured in the simulator so signatures are really checked).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createSalesforceConnector, type SalesforceConnectorOptions } from '../../../connectors/salesforce';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { silentLogger } from '../../../src/log';
import type { CrmConnector } from '../../../src/ports/connector';
import type { ContractHarness } from '../../contract/crm-connector-contract';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

export const TEST_CLIENT_ID = 'cosell-sync-test-client';
export const TEST_USERNAME = 'integration@cosell.example';
export const FAST_RETRY = { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, backoffFactor: 2, jitter: 0.5 };

export async function startSim(options: { latencyMs?: number } = {}): Promise<SalesforceSimulator> {
  return startSalesforceSimulator({ ...options, auth: { clientId: TEST_CLIENT_ID, publicKeyPem: keys.publicKey, username: TEST_USERNAME, clientSecret: 'test-secret' } });
}

export function connectTo(sim: SalesforceSimulator, overrides: Partial<SalesforceConnectorOptions> = {}): CrmConnector {
  return createSalesforceConnector(
    {
      name: 'sf-test',
      loginUrl: sim.url,
      auth: { kind: 'jwt', clientId: TEST_CLIENT_ID, username: TEST_USERNAME, privateKey: keys.privateKey },
      filter: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] },
      pageSize: 200,
      retry: FAST_RETRY,
      ...overrides,
    },
    { logger: silentLogger },
  );
}

let seq = 0;
export function opportunity(extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return { Name: `Deal ${seq}`, StageName: 'Prospecting', CloseDate: '2026-12-31', Amount: 1000 + seq, CoSell_Sync__c: true, ...extra };
}

export async function salesforceHarness(): Promise<ContractHarness & { sim: SalesforceSimulator }> {
  const sim = await startSim();
  // One clock for the org and the connector, which elapse() moves on.
  let offsetMs = 0;
  const connector = connectTo(sim, { now: () => Date.now() + offsetMs });
  return {
    sim,
    elapse: async (ms) => {
      offsetMs += ms;
      sim.setClock({ offsetMs });
    },
    connector,
    fields: { name: 'Name', amount: 'Amount', closeDate: 'CloseDate', stage: 'StageName', externalId: 'CoSell_Id__c' },
    openStages: ['Prospecting', 'Qualification'],
    pageSize: 200,
    requiredOnCreate: { CoSell_Sync__c: true },
    seed: async (records) => sim.seed(records.map((r) => ({ CoSell_Sync__c: true, ...r }))),
    update: async (id, fields) => sim.update(id, fields),
    remove: async (id) => sim.remove(id),
    get: async (id) => sim.get(id),
    count: async () => sim.count(),
    injectFault: async (fault, times) => sim.injectFault(fault, times),
    failValidation: async (match, message) => void sim.addValidationRule({ when: (r) => r[match.field] === match.equals, message, fields: [match.field], times: 1 }),
    close: async () => {
      await connector.close();
      await sim.close();
    },
  };
}
