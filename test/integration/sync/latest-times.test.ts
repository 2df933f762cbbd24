/**
 * Owner `latest` on real modification times (architecture.md, sync protocol 2 and 6): the CRM
 * record's last-modified time (Dataverse modifiedon) against the time the co-sell field itself last
 * changed in the event log, never the record's version token (a Dataverse versionnumber is digits).
 */
import { asOpportunityId } from '../../../src/core/model';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };
const DAY = 24 * 3600 * 1000;

describe('owner latest compares modification times', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  async function linkedDeal(): Promise<{ opportunityId: string; dynId: string }> {
    h = await startSyncHarness({ owners: { notes: 'latest' }, dynamicsOnHarnessClock: true });
    const [sfId] = h.sf.seed([sfOpportunity()]);
    await h.syncAll();
    await h.syncAll();
    const { opportunityId, dynId } = await linkedIds(h, sfId!);
    if (dynId === null) throw new Error('the deal did not reach Dynamics');
    return { opportunityId, dynId };
  }

  const editNotes = (opportunityId: string, notes: string) =>
    h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { notes } }, source: user, now: h.clock.now() });
  const syncDynamics = async () => {
    const summary = await h.engine.runOnce({ connector: 'dyn' });
    if (summary.error) throw new Error(summary.error);
  };
  const notesOf = async (opportunityId: string) => (await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity.notes;

  it('Dynamics: a CRM edit made a day after the co-sell edit wins (its version number is not read as a date)', async () => {
    const { opportunityId, dynId } = await linkedDeal();
    await editNotes(opportunityId, 'co-sell note');
    h.clock.advance(DAY);
    h.dyn.update(dynId, { description: 'crm note, a day later' });
    expect(typeof h.dyn.get(dynId)?.versionnumber).toBe('number');
    await syncDynamics();
    expect(await notesOf(opportunityId)).toBe('crm note, a day later');
    const [conflict] = await h.store.listConflicts({ connector: 'dyn' });
    expect(conflict).toMatchObject({ field: 'notes', rule: 'latest', outcome: 'took-crm', crmValue: 'crm note, a day later', cosellValue: 'co-sell note' });
  });

  it('Dynamics: a co-sell edit made a day after the CRM edit wins and is written to the CRM', async () => {
    const { opportunityId, dynId } = await linkedDeal();
    h.dyn.update(dynId, { description: 'crm note' });
    h.clock.advance(DAY);
    await editNotes(opportunityId, 'co-sell note, a day later');
    await syncDynamics();
    await syncDynamics();
    expect(await notesOf(opportunityId)).toBe('co-sell note, a day later');
    expect(h.dyn.get(dynId)).toMatchObject({ description: 'co-sell note, a day later' });
    const [conflict] = await h.store.listConflicts({ connector: 'dyn' });
    expect(conflict).toMatchObject({ field: 'notes', rule: 'latest', outcome: 'kept-cosell' });
  });

  it('the co-sell time is the field`s own: a later co-sell edit of another field does not make an older note newer', async () => {
    const { opportunityId, dynId } = await linkedDeal();
    await editNotes(opportunityId, 'co-sell note');
    h.clock.advance(DAY);
    h.dyn.update(dynId, { description: 'crm note' });
    h.clock.advance(DAY);
    await h.store.applyCommand({ id: asOpportunityId(opportunityId), command: { kind: 'edit', changes: { estimatedCloseDate: '2026-09-30' } }, source: user, now: h.clock.now() });
    await syncDynamics();
    expect(await notesOf(opportunityId)).toBe('crm note');
  });
});
