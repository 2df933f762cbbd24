/**
 * Page transactions: the page's rows read up front, its writes held and sent as multi-row
 * statements at the end. Every read inside must see the writes made before it, a failure must
 * leave nothing, and the rows written must be those plain writes leave.
 */
import type { Link } from '../../../src/store';
import { anOpportunityId, anOutboundInput, T0 } from '../../unit/core/builders';
import { minutesAfter, type StoreContext } from './harness';

const ids = Array.from({ length: 3 }, (_, i) => anOpportunityId(`page-opp-${i}`));
const linkOf = (i: number, overrides: Partial<Link> = {}): Link => ({
  connector: 'sf', externalId: `006P${i}`, opportunityId: ids[i] ?? anOpportunityId(), base: { dealName: `Deal ${i}` }, held: {},
  crmVersion: 'v1', opportunityVersion: 1, syncedAt: T0.toISOString(), ...overrides,
});
const source = { kind: 'connector' as const, name: 'sf' };
const create = (i: number) => {
  const id = ids[i] ?? anOpportunityId();
  return { id, command: { kind: 'createOutbound' as const, id, input: anOutboundInput({ dealName: `Deal ${i}` }) }, source, now: T0 };
};
const keys = { connector: 'sf', externalIds: ids.map((_, i) => `006P${i}`), opportunityIds: ids };

