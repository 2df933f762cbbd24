/** Opportunities through the store: round trip, events, versions, refusals (R16). */
import { RuleViolation, type Command } from '../../../src/core';
import { StaleVersionError, StateError } from '../../../src/errors';
import { anOpportunityId, oneOfEachCommand, T0 } from '../../unit/core/builders';
import { apply, createOutbound, minutesAfter, receiveInbound, USER, type StoreContext } from './harness';

export function opportunityTests(ctx: StoreContext): void {
  it('creates, reads back and logs a created event with source and after', async () => {
    const created = await receiveInbound(ctx.store, 'opp-1');
    expect(created.version).toBe(1);
    const read = await ctx.store.getOpportunity(anOpportunityId('opp-1'));
    expect(read?.version).toBe(1);
    expect(read?.opportunity).toEqual(created.opportunity);
    expect(read?.opportunity.stage).toBe('received');
    const [event, ...rest] = await ctx.store.listEvents(anOpportunityId('opp-1'));
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({ version: 1, kind: 'created', source: USER, at: T0.toISOString(), before: null });
    expect(event?.after).toEqual(created.opportunity);
    expect(event?.details).toEqual({ events: ['received'] });
    expect(await ctx.store.getOpportunity(anOpportunityId('missing'))).toBeNull();
  });

  it('applies a command: version + 1, one event with before and after, caller details kept', async () => {
    const id = anOpportunityId('opp-1');
    await receiveInbound(ctx.store, 'opp-1');
    const accepted = await ctx.store.applyCommand({
      id,
      command: { kind: 'accept', dealName: 'Contoso demo', changes: {} },
      source: { kind: 'connector', name: 'sf-main' },
      now: minutesAfter(T0, 5),
      details: { externalId: '006A' },
    });
    expect(accepted.version).toBe(2);
    expect(accepted.opportunity.stage).toBe('accepted');
    const events = await ctx.store.listEvents(id);
    expect(events.map((e) => [e.version, e.kind])).toEqual([
      [1, 'created'],
      [2, 'accept'],
    ]);
    expect(events[1]?.before?.stage).toBe('received');
    expect(events[1]?.after.stage).toBe('accepted');
    expect(events[1]?.source).toEqual({ kind: 'connector', name: 'sf-main' });
    expect(events[1]?.details).toEqual({ externalId: '006A', events: ['accepted'] });
    expect((await ctx.store.getOpportunities([id, anOpportunityId('nope')])).map((s) => s.version)).toEqual([2]);
  });

  it('refuses a write naming a stale expectedVersion, writing nothing', async () => {
    const id = anOpportunityId('opp-1');
    await createOutbound(ctx.store, 'opp-1');
    await apply(ctx.store, id, { kind: 'edit', changes: { notes: 'first' } });
    const attempt = ctx.store.applyCommand({ id, command: { kind: 'edit', changes: { notes: 'late' } }, source: USER, now: T0, expectedVersion: 1 });
    await expect(attempt).rejects.toBeInstanceOf(StaleVersionError);
    await expect(attempt).rejects.toMatchObject({ expected: 1, actual: 2, code: 'stale_version' });
    const stored = await ctx.store.getOpportunity(id);
    expect(stored?.version).toBe(2);
    expect(stored?.opportunity.notes).toBe('first');
    expect(await ctx.store.listEvents(id)).toHaveLength(2);
  });

  it('refuses a duplicate create and a command on a missing opportunity with StateError', async () => {
    await createOutbound(ctx.store, 'opp-1');
    await expect(createOutbound(ctx.store, 'opp-1')).rejects.toBeInstanceOf(StateError);
    await expect(apply(ctx.store, anOpportunityId('ghost'), { kind: 'favorite' })).rejects.toBeInstanceOf(StateError);
    expect(await ctx.store.listEvents(anOpportunityId('opp-1'))).toHaveLength(1);
  });

  it('re-throws a RuleViolation from the core unchanged and writes nothing (R12)', async () => {
    const id = anOpportunityId('opp-1');
    await receiveInbound(ctx.store, 'opp-1');
    const attempt = apply(ctx.store, id, { kind: 'edit', changes: { notes: 'too early' } });
    await expect(attempt).rejects.toBeInstanceOf(RuleViolation);
    await expect(attempt).rejects.toMatchObject({ rule: 'R12' });
    expect((await ctx.store.getOpportunity(id))?.version).toBe(1);
    expect(await ctx.store.listEvents(id)).toHaveLength(1);
  });

  it('R16: a terminal opportunity refuses every change through the store; favorite still toggles', async () => {
    const id = anOpportunityId('opp-1');
    await createOutbound(ctx.store, 'opp-1');
    await apply(ctx.store, id, { kind: 'lose', notes: null });
    const changes = oneOfEachCommand().filter(
      (c: Command) => !['createOutbound', 'receiveInbound', 'favorite', 'unfavorite'].includes(c.kind),
    );
    for (const command of changes) {
      const attempt = apply(ctx.store, id, command);
      await expect(attempt).rejects.toBeInstanceOf(RuleViolation);
      // registerDeal is R17's (only a won deal takes it); everything else is R16's refusal.
      await expect(attempt).rejects.toMatchObject({ rule: command.kind === 'registerDeal' ? 'R17' : 'R16' });
    }
    expect((await ctx.store.getOpportunity(id))?.version).toBe(2);
    const favored = await apply(ctx.store, id, { kind: 'favorite' });
    expect(favored).toMatchObject({ version: 3, opportunity: { stage: 'lost', favorite: true } });
    const again = await apply(ctx.store, id, { kind: 'favorite' });
    expect(again.version).toBe(3);
    const unfavored = await apply(ctx.store, id, { kind: 'unfavorite' });
    expect(unfavored).toMatchObject({ version: 4, opportunity: { stage: 'lost', favorite: false } });
    expect((await ctx.store.listEvents(id)).map((e) => e.kind)).toEqual(['created', 'lose', 'favorite', 'unfavorite']);
  });

  it('feeds events in seq order through eventsSince', async () => {
    await createOutbound(ctx.store, 'opp-1');
    await receiveInbound(ctx.store, 'opp-2');
    await apply(ctx.store, anOpportunityId('opp-1'), { kind: 'favorite' });
    const all = await ctx.store.eventsSince(0, 10);
    expect(all.map((e) => e.opportunityId)).toEqual(['opp-1', 'opp-2', 'opp-1']);
    expect(all[0]?.source).toEqual(USER);
    const first = all[0]?.seq ?? -1;
    const rest = await ctx.store.eventsSince(first, 1);
    expect(rest.map((e) => e.opportunityId)).toEqual(['opp-2']);
  });
}
