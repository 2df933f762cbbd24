import { createDynamicsConnector } from '../../connectors/dynamics';
import { startDynamicsSimulator } from '../../connectors/dynamics/simulator';
import { silentLogger } from '../../src/log';
import { crmConnectorContract, type ContractHarness } from './crm-connector-contract';

/** The contract speaks of stage values as text; Dataverse stores choices as numbers. */
const asStored = (fields: Record<string, unknown>): Record<string, unknown> =>
  typeof fields.salesstage === 'string' ? { ...fields, salesstage: Number(fields.salesstage) } : fields;

async function dynamicsHarness(): Promise<ContractHarness> {
  const sim = await startDynamicsSimulator();
  const pageSize = 10;
  const connector = createDynamicsConnector(
    {
      name: 'dynamics-contract',
      url: sim.url,
      auth: { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority },
      pageSize,
      retry: { initialDelayMs: 1, maxDelayMs: 50, maxAttempts: 3, jitter: 0 },
    },
    { logger: silentLogger },
  );
  return {
    connector,
    fields: { name: 'name', amount: 'estimatedvalue', closeDate: 'estimatedclosedate', stage: 'salesstage', externalId: 'cosell_cosellid' },
    // salesstage is a choice: 0 Qualify, 1 Develop (values as describe() reports them).
    openStages: ['0', '1'],
    pageSize,
    seed: async (records) => sim.seed(records.map(asStored)),
    update: async (id, fields) => {
      if (!sim.update(id, asStored(fields))) throw new Error(`no opportunity ${id}`);
    },
    remove: async (id) => {
      sim.remove(id);
    },
    get: async (id) => sim.get(id),
    count: async () => sim.count(),
    injectFault: async (fault, times) => {
      // Retry-After 0 keeps the suite fast; the wait itself is covered in test/integration/dynamics/faults.test.ts.
      sim.injectFault(fault === 'expire_session' ? { kind: fault } : { kind: fault, times, retryAfterSeconds: 0 });
    },
    failValidation: async (match, message) => sim.addValidationRule({ ...match, message }),
    close: async () => {
      await connector.close();
      await sim.close();
    },
  };
}

crmConnectorContract('dynamics (simulator)', dynamicsHarness);
