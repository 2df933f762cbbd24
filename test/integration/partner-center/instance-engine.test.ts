/**
 * Partner Center as a daemon instance (real store, real HTTP to the simulator): each run recorded
 * like a CRM instance's, one worker at a time under the instance's lease, a stop ending the run at
 * a page boundary with nothing lost, a failing run counted, and review actions routed to it.
 */
import { createPartnerCenterEngine } from '../../../src/partner-center/instance-engine';
import { createSyncEngine } from '../../../src/sync/engine';
import { createOfflineReview } from '../../../src/sync/offline-review';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import { WATERMARK_CURSOR } from '../../../src/partner-center/sync';
import type { ReferralApi, ReferralPage } from '../../../src/ports/referral';
import { instanceLeaseName } from '../../../src/sync/review-lease';
import type { RunSummary, SyncEngine } from '../../../src/sync/types';
import { anIncomingBody, quietLogger } from './setup';
import { startPcHarness, type PcHarness } from './sync-harness';

let h: PcHarness;
let engine: SyncEngine;
let reported: RunSummary[];
/** Called as each page the connector read is handed to the run (the test's hook into a run). */
let onPage: (() => void) | null;

function pageHook(api: ReferralApi): ReferralApi {
  return {
    ...api,
    async *list(params) {
      for await (const page of api.list(params) as AsyncIterable<ReferralPage>) {
        onPage?.();
        yield page;
      }
    },
  };
}

beforeEach(async () => {
  onPage = null;
  reported = [];
  h = await startPcHarness('sqlite', pageHook);
  engine = createPartnerCenterEngine({ sync: h.sync, api: h.api, store: h.store, clock: h.clock, logger: quietLogger(), onRun: (s) => reported.push(s) });
});
afterEach(async () => h.close());

it('a run pulls then pushes and is recorded as the instance\'s run', async () => {
  const sent = h.sim.receive(anIncomingBody());
  const summary = await engine.runOnce({ connector: 'partner-center' });
  expect(summary).toMatchObject({ connector: 'partner-center', pulled: 1, applied: 1, error: null, dryRun: false });
  expect(summary.apiCalls).toBeGreaterThan(0);
  expect(reported.map((s) => s.runId)).toEqual([summary.runId]);
  const [run] = (await h.store.lastRuns()).filter((r) => r.connector === 'partner-center');
  expect(run).toMatchObject({ runId: summary.runId, status: 'ok', pulled: 1, applied: 1 });
  expect((await h.store.getOpportunity(opportunityIdOfReferral(sent.id)))?.opportunity.stage).toBe('received');
});

it('a push run reads no referral: one waiting in Partner Center stays for the next full run', async () => {
  h.sim.receive(anIncomingBody());
  let pages = 0;
  onPage = () => {
    pages += 1;
  };
  const push = await engine.runOnce({ connector: 'partner-center', pushOnly: true });
  expect(push).toMatchObject({ pulled: 0, applied: 0, error: null });
  expect(pages).toBe(0);
  expect(await h.store.listOpportunities({ view: 'all' })).toMatchObject({ items: [] });
  expect(await engine.runOnce({ connector: 'partner-center' })).toMatchObject({ pulled: 1, applied: 1, error: null });
  expect(pages).toBeGreaterThan(0);
});

it('skips while another worker holds the instance lease', async () => {
  h.sim.receive(anIncomingBody());
  const inner = await h.store.withLease(instanceLeaseName('partner-center'), async () => engine.runOnce({ connector: 'partner-center' }));
  expect(inner?.error).toBe('skipped: another worker holds this instance');
  expect(await h.store.listOpportunities({ view: 'all' })).toMatchObject({ items: [] });
});

