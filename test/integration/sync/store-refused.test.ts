/**
 * The second line of defence: with the value check switched off, a value PostgreSQL refuses (NUL)
 * reaches the database; the page is replayed record by record and only that record is dead-lettered.
 */
import { sfOpportunity, startSyncHarness } from './harness';

// Real HTTP and real SQL on a shared, loaded runner: jest's 5 s default is too short.
jest.setTimeout(60_000);

jest.mock('../../../src/sync/holdable', () => ({
  ...jest.requireActual<typeof import('../../../src/sync/holdable')>('../../../src/sync/holdable'),
  unholdableField: () => null,
}));

it('PostgreSQL: a record the store refuses is a dead letter; the rest of the page and the cursor go on', async () => {
  const h = await startSyncHarness({ store: 'postgres', dynamics: false });
  try {
    const [good1, bad, good2] = h.sf.seed([sfOpportunity({ Name: 'first' }), sfOpportunity({ Name: 'NUL\u0000inside' }), sfOpportunity({ Name: 'last' })]);
    const summary = await h.engine.runOnce({ connector: 'sf' });
    expect(summary).toMatchObject({ error: null, pulled: 3, applied: 2, deadLetters: 1 });
    expect(await h.store.getLink('sf', good1!)).not.toBeNull();
    expect(await h.store.getLink('sf', good2!)).not.toBeNull();
    expect(await h.store.getLink('sf', bad!)).toBeNull();
    const [letter] = await h.store.listDeadLetters({ unresolvedOnly: true });
    expect(letter).toMatchObject({ externalId: bad, code: 'store-refused', direction: 'pull' });
    expect(letter!.reason).toContain('the store refused a value of this record: invalid byte sequence for encoding "UTF8": 0x00');
    expect((await h.store.getCursor('sf'))?.cursor).not.toBeNull();
    // The next pass is not stuck on the bad record: it runs clean, and the letter stays one.
    expect(await h.engine.runOnce({ connector: 'sf' })).toMatchObject({ error: null, applied: 0 });
    expect(await h.store.listDeadLetters({ unresolvedOnly: true })).toHaveLength(1);
  } finally {
    await h.close();
  }
});
