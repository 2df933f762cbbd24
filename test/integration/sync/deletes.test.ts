import { createDynamicsConnector } from '../../../connectors/dynamics';
import { asOpportunityId } from '../../../src/core/model';
import { silentLogger } from '../../../src/log';
import { dynamicsSeed } from '../../../src/sandbox/seed-data';
import { sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

describe('deleted CRM records', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness({ dynamics: false });
  });
  afterEach(() => h.close());

  it('a deleted record is unlinked and recorded for review; the co-sell opportunity is kept', async () => {
    const [a, b] = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    await h.syncAll();
    h.sf.remove(b!);
    // getDeleted reports the delete once its minute has passed.
    h.sfElapse(60_000);
    await h.syncAll();
    expect((await h.store.listLinks({ connector: 'sf' })).map((l) => l.externalId)).toEqual([a]);
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(2);
    const [conflict] = await h.store.listConflicts({});
    expect(conflict).toMatchObject({ kind: 'deleted', externalId: b, outcome: 'unlinked' });
  });

  it('a record deleted before its delete is read, met by a push, is settled as the delete and not as a dead letter', async () => {
    const [a, b] = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    await h.syncAll();
    const opportunityId = asOpportunityId((await h.store.getLink('sf', b!))!.opportunityId);
    h.sf.remove(b!);
    // Within the same minute getDeleted does not report it yet; the co-sell edit's update meets ENTITY_IS_DELETED.
    await h.store.applyCommand({ id: opportunityId, command: { kind: 'edit', changes: { notes: 'Workshop booked' } }, source: { kind: 'user', name: 'test' }, now: h.clock.now() });
    const run = await h.engine.runOnce({ connector: 'sf' });
    expect(run).toMatchObject({ error: null, deadLetters: 0 });
    expect(await h.store.listDeadLetters({ unresolvedOnly: true })).toEqual([]);
    expect((await h.store.listLinks({ connector: 'sf' })).map((l) => l.externalId)).toEqual([a]);
    expect((await h.store.listConflicts({})).map((c) => [c.kind, c.externalId, c.status])).toEqual([['deleted', b, 'pending']]);
    expect((await h.store.getOpportunity(opportunityId))!.opportunity.notes).toBe('Workshop booked');
    // Once the org reports the delete, nothing more happens, and the deal is not given to Salesforce again.
    h.sfElapse(60_000);
    await h.syncAll();
    expect(await h.store.listConflicts({})).toHaveLength(1);
    expect(h.sf.all().filter((r) => r['Name'] === 'Second deal')).toEqual([]);
  });

  const deletedAndReported = async () => {
    const [a, b] = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    await h.syncAll();
    const opportunityId = asOpportunityId((await h.store.getLink('sf', b!))!.opportunityId);
    h.sf.remove(b!);
    h.sfElapse(60_000);
    await h.syncAll();
    const [conflict] = await h.store.listConflicts({ status: 'pending' });
    if (conflict?.kind !== 'deleted') throw new Error('no pending delete conflict');
    return { a: a!, b: b!, opportunityId, conflict };
  };
  const secondDeals = () => h.sf.all().filter((r) => r['Name'] === 'Second deal');

  it('resolving a delete with --keep cosell creates the deal again in the CRM, once', async () => {
    const { b, opportunityId, conflict } = await deletedAndReported();
    const outcome = await h.engine.resolveConflict(conflict.id, 'cosell');
    expect(outcome).toMatchObject({ ok: true, message: expect.stringMatching(/created again in sf as record/) });
    const [again] = secondDeals();
    expect(again).toMatchObject({ CoSell_Id__c: opportunityId });
    expect(again?.['Id']).not.toBe(b);
    expect((await h.store.getLinkByOpportunity('sf', opportunityId))?.externalId).toBe(again?.['Id']);
    expect(await h.store.listConflicts({ status: 'pending' })).toEqual([]);
    // Read back, it is our own write: nothing more is created or recorded.
    h.sfElapse(60_000);
    await h.syncAll();
    await h.syncAll();
    expect(secondDeals()).toHaveLength(1);
    expect(await h.store.listConflicts({ status: 'pending' })).toEqual([]);
  });

  it('resolving a delete with --keep crm accepts it: the deal stays unlinked and is not given to the CRM again', async () => {
    const { opportunityId, conflict } = await deletedAndReported();
    expect(await h.engine.resolveConflict(conflict.id, 'crm')).toMatchObject({ ok: true, message: expect.stringMatching(/delete in sf stands/) });
    await h.store.applyCommand({ id: opportunityId, command: { kind: 'edit', changes: { notes: 'Changed after the delete' } }, source: { kind: 'user', name: 'test' }, now: h.clock.now() });
    await h.syncAll();
    expect(secondDeals()).toEqual([]);
    expect(await h.store.getLinkByOpportunity('sf', opportunityId)).toBeNull();
    expect((await h.store.getConflict(conflict.id))?.resolution).toMatch(/delete accepted/);
  });

  it('a delete the CRM no longer reports is found by the full reconciliation pass', async () => {
    const [a, b] = h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    await h.syncAll();
    h.sf.remove(b!);
    // The org's deleted-records log no longer reaches back to the cursor: a full pass follows.
    h.sf.purgeDeletedBefore(new Date(Date.now() + 60_000).toISOString());
    await h.syncAll();
    expect((await h.store.listLinks({ connector: 'sf' })).map((l) => l.externalId)).toEqual([a]);
    const [conflict] = await h.store.listConflicts({});
    expect(conflict).toMatchObject({ kind: 'deleted', externalId: b });
  });
});

