/** Views, filters, keyset paging, and the R13 expiry sweep. */
import { DAY_MS, EXPIRY_WINDOW_DAYS, ManualClock } from '../../../src/core';
import { StaleVersionError } from '../../../src/errors';
import type { Logger } from '../../../src/log';
import { runExpirySweep, type StateStore, type StoredOpportunity } from '../../../src/store';
import { anOpportunityId, T0 } from '../../unit/core/builders';
import { apply, createOutbound, ids, minutesAfter, receiveInbound, type StoreContext } from './harness';

/** Two open outbound, two received inbound, one declined, one won, one accepted inbound; one lost favorite. */
async function seed(ctx: StoreContext): Promise<void> {
  const { store } = ctx;
  await createOutbound(store, 'out-1', minutesAfter(T0, 1), 'Fabrikam 100% cloud_move');
  await createOutbound(store, 'out-2', minutesAfter(T0, 2), 'Northwind upgrade');
  await receiveInbound(store, 'in-1', minutesAfter(T0, 3));
  await receiveInbound(store, 'in-2', minutesAfter(T0, 4));
  await receiveInbound(store, 'in-declined', minutesAfter(T0, 5));
  await apply(store, anOpportunityId('in-declined'), { kind: 'decline', reason: 'Not our market', notes: null }, minutesAfter(T0, 6));
  await createOutbound(store, 'out-won', minutesAfter(T0, 7));
  await apply(store, anOpportunityId('out-won'), { kind: 'win', dealRegistration: null }, minutesAfter(T0, 8));
  await createOutbound(store, 'out-lost', minutesAfter(T0, 9));
  await apply(store, anOpportunityId('out-lost'), { kind: 'lose', notes: null }, minutesAfter(T0, 10));
  await apply(store, anOpportunityId('out-lost'), { kind: 'favorite' }, minutesAfter(T0, 11));
  await apply(store, anOpportunityId('out-1'), { kind: 'favorite' }, minutesAfter(T0, 12));
}

async function listAll(ctx: StoreContext, filter: Parameters<StoreContext['store']['listOpportunities']>[0]): Promise<string[]> {
  return ids((await ctx.store.listOpportunities({ ...filter, limit: 100 })).items);
}

