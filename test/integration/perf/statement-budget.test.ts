/**
 * The statement budget: the SQL the engine sends per record must not grow with the number of
 * records (a full sync of 200 costs per record what one of 50 does), and each distinct statement
 * is compiled once. Counted by the store itself, on SQLite, over real HTTP to both simulators.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchInstances } from '../../../bench/bench-instances';
import { benchSfRecord } from '../../../bench/records';
import { startDynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { startSalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { systemClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/log';
import { createStore } from '../../../src/store';
import { createSyncEngine } from '../../../src/sync/engine';

interface PassCost {
  records: number;
  executed: number;
  prepared: number;
}

/** Runs a full sync of `n` Salesforce records to Dynamics and back; returns the statements it cost. */
async function fullSyncCost(n: number): Promise<{ full: PassCost; echo: PassCost }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-budget-'));
  const sf = await startSalesforceSimulator();
  const dyn = await startDynamicsSimulator();
  const store = await createStore({ kind: 'sqlite', path: path.join(dir, 'budget.db') });
  const instances = benchInstances(sf.url, dyn);
  try {
    sf.seed(Array.from({ length: n }, (_, i) => benchSfRecord(i)));
    const engine = createSyncEngine({ store, instances, clock: systemClock, logger: silentLogger, policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' } });
    const pass = async (): Promise<PassCost> => {
      const before = store.statementCounts();
      for (const instance of instances) {
        const summary = await engine.runOnce({ connector: instance.name });
        expect(summary.error).toBeNull();
        expect(summary.deadLetters).toBe(0);
      }
      const after = store.statementCounts();
      return { records: n, executed: after.executed - before.executed, prepared: after.prepared - before.prepared };
    };
    const full = await pass();
    const echo = await pass();
    return { full, echo };
  } finally {
    for (const instance of instances) await instance.connector.close();
    await store.close();
    await sf.close();
    await dyn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('statements per record', () => {
  let small: { full: PassCost; echo: PassCost };
  let large: { full: PassCost; echo: PassCost };

  beforeAll(async () => {
    small = await fullSyncCost(50);
    large = await fullSyncCost(200);
  }, 120_000);

  it('a full sync costs no more statements per record at 200 records than at 50', () => {
    const perRecordSmall = small.full.executed / small.full.records;
    const perRecordLarge = large.full.executed / large.full.records;
    expect(perRecordSmall).toBeGreaterThan(0);
    // Fixed costs (cursor, run rows, lease) spread thinner at 200; a per-record cost that grows would not.
    expect(perRecordLarge).toBeLessThanOrEqual(perRecordSmall * 1.05);
  });

  it('the echo pass costs no more statements per record at 200 records than at 50', () => {
    expect(large.echo.executed / large.echo.records).toBeLessThanOrEqual((small.echo.executed / small.echo.records) * 1.05);
  });

  it('compiles each distinct statement once, however many records run it', () => {
    // The compiled set depends on the work's kinds, not on its size.
    expect(large.full.prepared).toBeLessThanOrEqual(small.full.prepared + 5);
    expect(large.full.prepared).toBeLessThan(large.full.executed / 10);
    expect(large.echo.prepared).toBeLessThanOrEqual(5);
  });
});
