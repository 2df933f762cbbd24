/** Hostile values go through escaping and never change what a query means. */
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { CrmRecord } from '../../../src/ports/connector';
import { connectTo, opportunity, startSim } from './harness';

const HOSTILE = [
  "O'Brien's \\ \"deal\"",
  "x' OR Name != '",
  "\\' OR Id != null OR Name = '\\",
  'line\nbreak\ttab',
  "%' OR Name LIKE '%",
  "') OR (Name != '",
];

async function readAll(connector: ReturnType<typeof connectTo>): Promise<CrmRecord[]> {
  const out: CrmRecord[] = [];
  for await (const page of connector.readChanges({ cursor: null, fields: ['Name', 'CoSell_Customer_Name__c'] })) out.push(...page.records);
  return out;
}

describe('SOQL injection resistance (salesforce connector + simulator)', () => {
  let sim: SalesforceSimulator;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  it.each(HOSTILE)('a filter value %j matches only records holding exactly that value', async (value) => {
    const [target] = sim.seed([opportunity({ CoSell_Customer_Name__c: value }), opportunity({ CoSell_Customer_Name__c: 'Other' }), opportunity({ CoSell_Customer_Name__c: null })]);
    const connector = connectTo(sim, { filter: { all: [{ field: 'CoSell_Customer_Name__c', op: 'eq', value }] } });
    const records = await readAll(connector);
    expect(records.map((r) => r.id)).toEqual([target]);
    expect(records[0]?.fields['CoSell_Customer_Name__c']).toBe(value);
  });

  it('round-trips hostile names through create and read', async () => {
    const connector = connectTo(sim);
    const results = await connector.writeBatch(
      HOSTILE.map((name, i) => ({ kind: 'create', externalKey: `inj-${i}`, fields: { Name: name, StageName: 'Prospecting', CloseDate: '2026-01-31', CoSell_Sync__c: true } })),
    );
    const ids = results.map((r) => (r.ok ? r.id : ''));
    const read = await connector.readRecords(ids, ['Name']);
    expect(new Map(read.map((r) => [r.id, r.fields['Name']]))).toEqual(new Map(ids.map((id, i) => [id, HOSTILE[i]])));
  });

  it('refuses field names and ids that are not plain identifiers or allowlisted', async () => {
    const [id = ''] = sim.seed([opportunity()]);
    const connector = connectTo(sim);
    await expect(connector.readRecords([id], ['Name FROM Opportunity WHERE Id != null --'])).rejects.toMatchObject({ code: 'config' });
    await expect(connector.readRecords(["x') OR Id != null OR Id IN ('"], ['Name'])).rejects.toMatchObject({ code: 'config' });
    expect(() => connectTo(sim, { filter: { all: [{ field: 'CoSell_Sync__c = true OR Name', op: 'ne', value: null }] } })).toThrow(/invalid SOQL field name/);
    expect(() => connectTo(sim, { object: 'Opportunity WHERE Id != null' })).toThrow(/invalid SOQL identifier/);
  });
});
