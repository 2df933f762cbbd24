/**
 * Money the CRM can hold, end to end (Salesforce simulator over real HTTP, real SQLite store): a
 * deal in another currency than a single-currency org's is converted or refused, never relabelled;
 * an amount the org rounds to its field's scale reads back as our own write, not as an edit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asOpportunityId, type Money } from '../../../src/core/model';
import type { CompiledMapping } from '../../../src/mapping/compile';
import { readCrmFacts } from '../../../src/mapping/crm-facts';
import { loadMapping } from '../../../src/mapping/load';
import { anOutboundInput } from '../../unit/core/builders';
import { startSyncHarness, type SyncHarness } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
const user = { kind: 'user' as const, name: 'test' };

/** The shipped Salesforce mapping as a single-currency (USD) org would have it. */
function singleCurrencyMapping(dir: string, rates: string): CompiledMapping {
  const shipped = readFileSync(path.join(ROOT, 'config/mappings/salesforce.yaml'), 'utf8');
  const text = shipped.replace(/ {4}currency: CurrencyIsoCode\n {4}currencies: \[[^\]]*\]\n/, `    fixedCurrency: USD\n${rates}`);
  expect(text).not.toBe(shipped);
  const file = path.join(dir, 'salesforce-usd.yaml');
  writeFileSync(file, text);
  return loadMapping(file);
}

async function withFacts(h: SyncHarness, mapping: CompiledMapping): Promise<void> {
  const sf = h.instances[0]!;
  sf.mapping = mapping.withCrmFacts(await readCrmFacts(sf.connector, await sf.connector.describe()));
}

async function createDeal(h: SyncHarness, id: string, estimatedValue: Money): Promise<void> {
  const oid = asOpportunityId(id);
  await h.store.applyCommand({ id: oid, command: { kind: 'createOutbound', id: oid, input: anOutboundInput({ estimatedValue }) }, source: user, now: h.clock.now() });
}

async function valueOf(h: SyncHarness, id: string): Promise<{ money: Money; version: number }> {
  const stored = await h.store.getOpportunity(asOpportunityId(id));
  return { money: stored!.opportunity.estimatedValue, version: stored!.version };
}

describe('money in a single-currency org (fixedCurrency)', () => {
  let h: SyncHarness;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cosell-money-'));
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes 50,000 EUR to a USD org converted at the configured rate, and the converted echo is not an edit', async () => {
    h = await startSyncHarness({ dynamics: false });
    await withFacts(h, singleCurrencyMapping(dir, '    rates: { EUR: 0.8 }\n'));
    await createDeal(h, 'deal-eur', { amount: 50000, currency: 'EUR' });
    await h.syncAll();
    const link = await h.store.getLinkByOpportunity('sf', asOpportunityId('deal-eur'));
    expect(link).not.toBeNull();
    // 0.8 EUR per USD: 50,000 EUR is 62,500 USD; never "50000" relabelled as dollars.
    expect(h.sf.get(link!.externalId)).toMatchObject({ Amount: 62500 });
    await h.syncAll(); // the first read back also brings the CRM id (S4)
    const before = await valueOf(h, 'deal-eur');
    await h.syncAll();
    await h.syncAll();
    const after = await valueOf(h, 'deal-eur');
    expect(after.money).toEqual({ amount: 50000, currency: 'EUR' });
    expect(after.version).toBe(before.version);
    expect(await h.store.listConflicts({})).toHaveLength(0);
    expect(await h.store.listDeadLetters({ unresolvedOnly: true })).toHaveLength(0);

    // A real edit in the org is still an edit: the org's own dollars.
    h.sf.update(link!.externalId, { Amount: 70000 });
    await h.syncAll();
    expect((await valueOf(h, 'deal-eur')).money).toEqual({ amount: 70000, currency: 'USD' });
  });

  it('refuses a deal in a currency it has no rate for: a dead letter naming both currencies, nothing written', async () => {
    h = await startSyncHarness({ dynamics: false });
    await withFacts(h, singleCurrencyMapping(dir, '    rates: { EUR: 0.8 }\n'));
    await createDeal(h, 'deal-gbp', { amount: 50000, currency: 'GBP' });
    await createDeal(h, 'deal-usd', { amount: 1000, currency: 'USD' });
    await h.syncAll();
    expect(await h.store.getLinkByOpportunity('sf', asOpportunityId('deal-gbp'))).toBeNull();
    // The rest of the batch went on.
    expect(await h.store.getLinkByOpportunity('sf', asOpportunityId('deal-usd'))).not.toBeNull();
    const letters = await h.store.listDeadLetters({ unresolvedOnly: true });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ direction: 'push', opportunityId: 'deal-gbp', code: 'mapping' });
    expect(letters[0]!.reason).toContain('estimatedValue');
    expect(letters[0]!.reason).toContain('50000 GBP cannot be written to a USD-only CRM: no GBP to USD exchange rate');
    expect((await valueOf(h, 'deal-gbp')).money).toEqual({ amount: 50000, currency: 'GBP' });
  });
});

describe('amounts rounded to the CRM field scale', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('an amount the org keeps at 2 decimals reads back as our own write, not as a CRM edit', async () => {
    h = await startSyncHarness({ dynamics: false });
    await withFacts(h, h.instances[0]!.mapping as CompiledMapping);
    await createDeal(h, 'deal-round', { amount: 1234.567, currency: 'USD' });
    await h.syncAll();
    const link = await h.store.getLinkByOpportunity('sf', asOpportunityId('deal-round'));
    expect(h.sf.get(link!.externalId)).toMatchObject({ Amount: 1234.57 });
    await h.syncAll(); // the first read back also brings the CRM id (S4)
    const before = await valueOf(h, 'deal-round');
    await h.syncAll();
    await h.syncAll();
    const after = await valueOf(h, 'deal-round');
    expect(after.money).toEqual({ amount: 1234.567, currency: 'USD' });
    expect(after.version).toBe(before.version);
    expect(await h.store.listConflicts({})).toHaveLength(0);
  });
});
