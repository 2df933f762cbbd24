import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { isTimeout } from '../../../connectors/shared/http';
import { connectTo, opportunity, startSim } from './harness';

describe('salesforce requests are bounded by timeoutMs', () => {
  let sim: SalesforceSimulator;
  afterEach(async () => sim.close());

  it('gives up on a query the org accepts and never answers, then retries it', async () => {
    sim = await startSim();
    const [id] = await sim.seed([opportunity()]);
    const connector = connectTo(sim, { timeoutMs: 300 });
    sim.injectFault('hang', 1, { pathIncludes: '/query' });
    const rows = await connector.readRecords([id as string], ['Name']);
    expect(rows.map((r) => r.id)).toEqual([id]);
  });

  it('fails with a timeout error once the attempts are spent', async () => {
    sim = await startSim();
    const connector = connectTo(sim, { timeoutMs: 200, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, backoffFactor: 1, jitter: 0 } });
    await connector.describe();
    sim.injectFault('hang', 5, { pathIncludes: '/query' });
    const error: unknown = await connector.readRecords(['006000000000001AAA'], ['Name']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTimeout(error)).toBe(true);
    expect((error as Error).message).toMatch(/no answer within 200 ms/);
  });

  it('replays an upsert on the external id whose answer never came, without a duplicate', async () => {
    sim = await startSim();
    const connector = connectTo(sim, { timeoutMs: 300 });
    sim.injectFault('hang', 1, { pathIncludes: '/composite/sobjects' });
    const [result] = await connector.writeBatch([{ kind: 'create', externalKey: 'cs-timeout-1', fields: { Name: 'A', StageName: 'Prospecting', CloseDate: '2026-12-31', CoSell_Sync__c: true } }]);
    expect(result?.ok).toBe(true);
    expect(sim.count()).toBe(1);
  });
});
