/**
 * A write call that fails as a whole says nothing about its records: they wait in the outbox and
 * are written on a later run, never made dead letters. The case seen under load: the session is
 * refused again right after a fresh token (the CRM expired every token in between), so the call
 * ends in an `auth` error that is not retryable, for every record of the batch at once.
 */
import type { ProxyFault } from '../../helpers/fault-proxy';
import { crashDynRow } from '../../helpers/sim-world';
import { sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

/** Answers the first `times` write calls matched by `isWrite` with `fault`. */
function refuseWrites(times: number, isWrite: (req: { method: string; url: string }) => boolean, fault: ProxyFault): { plan: (req: { method: string; url: string }) => ProxyFault | null; refused: () => number } {
  let refused = 0;
  return {
    plan: (req) => {
      if (!isWrite(req) || refused >= times) return null;
      refused += 1;
      return fault;
    },
    refused: () => refused,
  };
}

async function openDeadLetters(h: SyncHarness, connector: string): Promise<Array<{ code: string; reason: string }>> {
  return (await h.store.listDeadLetters({ connector, unresolvedOnly: true })).map((d) => ({ code: String(d.code), reason: d.reason }));
}

describe('a write call refused as a whole leaves its records in the outbox', () => {
  let h: SyncHarness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('Dynamics: a $batch of creates refused with 401 after the token renewal is written on the next run', async () => {
    const dynamicsRefusal = refuseWrites(2, (req) => req.method === 'POST' && req.url.includes('$batch'), {
      kind: 'respond',
      status: 401,
      body: { error: { code: '0x80040220', message: 'The access token has expired' } },
    });
    h = await startSyncHarness({ faults: { dyn: dynamicsRefusal.plan } });
    h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' }), sfOpportunity({ Name: 'Third deal' })]);
    expect((await h.engine.runOnce({ connector: 'sf' })).error).toBeFalsy();

    const refusedRun = await h.engine.runOnce({ connector: 'dyn' });
    // Both tries of the call (the first token, then a fresh one) were refused.
    expect(dynamicsRefusal.refused()).toBe(2);
    expect(refusedRun.error).toMatch(/access token has expired/);
    expect(await openDeadLetters(h, 'dyn')).toEqual([]);
    expect(await h.store.countOutbox('dyn')).toBe(3);
    expect(h.dyn.list()).toHaveLength(0);

    // Not before the outbox's wait: then written once each.
    h.clock.advance(61_000);
    expect((await h.engine.runOnce({ connector: 'dyn' })).error).toBeFalsy();
    expect(await h.store.countOutbox('dyn')).toBe(0);
    expect(await openDeadLetters(h, 'dyn')).toEqual([]);
    expect(h.dyn.list().map((row) => row.name).sort()).toEqual(['Contoso cloud migration', 'Second deal', 'Third deal']);
  });

  it('Dynamics: a $batch that keeps failing with 503 waits in the outbox, not in the dead letters', async () => {
    const outage = refuseWrites(1000, (req) => req.method === 'POST' && req.url.includes('$batch'), {
      kind: 'respond',
      status: 503,
      body: { error: { code: '0x80040216', message: 'Service unavailable' } },
    });
    h = await startSyncHarness({ faults: { dyn: outage.plan } });
    h.sf.seed([sfOpportunity(), sfOpportunity({ Name: 'Second deal' })]);
    expect((await h.engine.runOnce({ connector: 'sf' })).error).toBeFalsy();
    await h.engine.runOnce({ connector: 'dyn' });
    expect(outage.refused()).toBeGreaterThan(0);
    expect(await openDeadLetters(h, 'dyn')).toEqual([]);
    expect(await h.store.countOutbox('dyn')).toBe(2);
  });

  it('Salesforce: a create call whose session is refused after a fresh token is written on the next run', async () => {
    const salesforceRefusal = refuseWrites(2, (req) => req.method !== 'GET' && req.url.startsWith('/services/data/'), {
      kind: 'respond',
      status: 401,
      body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }],
    });
    h = await startSyncHarness({ faults: { sf: salesforceRefusal.plan } });
    h.dyn.seed([crashDynRow(1, h.dyn.currencies), crashDynRow(2, h.dyn.currencies)]);
    expect((await h.engine.runOnce({ connector: 'dyn' })).error).toBeFalsy();

    const refusedRun = await h.engine.runOnce({ connector: 'sf' });
    expect(salesforceRefusal.refused()).toBe(2);
    expect(refusedRun.error).toMatch(/session rejected even after a fresh token/);
    expect(await openDeadLetters(h, 'sf')).toEqual([]);
    expect(await h.store.countOutbox('sf')).toBe(2);
    expect(h.sf.count()).toBe(0);

    h.clock.advance(61_000);
    expect((await h.engine.runOnce({ connector: 'sf' })).error).toBeFalsy();
    expect(await h.store.countOutbox('sf')).toBe(0);
    expect(await openDeadLetters(h, 'sf')).toEqual([]);
    expect(h.sf.count()).toBe(2);
  });
});
