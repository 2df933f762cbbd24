/**
 * R8 over real HTTP and real SQL: the partner lookup (`GET /v1/profiles/mpn?mpnId=`) against the
 * simulator, its answers cached in the store with a TTL, an unknown partner refused by the CLI/API
 * operations and kept out of Partner Center by the sync (dead letter naming the partner), and a
 * Partner Center that cannot answer leading to "later", never to a refusal.
 */
import { createPartnerLookup } from '../../../connectors/partner-center/partner-lookup';
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { describeFailure } from '../../../src/cli/operations/errors';
import { createOutbound, runCommand } from '../../../src/cli/operations/opportunities';
import { asOpportunityId, isRuleViolation } from '../../../src/core';
import { ManualClock } from '../../../src/core/clock';
import { isConnectorError } from '../../../src/errors';
import { createPartnerCheck, type PartnerCheck } from '../../../src/partner-center/partner-check';
import { createPartnerCenterSync } from '../../../src/partner-center/sync';
import type { StateStore } from '../../../src/store';
import { aPartnerInvitation, anOutboundInput } from '../../unit/core/builders';
import { connectorFor, FAST_RETRY, quietLogger } from './setup';
import { openStore, type StoreKind } from './sync-harness';

const HOUR = 3_600_000;
const USER = { kind: 'user', name: 'test' } as const;
const invitationOf = (partnerId: string) => aPartnerInvitation({ invitee: { kind: 'partner', partnerId, partnerName: `Partner ${partnerId}` } });