describe('a mapping that reads other fields', () => {
  it('makes the next pass a full one, since the cursor never covered the new fields', async () => {
    const h = await startSyncHarness({ dynamics: false });
    try {
      h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
      await h.syncAll();
      await h.syncAll(); // reads back our own writes (the echo), which change nothing
      expect((await h.engine.runOnce({ connector: 'sf' })).pulled).toBe(0);
      const instance = h.instances[0]!;
      instance.mapping = { ...instance.mapping, crmFields: [...instance.mapping.crmFields, 'Probability'] };
      expect((await h.engine.runOnce({ connector: 'sf' })).pulled).toBe(2);
      expect((await h.engine.runOnce({ connector: 'sf' })).pulled).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('a full pass stopped half-way', () => {
  it('resumes without unlinking the records read before the stop', async () => {
    const h = await startSyncHarness();
    try {
      const dyn = h.instances[1]!;
      const real = createDynamicsConnector(
        { name: 'dyn', url: h.dyn.url, auth: { tenantId: h.dyn.tenantId, clientId: h.dyn.clientId, clientSecret: h.dyn.clientSecret, authority: h.dyn.authority }, filter: { all: [{ field: 'cosell_sync', op: 'eq', value: true }] }, pageSize: 2 },
        { logger: silentLogger },
      );
      const stop = new AbortController();
      // SIGTERM lands while the first page is applied: the run finishes that page, then stops.
      dyn.connector = {
        kind: real.kind, name: real.name, readRecords: (ids, fields) => real.readRecords(ids, fields), writeBatch: (ops) => real.writeBatch(ops),
        describe: () => real.describe(), apiUsage: () => real.apiUsage(), close: () => real.close(),
        async *readChanges(params) {
          for await (const page of real.readChanges(params)) {
            stop.abort();
            yield page;
          }
        },
      };
      h.dyn.seed(dynamicsSeed(5, h.dyn.currencies));
      expect((await h.engine.runOnce({ connector: 'dyn', signal: stop.signal })).pulled).toBe(2);
      expect(await h.store.listLinks({ connector: 'dyn' })).toHaveLength(2);
      await h.engine.runOnce({ connector: 'dyn' });
      expect(await h.store.listLinks({ connector: 'dyn' })).toHaveLength(5);
      expect(await h.store.listConflicts({})).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
