import type { WriteOperation } from '../../../src/ports/connector';
import { collect, FIELDS, opportunity, startRig, type DynamicsRig } from './setup';

const create = (i: number, extra: Record<string, unknown> = {}): WriteOperation => {
  const { cosell_cosellid, ...fields } = opportunity(i, extra);
  return { kind: 'create', externalKey: String(cosell_cosellid), fields };
};

describe('dynamics writeBatch over HTTP', () => {
  let rig: DynamicsRig;
  afterEach(async () => rig.close());

  it('lands 997 of 1,000 creates and reports the 3 invalid ones with Dataverse messages', async () => {
    rig = await startRig();
    rig.sim.addValidationRule({ field: 'name', equals: 'Blocked by plug-in', message: 'Co-sell validation: this opportunity is blocked.' });
    const ops = Array.from({ length: 1000 }, (_, i) => create(i));
    ops[10] = create(10, { name: 'Blocked by plug-in' });
    ops[500] = create(500, { name: 'x'.repeat(301) });
    ops[999] = create(999, { cosell_type: 42 });
    const results = await rig.connector.writeBatch(ops);
    expect(results).toHaveLength(1000);
    expect(results.filter((r) => r.ok)).toHaveLength(997);
    expect(rig.sim.count()).toBe(997);
    const failures = results.flatMap((r, i) => (r.ok ? [] : [{ i, code: r.error.code, crmCode: r.error.crmCode, message: r.error.message, stale: r.stale }]));
    expect(failures.map((f) => f.i)).toEqual([10, 500, 999]);
    expect(failures.every((f) => f.code === 'validation' && !f.stale)).toBe(true);
    expect(failures[0]?.crmCode).toBe('0x80040265');
    expect(failures[0]?.message).toContain('Co-sell validation: this opportunity is blocked.');
    expect(failures[1]?.message).toContain("exceeded the maximum allowed length of '300'");
    expect(failures[2]?.message).toContain('outside the valid range');
    const ok = results[0];
    expect(ok?.ok && ok.created).toBe(true);
    expect(ok?.ok ? ok.version : null).toMatch(/^\d+$/);
    expect(rig.connector.apiUsage().calls).toBe(1); // one $batch; token requests are not Web API calls
  });

  it('makes creates idempotent through the alternate key', async () => {
    rig = await startRig();
    const [first] = await rig.connector.writeBatch([create(1)]);
    const [again] = await rig.connector.writeBatch([create(1, { name: 'Replayed' })]);
    expect(first?.ok && again?.ok && first.id === again.id).toBe(true);
    expect(again?.ok ? again.created : null).toBe(false);
    expect(rig.sim.count()).toBe(1);
    expect(rig.sim.list()[0]?.name).toBe('Replayed');
  });

  it('reports a stale update when the row changed after it was read, and the re-read shows the new version', async () => {
    rig = await startRig();
    const [id = ''] = rig.sim.seed([opportunity(1)]);
    const pages = await collect(rig.connector.readChanges({ cursor: null, fields: FIELDS }));
    const read = pages[0]?.records[0];
    rig.sim.update(id, { name: 'Edited in Dynamics' });
    const [result] = await rig.connector.writeBatch([{ kind: 'update', id, fields: { name: 'From co-sell' }, expectedVersion: read?.version ?? null }]);
    expect(result?.ok).toBe(false);
    expect(result && !result.ok ? [result.stale, result.error.code, result.error.httpStatus] : null).toEqual([true, 'conflict', 412]);
    const [fresh] = await rig.connector.readRecords([id], ['name']);
    expect(fresh?.fields.name).toBe('Edited in Dynamics');
    expect(Number(fresh?.version)).toBeGreaterThan(Number(read?.version));
    const [retry] = await rig.connector.writeBatch([{ kind: 'update', id, fields: { name: 'Merged' }, expectedVersion: fresh?.version ?? null }]);
    expect(retry?.ok).toBe(true);
    expect(rig.sim.get(id)?.name).toBe('Merged');
  });

  it('wins, loses and reopens through writeBatch with the close actions', async () => {
    rig = await startRig();
    const [a = '', b = ''] = rig.sim.seed([opportunity(1), opportunity(2)]);
    const version = (id: string): string => String(rig.sim.get(id)?.versionnumber);
    const results = await rig.connector.writeBatch([
      { kind: 'update', id: a, fields: { statecode: 1, estimatedvalue: 5000 }, expectedVersion: version(a) },
      { kind: 'update', id: b, fields: { statecode: 2, statuscode: 5 }, expectedVersion: version(b) },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect([rig.sim.get(a)?.statecode, rig.sim.get(a)?.statuscode, rig.sim.get(a)?.actualvalue]).toEqual([1, 3, 5000]);
    expect([rig.sim.get(b)?.statecode, rig.sim.get(b)?.statuscode]).toEqual([2, 5]);
    expect(rig.sim.count('opportunitycloses')).toBe(2);

    // A won row is read-only: the edit goes through reopen -> write -> win again, and stays won.
    const calls = rig.connector.apiUsage().calls;
    const [edited] = await rig.connector.writeBatch([{ kind: 'update', id: a, fields: { cosell_conflict: true }, expectedVersion: version(a) }]);
    expect(edited?.ok).toBe(true);
    expect([rig.sim.get(a)?.statecode, rig.sim.get(a)?.statuscode, rig.sim.get(a)?.cosell_conflict, rig.sim.get(a)?.actualvalue]).toEqual([1, 3, true, 5000]);
    expect(rig.connector.apiUsage().calls - calls).toBe(3); // refused batch, re-read of the state, rewrite
    const [stale] = await rig.connector.writeBatch([{ kind: 'update', id: a, fields: { cosell_conflict: false }, expectedVersion: '1' }]);
    expect(stale && !stale.ok ? stale.stale : null).toBe(true);
    const [reopened] = await rig.connector.writeBatch([
      { kind: 'update', id: a, fields: { statecode: 0, name: 'Back in play' }, expectedVersion: version(a) },
    ]);
    expect(reopened?.ok).toBe(true);
    expect([rig.sim.get(a)?.statecode, rig.sim.get(a)?.statuscode, rig.sim.get(a)?.name]).toEqual([0, 1, 'Back in play']);
    const [lostAfterWon] = await rig.connector.writeBatch([{ kind: 'update', id: a, fields: { statecode: 2 }, expectedVersion: version(a) }]);
    expect(lostAfterWon?.ok).toBe(true);
    expect(rig.sim.get(a)?.statecode).toBe(2);
  });

  it('creates an opportunity already won in one changeset', async () => {
    rig = await startRig();
    const [result] = await rig.connector.writeBatch([create(7, { statecode: 1 })]);
    expect(result?.ok).toBe(true);
    const row = rig.sim.get(result?.ok ? result.id : '');
    expect([row?.statecode, row?.statuscode, row?.cosell_cosellid]).toEqual([1, 3, 'cs-000007']);
  });

  it('writes lookups with @odata.bind, resolving an ISO currency code once', async () => {
    rig = await startRig();
    const results = await rig.connector.writeBatch([create(1, { transactioncurrencyid: 'EUR' }), create(2, { transactioncurrencyid: 'GBP' })]);
    expect(results.every((r) => r.ok)).toBe(true);
    const rows = rig.sim.list();
    expect(rows.map((r) => r._transactioncurrencyid_value).sort()).toEqual([rig.sim.currencies.EUR, rig.sim.currencies.GBP].sort());
    const [bad] = await rig.connector.writeBatch([create(3, { transactioncurrencyid: 'XXX' })]);
    expect(bad && !bad.ok ? [bad.error.code, bad.error.fields] : null).toEqual(['validation', ['transactioncurrencyid']]);
    const [records] = await collect(rig.connector.readChanges({ cursor: null, fields: ['transactioncurrencyid'] }));
    expect(records?.records.map((r) => r.fields.transactioncurrencyid).sort()).toEqual(['EUR', 'GBP']);
  });

  it('packs units into batches of at most batchSize requests without splitting a changeset', async () => {
    rig = await startRig({ batchSize: 2 });
    const [id = ''] = rig.sim.seed([opportunity(9)]);
    const results = await rig.connector.writeBatch([
      create(1),
      create(2),
      { kind: 'update', id, fields: { statecode: 1, name: 'Closing' }, expectedVersion: null },
      create(3),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(rig.sim.stats().batchRequests).toBe(3);
    expect([rig.sim.get(id)?.statecode, rig.sim.get(id)?.name]).toEqual([1, 'Closing']);
  });

  it('refuses an update of a deleted row instead of re-creating it', async () => {
    rig = await startRig();
    const [id = ''] = rig.sim.seed([opportunity(1)]);
    rig.sim.remove(id);
    const [result] = await rig.connector.writeBatch([{ kind: 'update', id, fields: { name: 'x' }, expectedVersion: null }]);
    expect(result && !result.ok ? [result.error.code, result.stale] : null).toEqual(['not_found', false]);
    expect(rig.sim.count()).toBe(0);
  });
});
