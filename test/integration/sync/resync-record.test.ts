/** Resync of one CRM record, through the operator actions, over the Salesforce simulator. */
import { asOpportunityId } from '../../../src/core/model';
import { silentLogger } from '../../../src/log';
import { OperatorActions } from '../../../src/services/operator-actions';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

describe('resync one record', () => {
  let h: SyncHarness;
  let actions: OperatorActions;
  beforeEach(async () => {
    h = await startSyncHarness({ dynamics: false });
    actions = new OperatorActions({ store: h.store, engine: h.engine, clock: h.clock, logger: silentLogger });
  });
  afterEach(() => h.close());

  it('previews what it would write, writes nothing, then syncs the record on request', async () => {
    const [sfId] = h.sf.seed([sfOpportunity({ Amount: 1000 })]);
    await h.syncAll();
    const { opportunityId } = await linkedIds(h, sfId!);
    const id = asOpportunityId(opportunityId);
    const before = await h.store.getOpportunity(id);
    h.sf.update(sfId!, { Amount: 2500 });

    const preview = await actions.resyncRecord({ connector: 'sf', externalId: sfId!, dryRun: true, actor: 'cli:tester' });
    expect(preview.ok).toBe(true);
    expect(preview.planned).toEqual([expect.objectContaining({ target: 'cosell', opportunityId, changes: { estimatedValue: { amount: 2500, currency: 'USD' } } })]);
    expect((await h.store.getOpportunity(id))?.version).toBe(before?.version);
    expect((await h.store.getOpportunity(id))?.opportunity.estimatedValue?.amount).toBe(1000);

    const done = await actions.resyncRecord({ connector: 'sf', externalId: ` ${sfId!} `, dryRun: false, actor: 'cli:tester' });
    expect(done).toMatchObject({ ok: true, dryRun: false, planned: [] });
    expect((await h.store.getOpportunity(id))?.opportunity.estimatedValue?.amount).toBe(2500);
    const log = await actions.recent({ connector: 'sf' });
    expect(log.map((a) => [a.action, a.actor, a.details?.['externalId']])).toEqual([['record-resync', 'cli:tester', sfId], ['record-preview', 'cli:tester', sfId]]);
  });

  it('previews a record not linked yet as a create, and says so for an unknown id', async () => {
    const [sfId] = h.sf.seed([sfOpportunity({ Name: 'Fabrikam rollout' })]);
    const preview = await h.engine.resyncRecord({ connector: 'sf', externalId: sfId!, dryRun: true });
    expect(preview.planned).toEqual([expect.objectContaining({ target: 'cosell', action: 'create', externalId: sfId })]);
    expect(await h.store.listLinks({ connector: 'sf' })).toEqual([]);
    const missing = await h.engine.resyncRecord({ connector: 'sf', externalId: '006000000000NOPEAA', dryRun: true });
    expect(missing).toMatchObject({ ok: false, message: expect.stringContaining('not found') });
    const malformed = await h.engine.resyncRecord({ connector: 'sf', externalId: "x' OR Name != '", dryRun: true });
    expect(malformed).toMatchObject({ ok: false, message: expect.stringContaining('could not be read from sf: not a Salesforce id') });
  });

  it('refuses a resync of a paused instance (a preview still works) and rejects bad input', async () => {
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await actions.pause({ connector: 'sf', actor: 'cli:tester', reason: 'CRM upgrade' });
    expect(await actions.resyncRecord({ connector: 'sf', externalId: sfId!, dryRun: false, actor: 'cli:tester' })).toMatchObject({ ok: false, message: expect.stringContaining('paused') });
    expect(await h.store.listLinks({ connector: 'sf' })).toEqual([]);
    expect((await actions.resyncRecord({ connector: 'sf', externalId: sfId!, dryRun: true, actor: 'cli:tester' })).ok).toBe(true);
    await expect(actions.resyncRecord({ connector: 'sf', externalId: '  ', dryRun: true, actor: 'x' })).rejects.toThrow('invalid record id: externalId: a CRM record id is required');
    await expect(actions.resyncRecord({ connector: 'sf', externalId: 'a\nb', dryRun: true, actor: 'x' })).rejects.toThrow('control characters');
    await expect(actions.pause({ connector: 'nope', actor: 'x' })).rejects.toThrow('connector instance nope not found');
  });

  it('a full resync forgets the cursor so the next run reads every record', async () => {
    h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    expect((await h.store.getCursor('sf'))?.cursor).not.toBeNull();
    const result = await actions.fullResync({ connector: 'sf', actor: 'admin-api' });
    expect(result).toMatchObject({ ok: true, message: 'the next run of sf is a full pass' });
    expect((await h.store.getCursor('sf'))?.cursor).toBeNull();
    expect((await actions.recent({}))[0]).toMatchObject({ action: 'full-resync', actor: 'admin-api' });
  });
});
