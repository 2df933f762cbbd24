/** writeBatch details beyond the contract: row-lock retries, chunking, stale and deleted rows. */
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { WriteOperation } from '../../../src/ports/connector';
import { connectTo, opportunity, startSim } from './harness';

describe('salesforce writeBatch', () => {
  let sim: SalesforceSimulator;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('retries rows that failed with UNABLE_TO_LOCK_ROW, and only those', async () => {
    const connector = connectTo(sim);
    sim.injectFault('row_lock', 2);
    const ops: WriteOperation[] = Array.from({ length: 5 }, (_, i) => ({ kind: 'create', externalKey: `lock-${i}`, fields: { Name: `L${i}`, StageName: 'Prospecting', CloseDate: '2026-05-01' } }));
    const results = await connector.writeBatch(ops);
    expect(results.every((r) => r.ok && r.created)).toBe(true);
    expect(sim.count()).toBe(5);
    expect(sim.stats().callsByKind['PATCH composite']).toBe(2);
  });

  it('reports a row lock that outlasts the retry policy as a retryable transient failure', async () => {
    const [id = ''] = sim.seed([opportunity()]);
    const connector = connectTo(sim);
    sim.injectFault('row_lock', 100);
    const [res] = await connector.writeBatch([{ kind: 'update', id, fields: { Name: 'x' }, expectedVersion: null }]);
    expect(res).toMatchObject({ ok: false, stale: false, error: { code: 'transient', retryable: true, crmCode: 'UNABLE_TO_LOCK_ROW' } });
  });

  it('splits large batches into collection calls of 200 and keeps result order', async () => {
    const connector = connectTo(sim);
    const ops: WriteOperation[] = Array.from({ length: 450 }, (_, i) => ({ kind: 'create', externalKey: `order-${i}`, fields: { Name: `O${i}`, StageName: 'Prospecting', CloseDate: '2026-05-01', ...(i === 333 ? { StageName: 'Nope' } : {}) } }));
    const results = await connector.writeBatch(ops);
    expect(sim.stats().callsByKind['PATCH composite']).toBe(3);
    expect(results[333]).toMatchObject({ ok: false, error: { code: 'validation', crmCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['StageName'] } });
    const okIds = results.filter((r) => r.ok).map((r) => r.id);
    expect(okIds).toHaveLength(449);
    expect(sim.get(results[7]?.id ?? '')?.['CoSell_Id__c']).toBe('order-7');
  });

  it('reports updates of deleted records as not_found and stale ones without writing them', async () => {
    const [gone = '', kept = '', edited = ''] = sim.seed([opportunity(), opportunity(), opportunity()]);
    const connector = connectTo(sim);
    const current = await connector.readRecords([gone, kept, edited], ['Name']);
    const version = new Map(current.map((r) => [r.id, r.version]));
    sim.remove(gone);
    sim.update(edited, { Name: 'user edit' });
    const results = await connector.writeBatch([gone, kept, edited].map((id) => ({ kind: 'update', id, fields: { Name: 'sync' }, expectedVersion: version.get(id) ?? null })));
    expect(results[0]).toMatchObject({ ok: false, stale: false, error: { code: 'not_found' } });
    expect(results[1]).toMatchObject({ ok: true, id: kept });
    expect(results[2]).toMatchObject({ ok: false, stale: true, id: edited });
    expect(sim.get(edited)?.['Name']).toBe('user edit');
    expect(sim.get(kept)?.['Name']).toBe('sync');
  });
});
