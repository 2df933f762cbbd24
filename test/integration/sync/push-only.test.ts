/** A push run (`pushOnly`): reads nothing from its CRM and writes what co-sell changed since its last push. */
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

describe('a push run', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('creates in Dynamics what a Salesforce run applied, without reading Dynamics; with nothing due it costs no call', async () => {
    h = await startSyncHarness();
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.engine.runOnce({ connector: 'dyn' });
    expect((await h.engine.runOnce({ connector: 'sf' })).applied).toBe(1);
    const before = h.dyn.stats();
    const run = await h.engine.runOnce({ connector: 'dyn', pushOnly: true });
    const after = h.dyn.stats();
    expect(run).toMatchObject({ error: null, pulled: 0, pushed: 1 });
    // One $batch carrying the create; no change-tracking read.
    expect(after.apiRequests - before.apiRequests).toBe(1);
    expect(after.batchRequests - before.batchRequests).toBe(1);
    const { dynId } = await linkedIds(h, sfId!);
    expect(dynId).not.toBeNull();
    expect(h.dyn.get(dynId!)).toMatchObject({ name: sfOpportunity()['Name'] });

    // A later push run with nothing due costs no call at all.
    const idle = h.dyn.stats().apiRequests;
    expect(await h.engine.runOnce({ connector: 'dyn', pushOnly: true })).toMatchObject({ error: null, pulled: 0, pushed: 0 });
    expect(h.dyn.stats().apiRequests).toBe(idle);
  });
});