export function viewTests(ctx: StoreContext): void {
  it('serves the inbound, outbound, favorites, archived, active and all views', async () => {
    await seed(ctx);
    expect(await listAll(ctx, { view: 'inbound' })).toEqual(['in-1', 'in-2']);
    expect(await listAll(ctx, { view: 'outbound' })).toEqual(['out-1', 'out-2']);
    expect(await listAll(ctx, { view: 'favorites' })).toEqual(['out-1', 'out-lost']);
    expect(await listAll(ctx, { view: 'archived' })).toEqual(['in-declined', 'out-lost', 'out-won']);
    expect(await listAll(ctx, { view: 'active' })).toEqual(['in-1', 'in-2', 'out-1', 'out-2']);
    expect(await listAll(ctx, { view: 'all' })).toHaveLength(7);
    expect(await listAll(ctx, {})).toHaveLength(7);
  });

  it('filters by stage, type, direction and case-insensitive search (wildcards literal)', async () => {
    await seed(ctx);
    expect(await listAll(ctx, { stage: ['won', 'declined'] })).toEqual(['in-declined', 'out-won']);
    expect(await listAll(ctx, { stage: [] })).toEqual([]);
    expect(await listAll(ctx, { type: ['co-sell'] })).toEqual(['in-1', 'in-2', 'in-declined']);
    expect(await listAll(ctx, { direction: 'outbound', view: 'archived' })).toEqual(['out-lost', 'out-won']);
    expect(await listAll(ctx, { search: 'NORTHWIND' })).toEqual(['out-2']);
    expect(await listAll(ctx, { search: '100% cloud' })).toEqual(['out-1']);
    expect(await listAll(ctx, { search: 'cloud_move' })).toEqual(['out-1']);
    expect(await listAll(ctx, { search: '%cloud' })).toEqual([]);
    expect(await listAll(ctx, { search: 'northwind_upgrade' })).toEqual([]);
    expect((await listAll(ctx, { search: 'contoso' })).length).toBeGreaterThan(1);
  });

  it('pages with a keyset cursor: no duplicates or misses while rows are inserted', async () => {
    for (let i = 0; i < 7; i += 1) await createOutbound(ctx.store, `p-${i}`, minutesAfter(T0, i));
    const seen: StoredOpportunity[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await ctx.store.listOpportunities({ view: 'all', limit: 3, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
      // A row created while the client pages lands after the cursor and is seen exactly once.
      if (pages < 2) await createOutbound(ctx.store, `late-${pages}`, minutesAfter(T0, 100 + pages));
      pages += 1;
    } while (cursor !== null);
    const seenIds = seen.map((s) => s.opportunity.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect(seenIds.sort()).toEqual([...Array.from({ length: 7 }, (_, i) => `p-${i}`), 'late-0', 'late-1'].sort());
    await expect(ctx.store.listOpportunities({ cursor: 'not-a-cursor' })).rejects.toThrow('invalid page cursor');
  });

  it(`R13: the expiry sweep expires referrals received ${EXPIRY_WINDOW_DAYS} days ago, on an injected clock`, async () => {
    await receiveInbound(ctx.store, 'old', T0);
    await receiveInbound(ctx.store, 'young', new Date(T0.getTime() + 5 * DAY_MS));
    await receiveInbound(ctx.store, 'accepted', T0);
    await apply(ctx.store, anOpportunityId('accepted'), { kind: 'accept', dealName: 'Taken', changes: {} });
    const clock = new ManualClock(new Date(T0.getTime() + EXPIRY_WINDOW_DAYS * DAY_MS - 1));
    expect(await ctx.store.findExpiryDue(clock.now())).toEqual([]);
    expect(await runExpirySweep(ctx.store, clock)).toEqual({ expired: [] });
    clock.advance(1);
    expect(await ctx.store.findExpiryDue(clock.now())).toEqual(['old']);
    expect(await runExpirySweep(ctx.store, clock)).toEqual({ expired: ['old'] });
    const old = await ctx.store.getOpportunity(anOpportunityId('old'));
    expect(old).toMatchObject({ version: 2, opportunity: { stage: 'expired' } });
    const events = await ctx.store.listEvents(anOpportunityId('old'));
    expect(events[1]).toMatchObject({ kind: 'expire', source: { kind: 'system', name: 'expiry-sweep' } });
    expect((await ctx.store.getOpportunity(anOpportunityId('young')))?.opportunity.stage).toBe('received');
    expect((await runExpirySweep(ctx.store, clock)).expired).toEqual([]);
    clock.advance(5 * DAY_MS);
    expect((await runExpirySweep(ctx.store, clock)).expired).toEqual(['young']);
  });

  it('R13: the expiry sweep logs and skips an opportunity whose write is refused, and expires the rest', async () => {
    await receiveInbound(ctx.store, 'raced', T0);
    await receiveInbound(ctx.store, 'plain', T0);
    const real = ctx.store;
    // A store whose write for `raced` meets a concurrent change, as another worker would cause.
    const racing: StateStore = Object.create(real, {
      applyCommand: {
        value: async (params: Parameters<StateStore['applyCommand']>[0]) => {
          if (params.id === 'raced') throw new StaleVersionError({ entity: 'opportunity', id: params.id, expected: 1, actual: 2 });
          return real.applyCommand(params);
        },
      },
    }) as StateStore;
    const warnings: Array<Record<string, unknown> | undefined> = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_message, meta) => warnings.push(meta),
      error: () => undefined,
      child: () => logger,
    };
    const clock = new ManualClock(new Date(T0.getTime() + EXPIRY_WINDOW_DAYS * DAY_MS));
    expect(await runExpirySweep(racing, clock, logger)).toEqual({ expired: ['plain'] });
    expect(warnings).toEqual([expect.objectContaining({ opportunityId: 'raced' })]);
    expect((await real.getOpportunity(anOpportunityId('raced')))?.opportunity.stage).toBe('received');
    expect((await runExpirySweep(real, clock)).expired).toEqual(['raced']);
  });
}
