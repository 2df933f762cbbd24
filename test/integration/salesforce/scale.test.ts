/**
 * 10,000 records written and read through the connector, with the API calls it made compared to
 * the floor: ceil(n/200) collection writes, ceil(n/2000) query pages.
 */
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { CrmRecord, WriteOperation } from '../../../src/ports/connector';
import { connectTo, startSim } from './harness';

const N = 10_000;
const FIELDS = ['Name', 'Amount', 'CloseDate', 'StageName', 'CoSell_Id__c'];

async function readAllRecords(connector: ReturnType<typeof connectTo>, cursor: string | null): Promise<{ records: CrmRecord[]; cursor: string | null; fullResync: boolean }> {
  const records: CrmRecord[] = [];
  let last = cursor;
  let full = false;
  for await (const page of connector.readChanges({ cursor, fields: FIELDS })) {
    records.push(...page.records);
    last = page.cursor;
    full ||= page.fullResync;
  }
  return { records, cursor: last, fullResync: full };
}

describe('salesforce connector at 10,000 records', () => {
  let sim: SalesforceSimulator;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('creates, reads and updates 10,000 records near the API-call floor', async () => {
    const connector = connectTo(sim, { pageSize: 2000 });
    const creates: WriteOperation[] = Array.from({ length: N }, (_, i) => ({
      kind: 'create',
      externalKey: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      fields: { Name: `Scale ${i}`, StageName: 'Prospecting', CloseDate: '2026-09-30', Amount: i, CoSell_Sync__c: true },
    }));
    const created = await connector.writeBatch(creates);
    expect(created.every((r) => r.ok && r.created)).toBe(true);
    const writeCalls = connector.apiUsage().calls;
    expect(writeCalls).toBe(Math.ceil(N / 200));

    const read = await readAllRecords(connector, null);
    const readCalls = connector.apiUsage().calls - writeCalls;
    expect(read.records).toHaveLength(N);
    expect(new Set(read.records.map((r) => r.id)).size).toBe(N);
    expect(readCalls).toBe(Math.ceil(N / 2000));

    const before = connector.apiUsage().calls;
    const updates: WriteOperation[] = read.records.map((r) => ({ kind: 'update', id: r.id, fields: { Amount: Number(r.fields['Amount']) + 1 }, expectedVersion: r.version }));
    const updated = await connector.writeBatch(updates);
    expect(updated.every((r) => r.ok)).toBe(true);
    const updateCalls = connector.apiUsage().calls - before;
    // One version-check query and one collection update per 200 records.
    expect(updateCalls).toBe(2 * Math.ceil(N / 200));

    const incremental = await readAllRecords(connector, read.cursor);
    expect(incremental.records).toHaveLength(N);
    expect(incremental.fullResync).toBe(false);
    expect(sim.count()).toBe(N);
    expect(sim.stats().apiCalls).toBe(connector.apiUsage().calls);
  });

  it('uses a Bulk API 2.0 query job for an initial load above the bulk threshold', async () => {
    const connector = connectTo(sim, { pageSize: 2000, bulkThreshold: 5000, bulkPageSize: 4000 });
    const read = await readAllRecords(connector, null);
    expect(read.records).toHaveLength(N);
    expect(new Set(read.records.map((r) => r.id)).size).toBe(N);
    expect(read.fullResync).toBe(true);
    const sample = read.records[17];
    expect(typeof sample?.fields['Amount']).toBe('number');
    expect(sample?.version).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000#[0-9a-f]{20}$/);
    expect(sim.stats().callsByKind['POST jobs']).toBeGreaterThanOrEqual(1);
    // The cursor after a bulk load continues incrementally.
    const [first] = read.records;
    sim.update(first?.id ?? '', { Name: 'after bulk' });
    const next = await readAllRecords(connector, read.cursor);
    expect(next.records.map((r) => r.id)).toEqual([first?.id]);
  });
});
