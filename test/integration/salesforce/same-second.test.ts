/**
 * An org stamps SystemModstamp in whole seconds, at commit time: two edits within one second share
 * a stamp. The connector's version carries a hash of the values read, so the stale check and the
 * incremental read still see the second edit.
 */
import { startSim, connectTo, opportunity } from './harness';
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { ChangePage, CrmConnector, CrmRecord } from '../../../src/ports/connector';

const FIELDS = ['Name', 'Amount', 'StageName', 'CoSell_Id__c'];
/** A whole minute ahead of the org's start, so its deleted-records log covers every cursor. */
const SECOND = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
const STAMP = new Date(SECOND).toISOString().replace('Z', '+0000');

describe('salesforce connector with whole-second SystemModstamps', () => {
  let sim: SalesforceSimulator;
  let now = SECOND + 100;
  let connector: CrmConnector;
  const at = (ms: number): void => {
    now = ms;
    sim.setClock({ now: ms });
  };
  beforeEach(async () => {
    sim = await startSim();
    at(SECOND + 100);
    connector = connectTo(sim, { settleMs: 0, now: () => now });
  });
  afterEach(async () => {
    await sim.close();
  });

  const read = async (cursor: string | null): Promise<{ records: CrmRecord[]; cursor: string | null }> => {
    const pages: ChangePage[] = [];
    for await (const page of connector.readChanges({ cursor, fields: FIELDS })) pages.push(page);
    return { records: pages.flatMap((p) => p.records), cursor: pages[pages.length - 1]?.cursor ?? cursor };
  };

  it('stamps every write of one second with that second', () => {
    const [a = '', b = ''] = sim.seed([opportunity(), opportunity()]);
    at(SECOND + 900);
    sim.update(a, { Name: 'Later in the second' });
    expect([sim.get(a)?.['SystemModstamp'], sim.get(b)?.['SystemModstamp']]).toEqual([STAMP, STAMP]);
  });

  it('reads an edit made in the second the cursor ends in, even behind the cursor and with settleMs 0, and nothing twice', async () => {
    const ids = sim.seed([opportunity(), opportunity(), opportunity()]);
    const first = await read(null);
    expect(first.records.map((r) => r.id).sort()).toEqual([...ids].sort());
    // The lowest Id: behind the cursor's (stamp, Id) position, with the same stamp.
    const lowest = [...ids].sort()[0] ?? '';
    at(SECOND + 700);
    sim.update(lowest, { Name: 'Edited in the same second' });
    const next = await read(first.cursor);
    expect(next.records.map((r) => [r.id, r.fields['Name']])).toEqual([[lowest, 'Edited in the same second']]);
    expect((await read(next.cursor)).records).toEqual([]);
    at(SECOND + 1500);
    expect((await read(next.cursor)).records).toEqual([]);
  });

  it('reports an update stale when the record was edited within the second it was read in', async () => {
    const [id = ''] = sim.seed([opportunity({ Name: 'Original' })]);
    const [rec] = await connector.readRecords([id], FIELDS);
    at(SECOND + 600);
    sim.update(id, { Name: 'Edited by a user' });
    expect(sim.get(id)?.['SystemModstamp']).toBe(String(rec?.version).split('#')[0]);
    const [res] = await connector.writeBatch([{ kind: 'update', id, fields: { Name: 'From co-sell' }, expectedVersion: rec?.version ?? null }]);
    expect(res).toMatchObject({ ok: false, stale: true, error: { code: 'conflict' } });
    expect(res && !res.ok ? res.error.message : '').toContain(`values changed within SystemModstamp ${STAMP}`);
    expect(sim.get(id)?.['Name']).toBe('Edited by a user');
  });

  it('writes an update whose record is unchanged since the read in the same second', async () => {
    const [id = ''] = sim.seed([opportunity({ Name: 'Original' })]);
    const [rec] = await connector.readRecords([id], FIELDS);
    at(SECOND + 600);
    const [res] = await connector.writeBatch([{ kind: 'update', id, fields: { Name: 'From co-sell' }, expectedVersion: rec?.version ?? null }]);
    expect(res).toMatchObject({ ok: true, id });
    expect(sim.get(id)?.['Name']).toBe('From co-sell');
  });

  it('checks a version without a hash (stored before versions carried one) on its stamp', async () => {
    const [id = ''] = sim.seed([opportunity({ Name: 'Original' })]);
    const stamp = String(sim.get(id)?.['SystemModstamp']);
    at(SECOND + 2100);
    sim.update(id, { Name: 'Edited two seconds on' });
    const [stale] = await connector.writeBatch([{ kind: 'update', id, fields: { Name: 'From co-sell' }, expectedVersion: stamp }]);
    expect(stale).toMatchObject({ ok: false, stale: true });
    const [fresh] = await connector.writeBatch([{ kind: 'update', id, fields: { Name: 'From co-sell' }, expectedVersion: String(sim.get(id)?.['SystemModstamp']) }]);
    expect(fresh).toMatchObject({ ok: true });
  });
});
