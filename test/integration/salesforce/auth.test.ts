import { generateKeyPairSync } from 'node:crypto';
import { createSalesforceConnector } from '../../../connectors/salesforce';
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { isConnectorError } from '../../../src/errors';
import { silentLogger } from '../../../src/log';
import { connectTo, FAST_RETRY, opportunity, startSim, TEST_CLIENT_ID, TEST_USERNAME } from './harness';

describe('salesforce auth', () => {
  let sim: SalesforceSimulator;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('refreshes an expired session once for many concurrent calls (single flight)', async () => {
    const ids = sim.seed(Array.from({ length: 10 }, () => opportunity()));
    const connector = connectTo(sim);
    await connector.readRecords(ids, ['Name']);
    expect(sim.stats().tokenRequests).toBe(1);
    sim.expireSessions();
    const results = await Promise.all(ids.map((id) => connector.readRecords([id], ['Name'])));
    expect(results.map((r) => r[0]?.id)).toEqual(ids);
    expect(sim.stats().tokenRequests).toBe(2);
  });

  it('reports a 401 that a fresh token cannot fix as an auth error, without looping', async () => {
    const [id = ''] = sim.seed([opportunity()]);
    const connector = connectTo(sim);
    sim.injectFault('expire_session', 1000);
    const err: unknown = await connector.readRecords([id], ['Name']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isConnectorError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'auth', retryable: false });
    expect(sim.stats().tokenRequests).toBeLessThanOrEqual(2);
  });

  it('fails with an auth error when the JWT is signed with the wrong key', async () => {
    const wrong = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const connector = createSalesforceConnector(
      { name: 'bad-key', loginUrl: sim.url, auth: { kind: 'jwt', clientId: TEST_CLIENT_ID, username: TEST_USERNAME, privateKey: wrong.privateKey }, filter: { all: [] }, retry: FAST_RETRY },
      { logger: silentLogger },
    );
    await expect(connector.describe()).rejects.toMatchObject({ code: 'auth', crmCode: 'invalid_grant' });
  });

  it('supports the client credentials flow and rejects a wrong secret', async () => {
    const make = (clientSecret: string) =>
      createSalesforceConnector({ name: 'cc', loginUrl: sim.url, auth: { kind: 'client_credentials', clientId: TEST_CLIENT_ID, clientSecret }, filter: { all: [] }, retry: FAST_RETRY }, { logger: silentLogger });
    const meta = await make('test-secret').describe();
    expect(meta.name).toBe('Opportunity');
    await expect(make('nope').describe()).rejects.toMatchObject({ code: 'auth', crmCode: 'invalid_client' });
  });

  it('reports API usage from Sforce-Limit-Info and its own call counter', async () => {
    const connector = connectTo(sim);
    await connector.describe();
    await connector.readRecords([], ['Name']);
    const usage = connector.apiUsage();
    expect(usage.calls).toBe(1);
    expect(usage.used).toBe(1);
    expect(usage.limit).toBe(100_000);
  });
});
