import { collect, FIELDS, opportunity, startRig, type DynamicsRig } from './setup';

describe('dynamics readChanges over HTTP', () => {
  let rig: DynamicsRig;
  afterEach(async () => rig.close());

  it('pages a full load, then reads only changes and deletions through the delta link', async () => {
    rig = await startRig({ pageSize: 2 });
    const ids = rig.sim.seed([1, 2, 3, 4, 5].map((i) => opportunity(i, { cosell_type: 100000001 })));
    const first = await collect(rig.connector.readChanges({ cursor: null, fields: FIELDS }));
    expect(first.map((p) => p.records.length)).toEqual([2, 2, 1]);
    expect(first.every((p) => p.fullResync)).toBe(true);
    const record = first[0]?.records[0];
    expect(record?.fields['cosell_type@OData.Community.Display.V1.FormattedValue']).toBe('P2P');
    expect(record?.fields.transactioncurrencyid).toBe('USD');
    expect(record?.version).toMatch(/^\d+$/);
    const cursor = first[first.length - 1]?.cursor ?? '';

    rig.sim.update(ids[1] ?? '', { name: 'Renamed' });
    rig.sim.remove(ids[2] ?? '');
    const delta = await collect(rig.connector.readChanges({ cursor, fields: FIELDS }));
    expect(delta).toHaveLength(1);
    expect(delta[0]?.fullResync).toBe(false);
    expect(delta[0]?.records.map((r) => [r.id, r.fields.name])).toEqual([[ids[1], 'Renamed']]);
    expect(delta[0]?.deletedIds).toEqual([ids[2]]);

    const quiet = await collect(rig.connector.readChanges({ cursor: delta[0]?.cursor ?? '', fields: FIELDS }));
    expect(quiet.map((p) => [p.records.length, p.deletedIds.length])).toEqual([[0, 0]]);
  });

  it('resumes a full load from a mid-load cursor, still flagged as a full pass', async () => {
    rig = await startRig({ pageSize: 2 });
    rig.sim.seed([1, 2, 3, 4, 5].map((i) => opportunity(i)));
    const iterator = rig.connector.readChanges({ cursor: null, fields: FIELDS })[Symbol.asyncIterator]();
    const page = await iterator.next();
    await iterator.return?.();
    const midCursor = page.done ? '' : page.value.cursor;
    const rest = await collect(rig.connector.readChanges({ cursor: midCursor, fields: FIELDS }));
    expect(rest.map((p) => p.records.length)).toEqual([2, 1]);
    expect(rest.every((p) => p.fullResync)).toBe(true);
  });

  it('applies the participation filter client-side on change-tracking rows', async () => {
    rig = await startRig({ filter: { all: [{ field: 'cosell_sync', op: 'eq', value: true }] } });
    const ids = rig.sim.seed([opportunity(1), opportunity(2, { cosell_sync: false }), opportunity(3)]);
    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    expect(pages.flatMap((p) => p.records.map((r) => r.id)).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('falls back to a full resync, logged, when the delta token has expired', async () => {
    rig = await startRig();
    rig.sim.seed([1, 2, 3].map((i) => opportunity(i)));
    const first = await collect(rig.connector.readChanges({ cursor: null, fields: FIELDS }));
    const cursor = first[first.length - 1]?.cursor ?? '';
    rig.sim.expireDeltaTokens();
    const again = await collect(rig.connector.readChanges({ cursor, fields: FIELDS }));
    expect(again).toHaveLength(1);
    expect(again[0]?.fullResync).toBe(true);
    expect(again[0]?.records).toHaveLength(3);
    expect(rig.logs.some((l) => String(l.message).includes('full resync') && l.crmCode === '0x80044352')).toBe(true);
    const after = await collect(rig.connector.readChanges({ cursor: again[0]?.cursor ?? '', fields: FIELDS }));
    expect(after[0]?.fullResync).toBe(false);
  });

  it('treats a delta token older than the organisation keeps changes as expired', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    rig = await startRig({}, { now: () => new Date(now), deltaTokenLifetimeMs: 7 * 24 * 3600 * 1000 });
    rig.sim.seed([opportunity(1)]);
    const first = await collect(rig.connector.readChanges({ cursor: null, fields: ['name'] }));
    now += 6 * 24 * 3600 * 1000;
    const fresh = await collect(rig.connector.readChanges({ cursor: first[0]?.cursor ?? '', fields: ['name'] }));
    expect(fresh[0]?.fullResync).toBe(false);
    now += 8 * 24 * 3600 * 1000;
    const stale = await collect(rig.connector.readChanges({ cursor: fresh[0]?.cursor ?? '', fields: ['name'] }));
    expect(stale.map((p) => [p.fullResync, p.records.length])).toEqual([[true, 1]]);
  });

  it('re-reads given records by id', async () => {
    rig = await startRig();
    const ids = rig.sim.seed([1, 2, 3].map((i) => opportunity(i)));
    const records = await rig.connector.readRecords([ids[0] ?? '', ids[2] ?? '', '00000000-0000-0000-0000-000000000000'], ['name']);
    expect(records.map((r) => r.fields.name).sort()).toEqual(['Opportunity 1', 'Opportunity 3']);
  });
});