describe.each<StoreKind>(['sqlite', 'postgres'])('R8 partner lookup on %s', (kind) => {
  let sim: PartnerCenterSimulator;
  let store: StateStore;
  let drop: () => Promise<void>;
  let clock: ManualClock;
  let check: PartnerCheck;
  const lookup = () => createPartnerLookup({ name: 'pc-test', apiBase: sim.partnerApiBase, retry: FAST_RETRY }, { logger: quietLogger(), tokens: { token: async () => sim.token } });

  beforeEach(async () => {
    sim = await startPartnerCenterSimulator();
    ({ store, drop } = await openStore(kind));
    clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
    check = createPartnerCheck({ api: lookup(), store, now: () => clock.now(), logger: quietLogger(), ttlMs: 2 * HOUR });
    sim.addPartner('4391507', 'Fabrikam Consulting');
  });
  afterEach(async () => {
    await store.close();
    await drop();
    await sim.close();
  });

  it('the connector finds a known partner and answers null for an unknown one; an outage throws a retryable error', async () => {
    await expect(lookup().lookupPartner('4391507')).resolves.toEqual({ partnerId: '4391507', name: 'Fabrikam Consulting' });
    await expect(lookup().lookupPartner('9999999')).resolves.toBeNull();
    sim.injectFault({ kind: 'server_error', times: 10 });
    const failure = await lookup().lookupPartner('4391507').catch((e: unknown) => e);
    expect(isConnectorError(failure) && failure.retryable).toBe(true);
  });

  it('answers are cached in the store until the TTL runs out, known and unknown alike', async () => {
    expect(await check.check('4391507')).toEqual({ status: 'known', partnerId: '4391507', name: 'Fabrikam Consulting', cached: false });
    expect(await check.check('9999999')).toEqual({ status: 'unknown', partnerId: '9999999', cached: false });
    const calls = sim.requests();
    clock.advance(2 * HOUR - 1);
    expect(await check.check('4391507')).toMatchObject({ status: 'known', cached: true });
    expect(await check.check('9999999')).toMatchObject({ status: 'unknown', cached: true });
    expect(sim.requests()).toBe(calls);
    expect(await store.getPartnerLookup('9999999')).toEqual({
      partnerId: '9999999',
      known: false,
      name: null,
      checkedAt: '2026-03-01T09:00:00.000Z',
      expiresAt: '2026-03-01T11:00:00.000Z',
    });
    // Past the TTL Partner Center is asked again, and its new answer replaces the old one.
    sim.addPartner('9999999', 'Now Registered Ltd');
    clock.advance(1);
    expect(await check.check('9999999')).toEqual({ status: 'known', partnerId: '9999999', name: 'Now Registered Ltd', cached: false });
    expect(sim.requests()).toBeGreaterThan(calls);
  });

  it('Partner Center down is "unavailable", not cached and not a refusal', async () => {
    sim.injectFault({ kind: 'server_error', times: 10 });
    expect(await check.check('9999999')).toMatchObject({ status: 'unavailable', partnerId: '9999999' });
    expect(await store.getPartnerLookup('9999999')).toBeNull();
  });

  it('CLI/API operations refuse an invitation of an unknown partner, naming its id; nothing is stored', async () => {
    const ctx = { store, clock, source: USER, partners: check };
    const input = anOutboundInput({ partnerInvitations: [invitationOf('9999999')] });
    const refused = await createOutbound(ctx, { id: 'opp-r8', ...input }).catch((e: unknown) => e);
    expect(isRuleViolation(refused) && refused.rule).toBe('R8');
    const failure = describeFailure(refused, 'create opportunity');
    expect(failure.httpStatus).toBe(409);
    expect(failure.message).toContain('refused by R8');
    expect(failure.message).toContain('partner 9999999 is not known to Partner Center');
    expect(await store.getOpportunity(asOpportunityId('opp-r8'))).toBeNull();

    await createOutbound(ctx, { id: 'opp-ok', ...anOutboundInput() });
    const invite = { kind: 'invitePartner' as const, invitation: invitationOf('9999999'), invitationId: 'inv-1' };
    await expect(runCommand(ctx, { id: 'opp-ok', command: invite })).rejects.toThrow(/partner 9999999 is not known/);
    const known = await runCommand(ctx, { id: 'opp-ok', command: { ...invite, invitation: invitationOf('4391507'), invitationId: 'inv-2' } });
    expect(known.opportunity.invitations.map((i) => i.invitee)).toEqual([{ kind: 'partner', partnerId: '4391507', partnerName: 'Partner 4391507' }]);
  });

  it('CLI/API operations let an invitation through while Partner Center cannot answer', async () => {
    const ctx = { store, clock, source: USER, partners: check };
    sim.injectFault({ kind: 'server_error', times: 10 });
    const stored = await createOutbound(ctx, { id: 'opp-later', ...anOutboundInput({ partnerInvitations: [invitationOf('9999999')] }) });
    expect(stored.opportunity.invitations).toHaveLength(1);
  });

  it('the sync keeps a deal inviting an unknown partner out of Partner Center, dead-lettered with the partner id; an outage is retried', async () => {
    const api = connectorFor(sim);
    const sync = createPartnerCenterSync({ api, store, clock, logger: quietLogger(), context: { ownPublisher: null, defaultCurrency: 'USD' }, partners: check });
    const bad = asOpportunityId('opp-unknown-partner');
    await store.applyCommand({ id: bad, command: { kind: 'createOutbound', id: bad, input: anOutboundInput({ partnerInvitations: [invitationOf('9999999')] }) }, source: USER, now: clock.now() });
    expect((await sync.push()).outcomes).toEqual({ failed: 1 });
    expect(sim.state.referrals.size).toBe(0);
    const [letter] = await store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
    expect(letter).toMatchObject({ opportunityId: bad, direction: 'push', code: 'R8' });
    expect(letter?.reason).toContain('partner 9999999 is not known to Partner Center');

    // Partner Center cannot answer for a partner not yet cached: not refused, tried again later.
    const later = asOpportunityId('opp-lookup-down');
    await store.applyCommand({ id: later, command: { kind: 'createOutbound', id: later, input: anOutboundInput({ partnerInvitations: [invitationOf('4391507')] }) }, source: USER, now: clock.now() });
    sim.injectFault({ kind: 'server_error', times: 3 });
    const down = await sync.push();
    expect(down.outcomes.failed).toBeGreaterThanOrEqual(1);
    const letters = await store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
    expect(letters.find((l) => l.opportunityId === later)).toMatchObject({ code: 'transient' });
    expect(await store.countOutbox('partner-center')).toBe(2);
    clock.advance(2 * 60_000);
    await sync.push();
    expect([...sim.state.referrals.values()].map((r) => r.externalReferenceId)).toEqual([later]);
    expect((await store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true })).map((l) => l.opportunityId)).toEqual([bad]);
    await api.close();
  });
});
