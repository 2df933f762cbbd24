/** Links, cursors, conflicts, outbox, dead letters and runs. */
import type { Link } from '../../../src/store';
import { anOpportunityId, T0 } from '../../unit/core/builders';
import { minutesAfter, type StoreContext } from './harness';

const OPP = anOpportunityId('opp-1');
const aLink = (overrides: Partial<Link> = {}): Link => ({
  connector: 'sf',
  externalId: '006A',
  opportunityId: OPP,
  base: { dealName: 'Contoso', 'estimatedValue.amount': 10 },
  held: {},
  crmVersion: '2026-03-02T09:00:00.000Z',
  opportunityVersion: 1,
  syncedAt: T0.toISOString(),
  ...overrides,
});

export function syncTableTests(ctx: StoreContext): void {
  it('saves, updates, finds and deletes links; one link per connector and opportunity', async () => {
    await ctx.store.saveLink(aLink());
    expect(await ctx.store.getLink('sf', '006A')).toEqual(aLink());
    await ctx.store.saveLink(aLink({ base: { dealName: 'New' }, held: { stage: 'Closed Won' }, opportunityVersion: 3 }));
    expect(await ctx.store.getLinkByOpportunity('sf', OPP)).toMatchObject({ base: { dealName: 'New' }, held: { stage: 'Closed Won' }, opportunityVersion: 3 });
    await ctx.store.saveLink(aLink({ connector: 'dyn', externalId: 'guid-1' }));
    expect((await ctx.store.listLinks({ opportunityId: OPP })).map((l) => l.connector)).toEqual(['dyn', 'sf']);
    expect(await ctx.store.listLinks({ connector: 'dyn' })).toHaveLength(1);
    // Matched by message: under jest, a native driver's error class can come from another test file's realm.
    await expect(ctx.store.saveLink(aLink({ externalId: '006B' }))).rejects.toMatchObject({ message: expect.stringMatching(/unique|duplicate/i) });
    await ctx.store.deleteLink('sf', '006A');
    expect(await ctx.store.getLink('sf', '006A')).toBeNull();
  });

  it('sets the CRM version of a link and leaves its base as it was; a missing link is left missing', async () => {
    await ctx.store.saveLink(aLink({ crmVersion: null }));
    await ctx.store.setLinkVersion({ connector: 'sf', externalId: '006A', crmVersion: 'v2', syncedAt: minutesAfter(T0, 5).toISOString() });
    expect(await ctx.store.getLink('sf', '006A')).toEqual(aLink({ crmVersion: 'v2', syncedAt: minutesAfter(T0, 5).toISOString() }));
    await ctx.store.setLinkVersion({ connector: 'sf', externalId: '006A', crmVersion: null, syncedAt: T0.toISOString() });
    expect(await ctx.store.getLink('sf', '006A')).toEqual(aLink({ crmVersion: null }));
    await ctx.store.setLinkVersion({ connector: 'sf', externalId: '006Z', crmVersion: 'v1', syncedAt: T0.toISOString() });
    expect(await ctx.store.listLinks({ connector: 'sf' })).toHaveLength(1);
  });

  it('keeps one cursor per connector', async () => {
    expect(await ctx.store.getCursor('sf')).toBeNull();
    await ctx.store.setCursor('sf', 'c1', T0);
    await ctx.store.setCursor('sf', 'c2', minutesAfter(T0, 1));
    expect(await ctx.store.getCursor('sf')).toEqual({ connector: 'sf', cursor: 'c2', updatedAt: minutesAfter(T0, 1).toISOString() });
    await ctx.store.setCursor('sf', null, T0);
    expect((await ctx.store.getCursor('sf'))?.cursor).toBeNull();
  });

  it('records conflicts with base and both values, lists and resolves them', async () => {
    const conflict = await ctx.store.addConflict(
      { opportunityId: OPP, connector: 'sf', externalId: '006A', kind: 'field', field: 'estimatedValue.amount', base: 10, crmValue: 12, cosellValue: { n: 11 }, rule: 'manual', outcome: 'pending' },
      T0,
    );
    expect(conflict).toMatchObject({ status: 'pending', base: 10, crmValue: 12, cosellValue: { n: 11 }, resolvedAt: null });
    await ctx.store.addConflict({ opportunityId: OPP, connector: 'sf', externalId: null, kind: 'terminal', field: 'stage', base: null, crmValue: 'Open', cosellValue: 'won', rule: 'S1', outcome: 'flagged', status: 'resolved' }, T0);
    expect(await ctx.store.listConflicts({ status: 'pending' })).toHaveLength(1);
    const resolved = await ctx.store.resolveConflict(conflict.id, 'took-crm', minutesAfter(T0, 1));
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'took-crm', resolvedAt: minutesAfter(T0, 1).toISOString() });
    expect(await ctx.store.getConflict(conflict.id)).toEqual(resolved);
    expect(await ctx.store.listConflicts({ status: 'pending' })).toEqual([]);
    expect(await ctx.store.listConflicts({ opportunityId: OPP, connector: 'sf' })).toHaveLength(2);
    // By kind, for a batch of opportunities at once.
    expect((await ctx.store.listConflicts({ connector: 'sf', kind: 'terminal', opportunityIds: [OPP] })).map((c) => c.field)).toEqual(['stage']);
    expect(await ctx.store.listConflicts({ connector: 'sf', kind: 'terminal', opportunityIds: [] })).toEqual([]);
    expect(await ctx.store.listConflicts({ connector: 'sf', kind: 'deleted', opportunityIds: [OPP] })).toEqual([]);
    await expect(ctx.store.resolveConflict(9999, 'x', T0)).rejects.toThrow('not found');
  });

  it('coalesces outbox entries per connector and opportunity; a coalesced entry outlives the old id', async () => {
    await ctx.store.enqueueOutbox({ connector: 'sf', opportunityId: OPP, reason: 'created' }, T0);
    const [first] = await ctx.store.dueOutbox('sf', T0, 10);
    await ctx.store.enqueueOutbox({ connector: 'sf', opportunityId: OPP, reason: 'edit' }, minutesAfter(T0, 1));
    await ctx.store.enqueueOutbox({ connector: 'dyn', opportunityId: OPP, reason: 'edit' }, T0);
    expect(await ctx.store.countOutbox('sf')).toBe(1);
    expect(await ctx.store.countOutbox()).toBe(2);
    const [second] = await ctx.store.dueOutbox('sf', minutesAfter(T0, 1), 10);
    expect(second).toMatchObject({ reason: 'edit', createdAt: T0.toISOString(), attempts: 0 });
    expect(second?.id).not.toBe(first?.id);
    // The push that read the first entry completes it: the change queued since is still pending.
    await ctx.store.completeOutbox([first?.id ?? -1]);
    expect(await ctx.store.countOutbox('sf')).toBe(1);
    await ctx.store.retryOutboxLater(second?.id ?? -1, minutesAfter(T0, 10));
    expect(await ctx.store.dueOutbox('sf', minutesAfter(T0, 9), 10)).toEqual([]);
    expect(await ctx.store.dueOutbox('sf', minutesAfter(T0, 10), 10)).toEqual([expect.objectContaining({ attempts: 1 })]);
    await ctx.store.completeOutbox([second?.id ?? -1]);
    expect(await ctx.store.countOutbox('sf')).toBe(0);
  });

  it('keeps one open dead letter per record: adding again updates it; resolved ones stay apart', async () => {
    const entry = { connector: 'sf', direction: 'push' as const, externalId: '006A', opportunityId: OPP, reason: 'REQUIRED_FIELD_MISSING', code: 'validation', payload: { a: 1 } };
    const first = await ctx.store.addDeadLetter(entry, T0);
    const again = await ctx.store.addDeadLetter({ ...entry, reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' }, minutesAfter(T0, 1));
    expect(again).toMatchObject({ id: first.id, attempts: 2, reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', createdAt: T0.toISOString() });
    const pull = await ctx.store.addDeadLetter({ ...entry, direction: 'pull' }, T0);
    expect(pull.id).not.toBe(first.id);
    expect(await ctx.store.listDeadLetters({ connector: 'sf', unresolvedOnly: true })).toHaveLength(2);
    await ctx.store.resolveDeadLetter(first.id, minutesAfter(T0, 2));
    expect((await ctx.store.getDeadLetter(first.id))?.resolvedAt).toBe(minutesAfter(T0, 2).toISOString());
    const reopened = await ctx.store.addDeadLetter(entry, minutesAfter(T0, 3));
    expect(reopened.id).not.toBe(first.id);
    expect(reopened.attempts).toBe(1);
    expect(await ctx.store.resolveDeadLettersFor({ connector: 'sf', externalId: '006A' }, minutesAfter(T0, 4))).toBe(2);
    expect(await ctx.store.listDeadLetters({ unresolvedOnly: true })).toEqual([]);
    expect(await ctx.store.listDeadLetters({})).toHaveLength(3);
  });

  it('records runs and reports the latest per connector', async () => {
    await ctx.store.startRun({ runId: 'r1', connector: 'sf' }, T0);
    await ctx.store.finishRun({ runId: 'r1', connector: 'sf', status: 'ok', pulled: 3, applied: 2, pushed: 1, conflicts: 0, deadLetters: 0, apiCalls: 4, error: null }, minutesAfter(T0, 1));
    await ctx.store.startRun({ runId: 'r2', connector: 'sf' }, minutesAfter(T0, 5));
    await ctx.store.startRun({ runId: 'd1', connector: 'dyn' }, T0);
    const runs = await ctx.store.lastRuns();
    expect(runs.map((r) => [r.connector, r.runId, r.status])).toEqual([
      ['dyn', 'd1', 'running'],
      ['sf', 'r2', 'running'],
    ]);
    await ctx.store.finishRun({ runId: 'r2', connector: 'sf', status: 'failed', pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 1, apiCalls: 1, error: 'auth' }, minutesAfter(T0, 6));
    expect((await ctx.store.lastRuns()).find((r) => r.connector === 'sf')).toMatchObject({ status: 'failed', error: 'auth', deadLetters: 1, startedAt: minutesAfter(T0, 5).toISOString() });
  });
}
