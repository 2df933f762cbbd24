/**
 * maxLength applied both ways, end to end (simulators over real HTTP, real SQLite store): a text
 * longer than the mapping allows is never sent to the CRM nor taken from it; it waits as a dead
 * letter naming the field and both lengths, and the rest of the batch syncs.
 */
import { asOpportunityId } from '../../../src/core/model';
import { readCrmFacts } from '../../../src/mapping/crm-facts';
import { sampleDynamicsRow } from '../../../src/sandbox/seed-data';
import { anOutboundInput } from '../../unit/core/builders';
import { startSyncHarness, type SyncHarness } from './harness';

const user = { kind: 'user' as const, name: 'test' };

describe('maxLength both ways', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('a 100 kB deal name is not sent to Salesforce: a push dead letter names dealName, Name and the lengths', async () => {
    h = await startSyncHarness({ dynamics: false });
    const long = asOpportunityId('deal-long');
    const fine = asOpportunityId('deal-fine');
    await h.store.applyCommand({ id: long, command: { kind: 'createOutbound', id: long, input: anOutboundInput({ dealName: 'n'.repeat(100_000) }) }, source: user, now: h.clock.now() });
    await h.store.applyCommand({ id: fine, command: { kind: 'createOutbound', id: fine, input: anOutboundInput() }, source: user, now: h.clock.now() });
    await h.syncAll();
    expect(await h.store.getLinkByOpportunity('sf', long)).toBeNull();
    expect(await h.store.getLinkByOpportunity('sf', fine)).not.toBeNull();
    const letters = await h.store.listDeadLetters({ unresolvedOnly: true });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ direction: 'push', opportunityId: 'deal-long', code: 'mapping' });
    expect(letters[0]!.reason).toBe("dealName: text of 100000 characters cannot be written to Name: the mapping's maxLength for it is 120");
    // Nothing lost on the co-sell side.
    expect((await h.store.getOpportunity(long))!.opportunity.dealName).toHaveLength(100_000);
  });

  it('a 20 kB Dynamics description (mapping: 2000) is not taken into co-sell, and 20 kB notes are not written to Dynamics', async () => {
    h = await startSyncHarness();
    const [rowId] = h.dyn.seed([{ ...sampleDynamicsRow(1, h.dyn.currencies), description: 'd'.repeat(20_000) }]);
    const notes = asOpportunityId('deal-notes');
    await h.store.applyCommand({ id: notes, command: { kind: 'createOutbound', id: notes, input: anOutboundInput({ notes: 'x'.repeat(20_000) }) }, source: user, now: h.clock.now() });
    await h.syncAll();
    expect(await h.store.getLink('dyn', rowId!)).toBeNull();
    const letters = await h.store.listDeadLetters({ connector: 'dyn', unresolvedOnly: true });
    const pull = letters.find((l) => l.direction === 'pull');
    expect(pull).toMatchObject({ externalId: rowId, code: 'mapping' });
    expect(pull!.reason).toBe("text of 20000 characters read from description is too long: the mapping's maxLength for it is 2000");
    const push = letters.find((l) => l.direction === 'push');
    expect(push).toMatchObject({ opportunityId: 'deal-notes', code: 'mapping' });
    expect(push!.reason).toBe("notes: text of 20000 characters cannot be written to description: the mapping's maxLength for it is 2000");
    // Salesforce's Description holds 32,000: the same deal reached it.
    const sfLink = await h.store.getLinkByOpportunity('sf', notes);
    expect(h.sf.get(sfLink!.externalId)).toMatchObject({ Description: 'x'.repeat(20_000) });
  });
});

describe('exchange rates from the CRM currency table', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('Dynamics gives transactioncurrency exchangerate; a single-currency Salesforce org has no CurrencyType', async () => {
    h = await startSyncHarness();
    const [sf, dyn] = h.instances;
    const dynFacts = await readCrmFacts(dyn!.connector, await dyn!.connector.describe());
    expect(dynFacts.rates).toEqual({ base: 'USD', rates: { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151.2, CAD: 1.36 } });
    expect(dynFacts.scales.get('estimatedvalue')).toBe(2);
    const sfFacts = await readCrmFacts(sf!.connector, await sf!.connector.describe());
    expect(sfFacts.rates).toBeNull();
    expect(sfFacts.scales.get('amount')).toBe(2);
  });
});
