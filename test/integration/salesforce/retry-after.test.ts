/**
 * A 429 with Retry-After (Salesforce or a gateway before it) is retried after the server's wait,
 * not after the connector's own backoff.
 */
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy';
import { MemoryLogger } from '../../unit/daemon/fakes';
import { createSalesforceConnector } from '../../../connectors/salesforce';
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { opportunity, startSim, TEST_CLIENT_ID } from './harness';

jest.setTimeout(60_000);

let sim: SalesforceSimulator;
let proxy: FaultProxy;
let limited = 0;
beforeAll(async () => {
  sim = await startSim();
  sim.seed([opportunity(), opportunity()]);
  proxy = await startFaultProxy(sim.url, (req) => {
    if (!req.url.includes('/query') || limited >= 1) return null;
    limited += 1;
    return { kind: 'respond', status: 429, headers: { 'retry-after': '2' } };
  });
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

it('waits the Retry-After of a 429, then succeeds', async () => {
  const logger = new MemoryLogger();
  const connector = createSalesforceConnector(
    {
      name: 'sf-retry-after', loginUrl: proxy.url,
      auth: { kind: 'client_credentials', clientId: TEST_CLIENT_ID, clientSecret: 'test-secret' },
      filter: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] }, pageSize: 200,
      // The backoff alone would wait 5-10 ms.
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10_000, backoffFactor: 2, jitter: 0.5 },
    },
    { logger },
  );
  try {
    const records = [];
    for await (const page of connector.readChanges({ cursor: null, fields: ['Name'] })) records.push(...page.records);
    expect(records).toHaveLength(2);
    expect(proxy.injected.get('429')).toBe(1);
    const retries = logger.lines.filter((l) => l.message === 'salesforce call failed, retrying');
    expect(retries.map((l) => l.meta['waitMs'])).toEqual([2000]);
    expect(retries[0]?.meta['reason']).toBe('rate_limited: server asked to wait');
  } finally {
    await connector.close();
  }
});
