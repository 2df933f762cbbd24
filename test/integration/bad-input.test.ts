/**
 * Hostile CRM values, over real HTTP from both simulators, on SQLite and on PostgreSQL: each record
 * is either a dead letter whose reason names what is wrong, or synced with its value intact; the
 * rest of the batch syncs; no contact detail or secret reaches a log line.
 * Values the simulators refuse at the door (as the real CRMs do: a 100 kB Salesforce text, "NaN" in
 * a currency field, an unknown restricted picklist value) are asserted as refused there.
 */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log';
import { dynOpportunity } from '../property/convergence/world';
import { sfOpportunity, startSyncHarness, type SyncHarness } from './sync/harness';

// Real HTTP and real SQL on a shared, loaded runner: jest's 5 s default is too short.
jest.setTimeout(60_000);

interface Case {
  name: string;
  fields: Record<string, unknown>;
  /** null: synced, the co-sell deal name equal to the record's; otherwise a substring of the dead letter's reason. */
  deadLetter: string | null;
}

const SF_CASES: Case[] = [
  { name: 'nul', fields: { Name: 'Contoso\u0000 rollout' }, deadLetter: 'field Name contains a NUL character (U+0000) at position 7' },
  { name: 'lone surrogate', fields: { CoSell_Customer_Name__c: 'Contoso \ud800 Ltd' }, deadLetter: 'field CoSell_Customer_Name__c contains an unpaired UTF-16 surrogate' },
  { name: 'trailing low surrogate', fields: { Description: 'end \udc00' }, deadLetter: 'field Description contains an unpaired UTF-16 surrogate' },
  { name: 'control chars \u0001\u001b[31m\t\r\n end', fields: {}, deadLetter: null },
  { name: "O'Brien \\ % _ \" AND Id != null", fields: {}, deadLetter: null },
  { name: "a' or 1 eq 1 &$filter=x%27 $top=1", fields: {}, deadLetter: null },
  { name: 'emoji 🚀 stays paired', fields: {}, deadLetter: null },
  { name: 'impossible date', fields: { CloseDate: '2026-02-30' }, deadLetter: 'R3: a valid date (YYYY-MM-DD) is required' },
  { name: 'negative amount', fields: { Amount: -1 }, deadLetter: 'value must be a finite amount >= 0' },
  { name: 'huge amount', fields: { Amount: 1e308 }, deadLetter: 'field Amount is out of range' },
  { name: 'bad json', fields: { CoSell_Team__c: '{not json' }, deadLetter: 'not valid JSON' },
  { name: 'proto keys', fields: { CoSell_Solutions__c: '[{"__proto__":{"polluted":1},"id":"s","name":"n","kind":"own"}]' }, deadLetter: 'Unrecognized key: "__proto__"' },
];

const DYN_CASES: Case[] = [
  { name: 'dyn nul', fields: { cosell_customercity: 'Ber\u0000lin' }, deadLetter: 'field cosell_customercity contains a NUL character (U+0000) at position 3' },
  { name: 'dyn NaN', fields: { estimatedvalue: 'NaN' }, deadLetter: 'expected an amount, got "NaN"' },
  // The shipped Dynamics mapping says description holds at most 2,000 characters (onTooLong: deadLetter).
  { name: 'dyn 100 kB text', fields: { description: 'x'.repeat(100_000) }, deadLetter: "description is too long: the mapping's maxLength for it is 2000" },
  { name: 'dyn unknown choice', fields: { cosell_helptype: 424242 }, deadLetter: null },
];

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { logger: createLogger({ stream, format: 'json', level: 'debug' }), text: () => chunks.join('') };
}

async function seedAll(h: SyncHarness): Promise<Map<Case, string>> {
  const ids = new Map<Case, string>();
  for (const c of SF_CASES) ids.set(c, h.sf.seed([sfOpportunity({ Name: c.name, ...c.fields })])[0]!);
  for (const c of DYN_CASES) ids.set(c, h.dyn.seed([{ ...dynOpportunity(1), name: c.name, ...c.fields }])[0]!);
  return ids;
}

describe.each(['sqlite', 'postgres'] as const)('bad input from the CRMs, %s store', (store) => {
  let h: SyncHarness;
  let logs: ReturnType<typeof capture>;
  beforeEach(async () => {
    logs = capture();
    h = await startSyncHarness({ store, logger: logs.logger });
  });
  afterEach(() => h.close());

  it('the simulators refuse what the CRMs refuse', () => {
    expect(() => h.sf.seed([sfOpportunity({ Description: 'x'.repeat(100_000) })])).toThrow(/STRING_TOO_LONG/);
    expect(() => h.sf.seed([sfOpportunity({ Amount: 'NaN' })])).toThrow(/INVALID_TYPE_ON_FIELD_IN_RECORD/);
    expect(() => h.sf.seed([sfOpportunity({ StageName: 'Bogus' })])).toThrow(/RESTRICTED_PICKLIST/);
  });

  it('each hostile record is a dead letter with its reason or synced intact; the rest of the batch syncs', async () => {
    const ids = await seedAll(h);
    for (let pass = 0; pass < 2; pass += 1) {
      for (const name of ['sf', 'dyn']) expect((await h.engine.runOnce({ connector: name })).error).toBeNull();
    }
    const letters = await h.store.listDeadLetters({ unresolvedOnly: true });
    for (const [c, id] of ids) {
      const connector = SF_CASES.includes(c) ? 'sf' : 'dyn';
      const pulled = letters.filter((d) => d.externalId === id && d.direction === 'pull');
      const link = await h.store.getLink(connector, id);
      if (c.deadLetter === null) {
        expect({ name: c.name, letters: pulled.map((d) => d.reason) }).toEqual({ name: c.name, letters: [] });
        expect(link).not.toBeNull();
        const opp = await h.store.getOpportunity(link!.opportunityId);
        expect(opp?.opportunity.dealName).toBe(c.name);
      } else {
        expect({ name: c.name, link }).toEqual({ name: c.name, link: null });
        expect(pulled).toHaveLength(1);
        expect(pulled[0]!.reason).toContain(c.deadLetter);
        expect(pulled[0]!.reason).toBe(pulled[0]!.reason.replace(/\p{Cc}|\p{Cs}/gu, ''));
      }
    }
    // The synced ones reached the other CRM too, with their names intact.
    const sfNames = new Set(h.sf.all().map((r) => r['Name']));
    for (const c of [...SF_CASES, ...DYN_CASES].filter((x) => x.deadLetter === null)) expect(sfNames.has(c.name)).toBe(true);
    expect(letters.filter((d) => d.direction === 'push')).toHaveLength(0);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const text = logs.text();
    expect(text).toContain('record dead-lettered');
    for (const secret of ['ana@partner.example', '+33 1 23 45 67 89', 'bo@partner.example', 'secret']) expect(text).not.toContain(secret);
  });
});
