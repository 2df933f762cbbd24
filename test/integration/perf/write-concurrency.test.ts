/**
 * writeConcurrency: a writeBatch larger than one call keeps up to that many calls in flight, each
 * carrying its own records, and answers in the order of the operations. The simulators count the
 * requests they answer at once.
 */
import { connectTo, opportunity, startSim } from '../salesforce/harness';
import { startRig } from '../dynamics/setup';
import type { CrmConnector, WriteResult } from '../../../src/ports/connector';

async function readAll(connector: CrmConnector, fields: string[]): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  for await (const page of connector.readChanges({ cursor: null, fields })) for (const r of page.records) versions.set(r.id, r.version);
  return versions;
}

describe('Salesforce writes with writeConcurrency', () => {
  it.each([
    [1, 1],
    [4, 4],
  ])('writeConcurrency %p: at most %p collections calls at once, every record written as asked', async (concurrency, most) => {
    const sim = await startSim({ latencyMs: 40 });
    const connector = connectTo(sim, { batchSize: 50, writeConcurrency: concurrency });
    try {
      const ids = sim.seed(Array.from({ length: 400 }, () => opportunity()));
      const versions = await readAll(connector, ['Name']);
      sim.resetStats();
      const ops = ids.map((id, i) => ({ kind: 'update' as const, id, fields: { Name: `Written ${String(i)}` }, expectedVersion: versions.get(id) ?? null }));
      const results = await connector.writeBatch(ops);
      expect(results.map((r: WriteResult) => (r.ok ? r.id : `failed ${r.error.message}`))).toEqual(ids);
      ids.forEach((id, i) => expect(sim.get(id)?.['Name']).toBe(`Written ${String(i)}`));
      const stats = sim.stats();
      // 8 chunks of 50: a version check and an update each.
      expect(stats.callsByKind['PATCH composite']).toBe(8);
      expect(stats.peakConcurrentCalls).toBe(most);
    } finally {
      await connector.close();
      await sim.close();
    }
  });

  it('a chunk whose call fails fails its own records only', async () => {
    const sim = await startSim({ latencyMs: 20 });
    const connector = connectTo(sim, { batchSize: 10, writeConcurrency: 4, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, backoffFactor: 2, jitter: 0 } });
    try {
      const ids = sim.seed(Array.from({ length: 40 }, () => opportunity()));
      sim.injectFault('server_error', 1, { status: 500, pathIncludes: 'composite/sobjects' });
      const results = await connector.writeBatch(ids.map((id) => ({ kind: 'update' as const, id, fields: { Name: 'x' }, expectedVersion: null })));
      const failed = results.filter((r) => !r.ok);
      expect(failed).toHaveLength(10);
      expect(failed.every((r) => !r.ok && r.callFailed === true)).toBe(true);
      expect(results.filter((r) => r.ok)).toHaveLength(30);
    } finally {
      await connector.close();
      await sim.close();
    }
  });
});

describe('Dynamics writes with writeConcurrency', () => {
  it.each([
    [1, 1],
    [3, 3],
  ])('writeConcurrency %p: at most %p $batch requests at once, each row created once, answered in order', async (concurrency, most) => {
    const rig = await startRig({ batchSize: 10, writeConcurrency: concurrency });
    try {
      rig.sim.injectFault({ kind: 'latency', times: 1000, latencyMs: 40 });
      const ops = Array.from({ length: 60 }, (_, i) => ({ kind: 'create' as const, externalKey: `cs-${String(i)}`, fields: { name: `Deal ${String(i)}` } }));
      const results = await rig.connector.writeBatch(ops);
      expect(results.every((r) => r.ok)).toBe(true);
      const rows = await rig.connector.readRecords(results.map((r) => (r.ok ? r.id : '')), ['name', 'cosell_cosellid']);
      const byId = new Map(rows.map((r) => [r.id, r.fields]));
      results.forEach((r, i) => {
        expect(r.ok && byId.get(r.id)?.['cosell_cosellid']).toBe(`cs-${String(i)}`);
        expect(r.ok && byId.get(r.id)?.['name']).toBe(`Deal ${String(i)}`);
      });
      expect(rig.sim.stats().batchRequests).toBe(6);
      expect(rig.sim.stats().peakConcurrentRequests).toBe(most);
    } finally {
      await rig.close();
    }
  });
});
