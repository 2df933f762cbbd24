/** R17 from the command line: `opportunities register ID --file registration.json`, real SQLite store. */
import { anOutboundInput } from '../../unit/core/builders';
import { createHarness, runCli, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  const file = h.jsonFile('deal.json', { id: 'opp-reg', ...anOutboundInput() });
  expect((await runCli(h, ['opportunities', 'create', '--file', file])).code).toBe(0);
});
afterEach(async () => {
  await h.cleanup();
});

describe('opportunities register', () => {
  it('keeps the registration on a won deal, which stays won (R17)', async () => {
    expect((await runCli(h, ['opportunities', 'win', 'opp-reg'])).code).toBe(0);
    const file = h.jsonFile('registration.json', { registrationId: 'REG-2026-0042', details: { program: 'Azure IP co-sell' } });
    const res = await runCli(h, ['--json', 'opportunities', 'register', 'opp-reg', '--file', file]);
    expect(res.code).toBe(0);
    const stored = await h.store.getOpportunity('opp-reg' as never);
    expect(stored!.opportunity).toMatchObject({ stage: 'won', dealRegistration: { registrationId: 'REG-2026-0042', details: { program: 'Azure IP co-sell' } } });
    const events = await h.store.listEvents('opp-reg' as never);
    expect(events[events.length - 1]?.kind).toBe('registerDeal');
  });

  it('refuses a deal that is not won, naming R17, and changes nothing', async () => {
    const file = h.jsonFile('registration.json', { registrationId: 'REG-1' });
    const res = await runCli(h, ['opportunities', 'register', 'opp-reg', '--file', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('R17');
    expect((await h.store.getOpportunity('opp-reg' as never))!.opportunity.dealRegistration).toBeNull();
  });

  it('names the path of a shape error in the file', async () => {
    expect((await runCli(h, ['opportunities', 'win', 'opp-reg'])).code).toBe(0);
    const file = h.jsonFile('bad.json', { registrationId: 'REG-1', details: { seats: 40 } });
    const res = await runCli(h, ['opportunities', 'register', 'opp-reg', '--file', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('details.seats');
  });

  it('requires --file (usage error)', async () => {
    expect((await runCli(h, ['opportunities', 'register', 'opp-reg'])).code).toBe(2);
  });
});