it('a stop ends the run at a page boundary; the next run reads the rest, nothing lost or duplicated', async () => {
  for (let i = 0; i < 130; i += 1) h.sim.receive(anIncomingBody({ name: `Deal ${i}` }));
  const stop = new AbortController();
  onPage = () => stop.abort(new Error('daemon stopping'));
  const first = await engine.runOnce({ connector: 'partner-center', signal: stop.signal });
  expect(first).toMatchObject({ pulled: 100, applied: 100, error: null });
  expect((await h.store.getCursor(WATERMARK_CURSOR))?.cursor).toEqual(expect.any(String));
  onPage = null;
  const second = await engine.runOnce({ connector: 'partner-center' });
  expect(second.error).toBeNull();
  expect((await h.store.listOpportunities({ view: 'all', limit: 500 })).items).toHaveLength(130);
});

it('a failing run is recorded failed with its reason; the next one recovers', async () => {
  h.sim.receive(anIncomingBody());
  h.sim.injectFault({ kind: 'server_error', times: 10 });
  const failed = await engine.runOnce({ connector: 'partner-center' });
  expect(failed.error).toEqual(expect.any(String));
  expect((await h.store.lastRuns()).find((r) => r.connector === 'partner-center')).toMatchObject({ status: 'failed', error: failed.error });
  h.sim.state.faults.length = 0;
  expect((await engine.runOnce({ connector: 'partner-center' })).error).toBeNull();
});

it('a dry run reads and writes nothing, and says so', async () => {
  h.sim.receive(anIncomingBody());
  const before = h.sim.requests();
  const dry = await engine.runOnce({ connector: 'partner-center', dryRun: true });
  expect(dry.planned).toEqual([expect.objectContaining({ action: 'skip', reason: expect.stringMatching(/no dry run/) })]);
  expect(h.sim.requests()).toBe(before);
  expect(await h.store.lastRuns()).toEqual([]);
});

it('retrying a dead-lettered referral reads it again', async () => {
  const broken = h.sim.receive(anIncomingBody({ customerProfile: { name: null, address: { country: 'US' } } }));
  await engine.runOnce({ connector: 'partner-center' });
  const [letter] = await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
  expect(letter).toMatchObject({ direction: 'pull', externalId: broken.id });
  expect(await engine.retryDeadLetter(letter!.id)).toMatchObject({ ok: false });
  h.sim.microsoftUpdate(broken.id, { customerProfile: { name: 'Now named', address: { country: 'US' } } });
  expect(await engine.retryDeadLetter(letter!.id)).toMatchObject({ ok: true });
  expect(await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true })).toEqual([]);
});

it('a referral the co-sell rules refuse is dead-lettered with its rule; the run and the other referrals go on', async () => {
  const refused = h.sim.receive(anIncomingBody({ name: 'No phone', team: [{ firstName: 'Jo', lastName: 'Seller', email: 'jo@microsoft.test' }] }));
  const fine = h.sim.receive(anIncomingBody({ name: 'Fine' }));
  const summary = await engine.runOnce({ connector: 'partner-center' });
  expect(summary).toMatchObject({ error: null, pulled: 2, applied: 1, deadLetters: 1 });
  const letters = await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
  expect(letters).toEqual([expect.objectContaining({ externalId: refused.id, code: 'R4', reason: expect.stringMatching(/R4: .*phone/) })]);
  expect((await h.store.getOpportunity(opportunityIdOfReferral(fine.id)))?.opportunity.stage).toBe('received');
  expect(await h.store.getOpportunity(opportunityIdOfReferral(refused.id))).toBeNull();
});

