import { isTimeout } from '../../../connectors/shared/http';
import { createDynamicsConnector } from '../../../connectors/dynamics';
import { startDynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { silentLogger } from '../../../src/log';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { collect, opportunity, startRig, type DynamicsRig } from './setup';

const retries = (rig: DynamicsRig): Array<Record<string, unknown>> => rig.logs.filter((l) => l.message === 'dynamics call failed, retrying');

describe('dynamics requests are bounded by timeoutMs', () => {
  let rig: DynamicsRig;
  afterEach(async () => rig.close());

  it('gives up on a request the server accepts and never answers, then retries a read', async () => {
    rig = await startRig({ timeoutMs: 300 });
    rig.sim.seed([opportunity(1)]);
    rig.sim.injectFault({ kind: 'hang', times: 1 });
    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    expect(pages[0]?.records).toHaveLength(1);
    const [retry] = retries(rig);
    expect(retry).toMatchObject({ code: 'transient', attempt: 1 });
    expect(rig.sim.stats().apiRequests).toBe(2);
  });

  it('fails with a timeout error once the attempts are spent', async () => {
    rig = await startRig({ timeoutMs: 200, retry: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2, jitter: 0 } });
    rig.sim.injectFault({ kind: 'hang', times: 5 });
    const error: unknown = await rig.connector.readRecords(['6a1f2c3d-0000-4000-8000-000000000001'], ['name']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTimeout(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/no answer within 200 ms/);
    expect(rig.sim.stats().apiRequests).toBe(2);
  });

  it('replays an idempotent batch (alternate-key upsert) whose answer never came, without a duplicate', async () => {
    rig = await startRig({ timeoutMs: 300 });
    rig.sim.injectFault({ kind: 'apply_then_hang', times: 1 });
    const [result] = await rig.connector.writeBatch([{ kind: 'create', externalKey: 'cs-timeout-1', fields: { name: 'A' } }]);
    expect(result?.ok).toBe(true);
    expect(rig.sim.count()).toBe(1);
    expect(rig.sim.stats().batchRequests).toBe(2);
  });

  it('does not replay a batch with a close action; the update is reported stale so the row is read again', async () => {
    rig = await startRig({ timeoutMs: 300 });
    rig.sim.seed([opportunity(1)]);
    const id = rig.sim.list()[0]?.opportunityid as string;
    rig.sim.injectFault({ kind: 'apply_then_hang', times: 1 });
    const [result] = await rig.connector.writeBatch([{ kind: 'update', id, expectedVersion: null, fields: { statecode: 1 } }]);
    expect(result).toMatchObject({ ok: false, stale: true, id });
    expect(result && !result.ok ? result.error.crmCode : null).toBe('OUTCOME_UNKNOWN');
    expect(rig.sim.stats().batchRequests).toBe(1);
    expect(retries(rig)).toHaveLength(0);
    // The action did run: the re-read the engine makes shows the row won.
    const [row] = await rig.connector.readRecords([id], ['statecode']);
    expect(row?.fields.statecode).toBe(1);
  });
});

describe('dynamics token requests are bounded by timeoutMs', () => {
  it('gives up on a token request the identity service never answers, then signs in again and reads', async () => {
    const sim = await startDynamicsSimulator();
    sim.seed([opportunity(1)]);
    // The first token request is held far longer than the timeout; later ones pass.
    let held = 0;
    const identity = await startFaultProxy(sim.url, (req) => (req.url.includes('/oauth2/') && held++ === 0 ? { kind: 'slow', ms: 20_000 } : null));
    const connector = createDynamicsConnector(
      {
        name: 'dynamics-token-timeout', url: sim.url, timeoutMs: 300,
        auth: { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: `${identity.url}/${sim.tenantId}` },
        retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 3, jitter: 0 },
      },
      { logger: silentLogger },
    );
    let guard: NodeJS.Timeout | undefined;
    try {
      const read = connector.readRecords([String(sim.list()[0]?.opportunityid)], ['name']);
      const tooLong = new Promise<never>((_, reject) => (guard = setTimeout(() => reject(new Error('the read waited 10 s for a token')), 10_000)));
      const rows = await Promise.race([read, tooLong]);
      expect(rows.map((r) => r.fields.name)).toEqual(['Opportunity 1']);
      expect(identity.injected.get('slow')).toBe(1);
      expect(held).toBeGreaterThanOrEqual(2);
    } finally {
      clearTimeout(guard);
      await connector.close();
      await identity.close();
      await sim.close();
    }
  });
});