export function pageBatchTests(ctx: StoreContext): void {
  it('reads inside a page see its held writes; after the commit the rows are the plain writes', async () => {
    await ctx.store.pageTransaction(keys, async (tx) => {
      expect(await tx.getLink('sf', '006P0')).toBeNull();
      expect(await tx.getOpportunity(ids[0]!)).toBeNull();
      const created = await tx.applyCommand(create(0));
      expect(created.version).toBe(1);
      expect((await tx.getOpportunity(ids[0]!))?.opportunity.dealName).toBe('Deal 0');
      // A command on the opportunity created in this page, before any of it reached the database.
      const won = await tx.applyCommand({ id: ids[0]!, command: { kind: 'win', dealRegistration: null }, source, now: minutesAfter(T0, 1), expectedVersion: 1 });
      expect(won.version).toBe(2);
      await expect(tx.applyCommand({ id: ids[0]!, command: { kind: 'lose', notes: null }, source, now: T0, expectedVersion: 1 })).rejects.toMatchObject({ name: 'StaleVersionError' });
      await expect(tx.applyCommand(create(0))).rejects.toThrow(/already exists/);
      await tx.saveLink(linkOf(0, { opportunityVersion: 2 }));
      expect(await tx.getLink('sf', '006P0')).toEqual(linkOf(0, { opportunityVersion: 2 }));
      expect((await tx.getLinkByOpportunity('sf', ids[0]!))?.externalId).toBe('006P0');
      await tx.enqueueOutbox({ connector: 'dyn', opportunityId: ids[0]!, reason: 'first' }, T0);
      await tx.enqueueOutbox({ connector: 'dyn', opportunityId: ids[0]!, reason: 'second' }, minutesAfter(T0, 5));
      // A read the page does not serve writes out what it holds first.
      expect((await tx.listEvents(ids[0]!)).map((e) => [e.kind, e.version])).toEqual([['created', 1], ['win', 2]]);
      expect((await tx.dueOutbox('dyn', minutesAfter(T0, 10), 10)).map((e) => [e.reason, e.createdAt])).toEqual([['second', T0.toISOString()]]);
      expect(await tx.resolveDeadLettersFor({ connector: 'sf', externalId: '006P0' }, T0)).toBe(0);
    });
    const stored = await ctx.store.getOpportunity(ids[0]!);
    expect(stored).toMatchObject({ version: 2, opportunity: { stage: 'won', dealName: 'Deal 0' } });
    expect(await ctx.store.getLink('sf', '006P0')).toEqual(linkOf(0, { opportunityVersion: 2 }));
    expect((await ctx.store.eventsSince(0, 10)).map((e) => e.opportunityId)).toEqual([ids[0], ids[0]]);
    expect(await ctx.store.countOutbox('dyn')).toBe(1);
  });

  it('a version set in a page is served at once, written at the end without the base, and lost to a later whole save', async () => {
    await ctx.store.applyCommand(create(0));
    await ctx.store.applyCommand(create(1));
    await ctx.store.saveLink(linkOf(0));
    await ctx.store.saveLink(linkOf(1));
    const later = minutesAfter(T0, 3).toISOString();
    await ctx.store.pageTransaction(keys, async (tx) => {
      await tx.setLinkVersion({ connector: 'sf', externalId: '006P0', crmVersion: 'v2', syncedAt: later });
      expect(await tx.getLink('sf', '006P0')).toEqual(linkOf(0, { crmVersion: 'v2', syncedAt: later }));
      await tx.setLinkVersion({ connector: 'sf', externalId: '006P1', crmVersion: 'v2', syncedAt: later });
      await tx.saveLink(linkOf(1, { base: { dealName: 'Renamed' }, crmVersion: 'v3' }));
      // A link the page did not read: written at once.
      await tx.setLinkVersion({ connector: 'sf', externalId: '006P9', crmVersion: 'v2', syncedAt: later });
    });
    expect(await ctx.store.getLink('sf', '006P0')).toEqual(linkOf(0, { crmVersion: 'v2', syncedAt: later }));
    expect(await ctx.store.getLink('sf', '006P1')).toEqual(linkOf(1, { base: { dealName: 'Renamed' }, crmVersion: 'v3' }));
    expect(await ctx.store.getLink('sf', '006P9')).toBeNull();
  });

  it('a page that throws leaves nothing, held or written', async () => {
    await expect(ctx.store.pageTransaction(keys, async (tx) => {
      await tx.applyCommand(create(1));
      await tx.saveLink(linkOf(1));
      await tx.setCursor('sf', 'page-1', T0);
      throw new Error('the page fails');
    })).rejects.toThrow('the page fails');
    expect(await ctx.store.getOpportunity(ids[1]!)).toBeNull();
    expect(await ctx.store.getLink('sf', '006P1')).toBeNull();
    expect(await ctx.store.getCursor('sf')).toBeNull();
  });

  it('many records in one page: every row written, held writes coalesced, open dead letters still resolved', async () => {
    const many = Array.from({ length: 1203 }, (_, i) => anOpportunityId(`bulk-${i}`));
    await ctx.store.addDeadLetter({ connector: 'sf', direction: 'pull', externalId: 'X7', opportunityId: null, reason: 'bad amount', code: 'mapping', payload: null }, T0);
    await ctx.store.pageTransaction({ connector: 'sf', externalIds: many.map((_, i) => `X${i}`), opportunityIds: many }, async (tx) => {
      for (const [i, id] of many.entries()) {
        await tx.applyCommand({ id, command: { kind: 'createOutbound', id, input: anOutboundInput({ dealName: `Bulk ${i}` }) }, source, now: T0 });
        await tx.saveLink({ ...linkOf(0), externalId: `X${i}`, opportunityId: id });
        await tx.saveLink({ ...linkOf(0), externalId: `X${i}`, opportunityId: id, crmVersion: 'v2' });
        await tx.enqueueOutbox({ connector: 'dyn', opportunityId: id, reason: 'created' }, T0);
        await tx.resolveDeadLettersFor({ connector: 'sf', externalId: `X${i}` }, T0);
      }
    });
    const links = await ctx.store.listLinks({ connector: 'sf' });
    expect(links).toHaveLength(1203);
    expect(new Set(links.map((l) => l.crmVersion))).toEqual(new Set(['v2']));
    expect(await ctx.store.countOutbox('dyn')).toBe(1203);
    expect((await ctx.store.getOpportunities([many[0]!, many[1202]!])).map((s) => s.opportunity.dealName)).toEqual(['Bulk 0', 'Bulk 1202']);
    expect(await ctx.store.listDeadLetters({ connector: 'sf', unresolvedOnly: true })).toEqual([]);
  });
}
