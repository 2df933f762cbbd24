/**
 * Leases that survive the database (PostgreSQL): the lease's own session terminated mid-run, or
 * closed by the server's idle_session_timeout, never crashes the process; a lost lease aborts the
 * run (its page rolls back), the next run takes the lease again and finishes; nothing is lost or
 * duplicated. Small pools (1, 2) never deadlock with two instances running at once.
 */
import { randomBytes } from 'node:crypto';
import { leaseApplicationName } from '../../../src/store/lease-connection';
import { poolApplicationName } from '../../../src/store/postgres';
import { pgQuery, TEST_PG_URL } from '../../helpers/postgres-schema';
import { sfOpportunity, startSyncHarness, type HarnessOptions, type SyncHarness } from './harness';

const RECORDS = 30;
jest.setTimeout(60_000);

async function withHarness(options: HarnessOptions, body: (h: SyncHarness) => Promise<void>): Promise<void> {
  const h = await startSyncHarness({ store: 'postgres', ...options });
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

function seed(h: SyncHarness, count = RECORDS): string[] {
  return h.sf.seed(Array.from({ length: count }, (_, i) => sfOpportunity({ Name: `Lease deal ${i}` })));
}

/** Every seeded record linked once, every co-sell opportunity in Dynamics once. */
async function expectAllSyncedOnce(h: SyncHarness, ids: readonly string[]): Promise<void> {
  const links = await h.store.listLinks({ connector: 'sf' });
  expect(links.map((l) => l.externalId).sort()).toEqual([...ids].sort());
  const dynLinks = await h.store.listLinks({ connector: 'dyn' });
  expect(dynLinks).toHaveLength(ids.length);
  expect(h.dyn.count()).toBe(ids.length);
  expect(h.sf.count()).toBe(ids.length);
}

async function leaseBackend(schemaKey: string): Promise<number | null> {
  const rows = await pgQuery('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [leaseApplicationName(schemaKey, process.pid)]);
  return rows.length === 0 ? null : Number(rows[0]!['pid']);
}


describe('PostgreSQL leases', () => {
  it('the lease session terminated mid-run: the run aborts cleanly, the next one takes over, nothing lost or duplicated', async () => {
    await withHarness({}, async (h) => {
      const ids = seed(h);
      const schema = h.pgSchema!;
      h.sf.injectFault('latency', 1000, { latencyMs: 150 });
      const run = h.engine.runOnce({ connector: 'sf' });
      let pid: number | null = null;
      for (let tries = 0; pid === null && tries < 500; tries += 1) {
        pid = await leaseBackend(`${schema}:connector:sf`);
        if (pid === null) await new Promise((r) => setTimeout(r, 10));
      }
      expect(pid).not.toBeNull();
      await pgQuery('SELECT pg_terminate_backend($1)', [pid]);
      const aborted = await run;
      expect(aborted.error).toMatch(/lease connector:sf lost|lease .*:connector:sf lost/);
      h.sf.clearFaults();
      for (let pass = 0; pass < 3; pass += 1) {
        for (const name of ['sf', 'dyn']) expect((await h.engine.runOnce({ connector: name })).error).toBeNull();
      }
      await expectAllSyncedOnce(h, ids);
      expect(await leaseBackend(`${schema}:connector:sf`)).toBeNull();
    });
  });

  it('pooled sessions terminated mid-run: no crash; the run fails or finishes, and the next ones sync everything once', async () => {
    await withHarness({ postgres: { poolSize: 2 } }, async (h) => {
      const ids = seed(h);
      h.sf.injectFault('latency', 1000, { latencyMs: 150 });
      const run = h.engine.runOnce({ connector: 'sf' });
      const name = poolApplicationName(h.pgSchema!);
      let killed = 0;
      for (let tries = 0; killed === 0 && tries < 500; tries += 1) {
        const rows = await pgQuery('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [name]);
        killed = rows.length;
        if (killed === 0) await new Promise((r) => setTimeout(r, 10));
      }
      expect(killed).toBeGreaterThan(0);
      // The statement on a terminated session fails: the run reports it or throws it (the scheduler catches either).
      await run.catch((error: unknown) => error);
      h.sf.clearFaults();
      for (let pass = 0; pass < 3; pass += 1) {
        for (const connector of ['sf', 'dyn']) expect((await h.engine.runOnce({ connector })).error).toBeNull();
      }
      await expectAllSyncedOnce(h, ids);
    });
  });

  it.each([1, 2])('pool of %i: two instances on one tick both finish', async (poolSize) => {
    await withHarness({ postgres: { poolSize } }, async (h) => {
      const ids = seed(h, 10);
      for (let pass = 0; pass < 2; pass += 1) {
        const [sf, dyn] = await Promise.all([h.engine.runOnce({ connector: 'sf' }), h.engine.runOnce({ connector: 'dyn' })]);
        expect([sf.error, dyn.error]).toEqual([null, null]);
      }
      expect((await h.engine.runOnce({ connector: 'dyn' })).error).toBeNull();
      await expectAllSyncedOnce(h, ids);
    });
  });

  describe('with idle_session_timeout on the server', () => {
    const role = `cosell_idle_${randomBytes(4).toString('hex')}`;
    beforeAll(async () => {
      await pgQuery(`CREATE ROLE ${role} LOGIN`);
      await pgQuery(`ALTER ROLE ${role} SET idle_session_timeout = '1s'`);
      await pgQuery(`GRANT CREATE ON DATABASE test TO ${role}`);
    });
    afterAll(async () => {
      await pgQuery(`DROP OWNED BY ${role} CASCADE`);
      await pgQuery(`DROP ROLE ${role}`);
    });

    it('a run longer than the timeout keeps its lease (pinged) and finishes', async () => {
      const url = TEST_PG_URL.replace('postgres://postgres@', `postgres://${role}@`);
      await withHarness({ postgres: { url, poolSize: 2, leaseKeepaliveMs: 300 } }, async (h) => {
        const ids = seed(h, 10);
        // Slow CRM answers make the run last several times the server's idle timeout.
        h.sf.injectFault('latency', 1000, { latencyMs: 400 });
        const summary = await h.engine.runOnce({ connector: 'sf' });
        expect(summary.error).toBeNull();
        h.sf.clearFaults();
        expect((await h.engine.runOnce({ connector: 'dyn' })).error).toBeNull();
        await expectAllSyncedOnce(h, ids);
        const [setting] = await pgQuery(`SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = $1`, [role]);
        expect(String(setting?.['setconfig'])).toContain('idle_session_timeout=1s');
      });
    });
  });
});
