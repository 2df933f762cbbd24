import type { WriteOperation } from '../../../src/ports/connector';
import { collect, FIELDS, opportunity, startRig, type DynamicsRig } from './setup';

const N = 10_000;

describe('dynamics connector at 10,000 records', () => {
  let rig: DynamicsRig;
  afterAll(async () => rig.close());

  it('writes and reads 10,000 records in the minimum number of Web API calls', async () => {
    rig = await startRig();
    const creates: WriteOperation[] = Array.from({ length: N }, (_, i) => {
      const { cosell_cosellid, ...fields } = opportunity(i);
      return { kind: 'create', externalKey: String(cosell_cosellid), fields };
    });
    const created = await rig.connector.writeBatch(creates);
    expect(created.filter((r) => r.ok)).toHaveLength(N);
    const writeCalls = rig.connector.apiUsage().calls;
    expect(writeCalls).toBe(Math.ceil(N / 1000));
    expect(rig.sim.count()).toBe(N);

    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: FIELDS }));
    const readCalls = rig.connector.apiUsage().calls - writeCalls;
    expect(pages.reduce((n, p) => n + p.records.length, 0)).toBe(N);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id))).size).toBe(N);
    // transactioncurrencyid is asked for as an ISO code: one extra read of the currency table.
    expect(readCalls).toBe(Math.ceil(N / 5000) + 1);

    const updates: WriteOperation[] = pages.flatMap((p) =>
      p.records.map((r) => ({ kind: 'update' as const, id: r.id, fields: { estimatedvalue: 42 }, expectedVersion: r.version })),
    );
    const before = rig.connector.apiUsage().calls;
    const updated = await rig.connector.writeBatch(updates);
    expect(updated.every((r) => r.ok)).toBe(true);
    expect(rig.connector.apiUsage().calls - before).toBe(Math.ceil(N / 1000));

    const delta = await collect(rig.connector.readChanges({ cursor: pages[pages.length - 1]?.cursor ?? '', fields: ['estimatedvalue'] }));
    expect(delta.reduce((n, p) => n + p.records.length, 0)).toBe(N);
    expect(delta.every((p) => p.records.every((r) => r.fields.estimatedvalue === 42))).toBe(true);
    expect(delta.length).toBe(Math.ceil(N / 5000));
  });
});