describe('review of Partner Center conflicts and dead letters, under the instance lease', () => {
  const closedAsWon = async () => {
    const sent = h.sim.receive(anIncomingBody());
    await engine.runOnce({ connector: 'partner-center' });
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Won' });
    await engine.runOnce({ connector: 'partner-center' });
    const [conflict] = await h.store.listConflicts({ connector: 'partner-center', status: 'pending' });
    if (!conflict) throw new Error('no conflict recorded');
    return { sent, conflict };
  };
  const held = <T>(fn: () => Promise<T>) => h.store.withLease(instanceLeaseName('partner-center'), fn);

  it('taking Partner Center\'s stage waits for the instance; while a run holds it, nothing is changed', async () => {
    const busyEngine = createPartnerCenterEngine({ sync: h.sync, api: h.api, store: h.store, clock: h.clock, logger: quietLogger(), reviewLeaseWaitMs: 0 });
    const { sent, conflict } = await closedAsWon();
    const refused = await held(() => busyEngine.resolveConflict(conflict.id, 'crm'));
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/busy/) });
    expect((await h.store.getConflict(conflict.id))?.status).toBe('pending');
    expect(await busyEngine.resolveConflict(conflict.id, 'crm')).toMatchObject({ ok: true });
    expect((await h.store.getOpportunity(opportunityIdOfReferral(sent.id)))?.opportunity.stage).toBe('won');
    expect((await h.store.getConflict(conflict.id))?.resolution).toBe('kept-crm');
  });

  it('keeping the co-sell stage settles in the store even while a run holds the instance, and queues the push', async () => {
    const busyEngine = createPartnerCenterEngine({ sync: h.sync, api: h.api, store: h.store, clock: h.clock, logger: quietLogger(), reviewLeaseWaitMs: 0 });
    const { sent, conflict } = await closedAsWon();
    expect(await held(() => busyEngine.resolveConflict(conflict.id, 'cosell'))).toMatchObject({ ok: true, message: expect.stringMatching(/queued/) });
    expect((await h.store.getConflict(conflict.id))?.resolution).toBe('kept-cosell');
    expect(await h.store.countOutbox('partner-center')).toBe(1);
    expect((await h.store.getOpportunity(opportunityIdOfReferral(sent.id)))?.opportunity.stage).toBe('received');
  });

  it('with a store alone, --keep cosell settles and --keep crm says the referral must be read', async () => {
    const { conflict } = await closedAsWon();
    const offline = createOfflineReview({ store: h.store, clock: h.clock, logger: quietLogger(), policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' } });
    expect(await offline.resolveConflict(conflict.id, 'crm')).toMatchObject({ ok: false, message: expect.stringMatching(/cannot reach/) });
    expect(await offline.resolveConflict(conflict.id, 'cosell')).toMatchObject({ ok: true });
  });

  it('with Partner Center no longer configured, its conflicts are settled by the CRM engine as far as the store allows', async () => {
    const { conflict } = await closedAsWon();
    const crmOnly = createSyncEngine({ store: h.store, instances: [], policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' }, clock: h.clock, logger: quietLogger() });
    expect(await crmOnly.resolveConflict(conflict.id, 'crm')).toMatchObject({ ok: false, message: expect.stringMatching(/no partnerCenter section/) });
    expect(await crmOnly.resolveConflict(conflict.id, 'cosell')).toMatchObject({ ok: true });
    expect((await h.store.getConflict(conflict.id))?.resolution).toBe('kept-cosell');
  });

  it('a dead-lettered referral is read again only under the instance lease', async () => {
    const busyEngine = createPartnerCenterEngine({ sync: h.sync, api: h.api, store: h.store, clock: h.clock, logger: quietLogger(), reviewLeaseWaitMs: 0 });
    const broken = h.sim.receive(anIncomingBody({ customerProfile: { name: null, address: { country: 'US' } } }));
    await engine.runOnce({ connector: 'partner-center' });
    const [letter] = await h.store.listDeadLetters({ connector: 'partner-center', unresolvedOnly: true });
    h.sim.microsoftUpdate(broken.id, { customerProfile: { name: 'Now named', address: { country: 'US' } } });
    expect(await held(() => busyEngine.retryDeadLetter(letter!.id))).toMatchObject({ ok: false, message: expect.stringMatching(/busy/) });
    expect(await h.store.getOpportunity(opportunityIdOfReferral(broken.id))).toBeNull();
    expect(await busyEngine.retryDeadLetter(letter!.id)).toMatchObject({ ok: true });
  });
});
