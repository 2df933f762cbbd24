/** Optimistic concurrency across store instances (separate connections), transactions and leases. */
import { StaleVersionError } from '../../../src/errors';
import type { StateStore } from '../../../src/store';
import { aTeamMember, anOpportunityId, anOutboundInput, T0 } from '../../unit/core/builders';
import { createOutbound, USER, type StoreContext } from './harness';

const WRITERS = 10;

/** Read, add one team member, write with expectedVersion; on a stale write re-read and retry. */
async function addMember(store: StateStore, index: number): Promise<number> {
  const id = anOpportunityId('opp-1');
  const member = aTeamMember({ name: `Member ${index}`, email: `m${index}@partner.test` });
  for (let attempt = 1; ; attempt += 1) {
    const current = await store.getOpportunity(id);
    if (current === null) throw new Error('opportunity vanished');
    try {
      await store.applyCommand({
        id,
        command: { kind: 'edit', changes: { team: [...current.opportunity.team, member] } },
        source: USER,
        now: T0,
        expectedVersion: current.version,
      });
      return attempt;
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
    }
  }
}

export function concurrencyTests(ctx: StoreContext): void {
  it('two writers that loaded the same version: exactly one wins, the other gets StaleVersionError', async () => {
    const other = await ctx.open();
    const id = anOpportunityId('opp-1');
    await createOutbound(ctx.store, 'opp-1');
    const [a, b] = await Promise.all([ctx.store.getOpportunity(id), other.getOpportunity(id)]);
    expect([a?.version, b?.version]).toEqual([1, 1]);
    const results = await Promise.allSettled([
      ctx.store.applyCommand({ id, command: { kind: 'edit', changes: { notes: 'from a' } }, source: USER, now: T0, expectedVersion: 1 }),
      other.applyCommand({ id, command: { kind: 'edit', changes: { notes: 'from b' } }, source: USER, now: T0, expectedVersion: 1 }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(StaleVersionError);
    const stored = await ctx.store.getOpportunity(id);
    expect(stored?.version).toBe(2);
    expect(await ctx.store.listEvents(id)).toHaveLength(2);
  });

  it(`${WRITERS} concurrent writers on one record through separate connections: no lost update, contiguous versions`, async () => {
    const stores = [ctx.store, await ctx.open(), await ctx.open()];
    const id = anOpportunityId('opp-1');
    const start = await createOutbound(ctx.store, 'opp-1');
    const attempts = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => addMember(stores[i % stores.length] as StateStore, i)),
    );
    expect(attempts.every((n) => n >= 1)).toBe(true);
    const stored = await ctx.store.getOpportunity(id);
    expect(stored?.version).toBe(1 + WRITERS);
    const names = stored?.opportunity.team.map((m) => m.name) ?? [];
    expect(names).toHaveLength(start.opportunity.team.length + WRITERS);
    for (let i = 0; i < WRITERS; i += 1) expect(names).toContain(`Member ${i}`);
    const events = await ctx.store.listEvents(id);
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: WRITERS + 1 }, (_, i) => i + 1));
    // Each event's before is the previous event's after: no write was based on a lost state.
    events.slice(1).forEach((event, i) => expect(event.before).toEqual(events[i]?.after));
  });

  it('rolls back everything written inside a failing transaction', async () => {
    const id = anOpportunityId('opp-tx');
    const rolledBack = ctx.store.transaction(async (tx) => {
      const created = await tx.applyCommand({
        id,
        command: { kind: 'createOutbound', id, input: anOutboundInput() },
        source: USER,
        now: T0,
      });
      await tx.saveLink({ connector: 'sf', externalId: '006A', opportunityId: id, base: {}, held: {}, crmVersion: null, opportunityVersion: 1, syncedAt: T0.toISOString() });
      await tx.enqueueOutbox({ connector: 'sf', opportunityId: id, reason: 'created' }, T0);
      await tx.setCursor('sf', 'c1', T0);
      expect((await tx.getOpportunity(id))?.version).toBe(created.version);
      throw new Error('after writes');
    });
    await expect(rolledBack).rejects.toThrow('after writes');
    expect(await ctx.store.getOpportunity(id)).toBeNull();
    expect(await ctx.store.listEvents(id)).toEqual([]);
    expect(await ctx.store.getLink('sf', '006A')).toBeNull();
    expect(await ctx.store.countOutbox()).toBe(0);
    expect(await ctx.store.getCursor('sf')).toBeNull();
  });

  it('commits a transaction as a whole', async () => {
    const id = anOpportunityId('opp-tx');
    const result = await ctx.store.transaction(async (tx) => {
      await tx.setCursor('sf', 'c1', T0);
      await tx.enqueueOutbox({ connector: 'sf', opportunityId: id, reason: 'edit' }, T0);
      return 'done';
    });
    expect(result).toBe('done');
    expect((await ctx.store.getCursor('sf'))?.cursor).toBe('c1');
    expect(await ctx.store.countOutbox('sf')).toBe(1);
  });

  it('withLease: one holder at a time across store instances, free again afterwards', async () => {
    const other = await ctx.open();
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = ctx.store.withLease('connector:sf', async () => {
      entered();
      await held;
      return 'first';
    });
    await inside;
    expect(await other.withLease('connector:sf', async () => 'second')).toBeNull();
    expect(await ctx.store.withLease('connector:sf', async () => 'again')).toBeNull();
    expect(await other.withLease('connector:dyn', async () => 'other name')).toBe('other name');
    release();
    expect(await first).toBe('first');
    expect(await other.withLease('connector:sf', async () => 'second')).toBe('second');
  });
}
