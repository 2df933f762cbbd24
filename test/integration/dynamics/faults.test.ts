import { generateKeyPairSync, createHash, randomUUID } from 'node:crypto';
import { createDynamicsConnector } from '../../../connectors/dynamics';
import { startDynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { silentLogger } from '../../../src/log';
import { collect, opportunity, startRig, type DynamicsRig } from './setup';

const retries = (rig: DynamicsRig): Array<Record<string, unknown>> => rig.logs.filter((l) => l.message === 'dynamics call failed, retrying');

describe('dynamics connector under faults', () => {
  let rig: DynamicsRig;
  afterEach(async () => rig.close());

  it('honours Retry-After on a 429 (service protection 0x80072322) and then succeeds', async () => {
    rig = await startRig();
    rig.sim.seed([opportunity(1)]);
    rig.sim.injectFault({ kind: 'rate_limit', times: 1, retryAfterSeconds: 1 });
    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    expect(pages[0]?.records).toHaveLength(1);
    const [retry] = retries(rig);
    expect(retry).toMatchObject({ code: 'rate_limited', crmCode: '0x80072322', waitMs: 1000, attempt: 1 });
    expect(rig.sim.stats().apiRequests).toBe(2);
  });

  it('retries 5xx and connection resets on reads and batch writes', async () => {
    rig = await startRig();
    rig.sim.injectFault({ kind: 'server_error', times: 1 });
    rig.sim.injectFault({ kind: 'reset', times: 1 });
    const [result] = await rig.connector.writeBatch([{ kind: 'create', externalKey: 'cs-1', fields: { name: 'A' } }]);
    expect(result?.ok).toBe(true);
    expect(retries(rig).map((r) => r.code)).toEqual(['transient', 'transient']);
    expect(rig.sim.count()).toBe(1);
  });

  it('renews the token once on a 401 and carries on', async () => {
    rig = await startRig();
    rig.sim.seed([opportunity(1)]);
    await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    const tokensBefore = rig.sim.stats().tokenRequests;
    rig.sim.injectFault({ kind: 'expire_session' });
    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    expect(pages[0]?.records).toHaveLength(1);
    expect(rig.sim.stats().tokenRequests).toBe(tokensBefore + 1);
  });

  it('caches the token and renews it before it expires', async () => {
    rig = await startRig({}, { tokenLifetimeSeconds: 3599 });
    rig.sim.seed([opportunity(1)]);
    await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    await rig.connector.readRecords([rig.sim.list()[0]?.opportunityid as string], ['name']);
    expect(rig.sim.stats().tokenRequests).toBe(1);
    await rig.close();
    // A token within MSAL's renewal offset (5 minutes) is replaced before use, not after a 401.
    rig = await startRig({}, { tokenLifetimeSeconds: 120 });
    await rig.connector.describe(); // four concurrent calls share one acquisition (single flight)
    expect(rig.sim.stats().tokenRequests).toBe(1);
    await rig.connector.readRecords(['6a1f2c3d-0000-4000-8000-000000000001'], ['name']);
    expect(rig.sim.stats().tokenRequests).toBe(2);
    expect(rig.sim.stats().apiRequests).toBe(5);
  });

  it('rides out injected latency', async () => {
    rig = await startRig();
    rig.sim.seed([opportunity(1)]);
    rig.sim.injectFault({ kind: 'latency', times: 2, latencyMs: 30 });
    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    expect(pages[0]?.records).toHaveLength(1);
    expect(retries(rig)).toEqual([]);
  });

  it('fails with code auth when the renewed token is refused too', async () => {
    rig = await startRig({}, { tokenLifetimeSeconds: 0 });
    const error: unknown = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', httpStatus: 401, retryable: false });
    expect(rig.sim.stats().apiRequests).toBe(2);
  });

  it('reports a wrong client secret as an auth error', async () => {
    const sim = await startDynamicsSimulator();
    const connector = createDynamicsConnector(
      { name: 'bad-secret', url: sim.url, auth: { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: 'wrong', authority: sim.authority } },
      { logger: silentLogger },
    );
    rig = { sim, connector, logger: silentLogger, logs: [], close: () => sim.close() };
    await expect(connector.describe()).rejects.toMatchObject({ code: 'auth' });
    expect(sim.stats().apiRequests).toBe(0);
  });

  it('authenticates with a certificate (client assertion signed by MSAL)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const thumbprint = createHash('sha1').update(randomUUID()).digest('hex');
    const clientId = 'cert-client';
    const sim = await startDynamicsSimulator({
      clients: [{ clientId, certificate: { thumbprint, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } }],
    });
    const connector = createDynamicsConnector(
      {
        name: 'cert',
        url: sim.url,
        auth: {
          tenantId: sim.tenantId,
          clientId,
          authority: sim.authority,
          certificate: { thumbprint, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
        },
      },
      { logger: silentLogger },
    );
    rig = { sim, connector, logger: silentLogger, logs: [], close: () => sim.close() };
    sim.seed([opportunity(1)]);
    const pages = await collect(connector.readChanges({ cursor: null, fields: ['name'] }));
    expect(pages[0]?.records[0]?.fields.name).toBe('Opportunity 1');

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const impostor = createDynamicsConnector(
      { name: 'impostor', url: sim.url, auth: { tenantId: sim.tenantId, clientId, authority: sim.authority, certificate: { thumbprint, privateKey: other } } },
      { logger: silentLogger },
    );
    await expect(impostor.describe()).rejects.toMatchObject({ code: 'auth' });
  });
});
