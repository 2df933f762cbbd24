/**
 * R17 to Partner Center over real HTTP and SQL: a registration recorded after the win (as the CLI,
 * the admin API and a mapped CRM field all record it: the core's registerDeal) is added to the
 * won referral's `registrations` once; pushing again adds nothing; a failure is dead-lettered
 * with Partner Center's reason and tried again.
 */
import { asOpportunityId, type Command, type OpportunityId } from '../../../src/core';
import type { Referral } from '../../../src/ports/referral';
import { aCustomerWithConsentedContact, anOutboundInput } from '../../unit/core/builders';
import { startPcHarness, type PcHarness, type StoreKind } from './sync-harness';

const USER = { kind: 'user', name: 'admin-api' } as const;

describe.each<StoreKind>(['sqlite', 'postgres'])('R17 registration to Partner Center on %s', (kind) => {
  let h: PcHarness;
  afterEach(async () => h?.close());
  const run = (id: OpportunityId, command: Command) => h.store.applyCommand({ id, command, source: USER, now: h.clock.now() });
  const referralOf = async (id: OpportunityId): Promise<Referral> => {
    const link = await h.store.getLinkByOpportunity('partner-center', id);
    return h.sim.state.get(link?.externalId ?? '') as Referral;
  };

  it('a registration made after the win is sent once; a failed attempt is dead-lettered with its reason and retried', async () => {
    h = await startPcHarness(kind);
    const id = asOpportunityId('opp-reg');
    await run(id, { kind: 'createOutbound', id, input: anOutboundInput({ crmId: 'SF-REG', customer: aCustomerWithConsentedContact(), microsoftHelpType: 'general' }) });
    await run(id, { kind: 'win', dealRegistration: null });
    await h.sync.push();
    expect(await referralOf(id)).toMatchObject({ status: 'Closed', substatus: 'Won' });
    expect((await referralOf(id)).registrations ?? []).toEqual([]);

    // Partner Center is unavailable for the first attempt: dead letter with its message, the entry kept for later.
    h.sim.injectFault({ kind: 'server_error', times: 3 });
    await run(id, { kind: 'registerDeal', registration: { registrationId: 'REG-77', details: { program: 'Azure IP co-sell' } } });
    expect((await h.sync.push()).outcomes).toEqual({ failed: 1 });
    const [letter] = await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
    expect(letter).toMatchObject({ opportunityId: id, direction: 'push' });
    expect(letter?.reason).toMatch(/not available/i);

    h.clock.advance(2 * 60_000);
    expect((await h.sync.push()).outcomes).toEqual({ registered: 1 });
    expect((await referralOf(id)).registrations).toEqual([{ type: 'AzureIPCoSell', externalReferenceId: 'REG-77', details: { program: 'Azure IP co-sell' } }]);
    expect(await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true })).toEqual([]);

    // Idempotent: another change to the won deal (the favorite mark) pushes nothing more.
    await run(id, { kind: 'favorite' });
    await h.sync.push();
    expect((await referralOf(id)).registrations).toHaveLength(1);
  });
});
