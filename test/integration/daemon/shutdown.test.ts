/**
 * Shutdown (architecture.md, sync protocol 7): SIGTERM during a push stops it at the next batch
 * boundary; every write that went out is settled in the store (its link saved) before the store
 * closes; "daemon stopped" is the last thing logged and nothing is written after it. On both
 * stores (the running push once outlived a closed store: "driver has already been destroyed").
 */
import { randomBytes } from 'node:crypto';
import { spawnDaemon } from '../../helpers/daemon-process';
import { pgQuery, TEST_PG_URL } from '../../helpers/postgres-schema';
import { SF, startWorld, type World } from '../../helpers/sim-world';
import { createStore } from '../../../src/store';

jest.setTimeout(120_000);

const REFERRALS = 2400;
/** A Salesforce push batch in the world's configuration: batchSize 200 x writeConcurrency 2. */
const BATCH = 400;

async function waitFor(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 1200; i += 1) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(['sqlite', 'postgres'] as const)('SIGTERM during a push (%s store)', (kind) => {
  let world: World;
  const database = `cosell_shutdown_${randomBytes(4).toString('hex')}`;
  const postgresUrl = TEST_PG_URL.replace(/\/[^/]*$/, `/${database}`);
  beforeAll(async () => {
    if (kind === 'postgres') await pgQuery(`CREATE DATABASE ${database}`);
    world = await startWorld({ salesforce: 0, dynamics: 0, referrals: REFERRALS, ...(kind === 'postgres' ? { postgresUrl } : {}) });
    // Slow collection writes: the push is still going when the signal comes.
    world.sf.injectFault('latency', 1_000_000, { latencyMs: 300, pathIncludes: 'composite' });
  });
  afterAll(async () => {
    await world.close();
    if (kind === 'postgres') await pgQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('stops at the next batch boundary, settles what went out, and writes nothing after "daemon stopped"', async () => {
    const proc = spawnDaemon(['start', '--config', world.configPath], world.env);
    await waitFor('the first Salesforce push', () => proc.logs.some((l) => l.event === 'sync.pushed' && l.connector === SF) || proc.child.exitCode !== null);
    const atSignal = world.sf.count('Opportunity');
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    const afterExit = world.sf.count('Opportunity');

    expect(exit.code).toBe(0);
    // At most the batch in flight and the one whose results were being settled.
    expect(afterExit - atSignal).toBeLessThanOrEqual(2 * BATCH);
    expect(afterExit).toBeLessThan(REFERRALS);
    const stoppedAt = proc.logs.findIndex((l) => l.event === 'daemon.stopped');
    expect(stoppedAt).toBeGreaterThan(-1);
    expect(proc.logs.slice(stoppedAt + 1)).toEqual([]);
    expect(proc.logs.filter((l) => l.level === 'error')).toEqual([]);

    // Every record the CRM got is linked in the store: the store closed after the last settlement.
    const store = await createStore(kind === 'sqlite' ? { kind: 'sqlite', path: world.storePath } : { kind: 'postgres', url: postgresUrl });
    try {
      const links = await store.listLinks({ connector: SF });
      expect(links).toHaveLength(afterExit);
      expect(await store.countOutbox(SF)).toBe(REFERRALS - afterExit);
    } finally {
      await store.close();
    }
  });
});
