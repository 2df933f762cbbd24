/**
 * Engine level: N Salesforce opportunities pulled into a SQLite store and pushed out to Dynamics
 * through the real sync engine, connectors and shipped mappings; then passes with nothing new
 * (the first reads our own writes back and must apply nothing; the next is idle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDynamicsSimulator } from '../connectors/dynamics/simulator';
import { startSalesforceSimulator } from '../connectors/salesforce/simulator';
import { systemClock } from '../src/core/clock';
import { silentLogger } from '../src/log';
import { createStore } from '../src/store';
import { createSyncEngine } from '../src/sync/engine';
import { benchInstances } from './bench-instances';
import { benchSfRecord } from './records';
import type { RunSummary } from '../src/sync/types';

/** One engine pass as the benchmark reports it: the run summary's counts, plus what the simulator saw. */
export type EngineRunFigures = Pick<RunSummary, 'connector' | 'pulled' | 'applied' | 'pushed' | 'conflicts' | 'deadLetters' | 'apiCalls' | 'durationMs' | 'error'> & {
  pass: string;
  /** Requests the simulator served (token requests apart). */
  served: number;
  /** (applied + pushed) per second. */
  recordsPerSecond: number;
};

export async function engineBench(n: number): Promise<EngineRunFigures[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-bench-'));
  const sf = await startSalesforceSimulator();
  const dyn = await startDynamicsSimulator();
  const store = await createStore({ kind: 'sqlite', path: path.join(dir, 'bench.db') });
  try {
    for (let from = 0; from < n; from += 1000) sf.seed(Array.from({ length: Math.min(1000, n - from) }, (_, k) => benchSfRecord(from + k)));
    const instances = benchInstances(sf.url, dyn);
    const engine = createSyncEngine({
      store, instances, clock: systemClock, logger: silentLogger, policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' },
    });
    const served = (name: string): number => (name === 'salesforce' ? sf.stats().apiCalls : dyn.stats().apiRequests);
    const out: EngineRunFigures[] = [];
    for (const pass of ['full sync', 'echo pass', 'idle pass']) {
      for (const instance of instances) {
        const before = served(instance.name);
        const s = await engine.runOnce({ connector: instance.name });
        out.push({
          pass, connector: s.connector, pulled: s.pulled, applied: s.applied, pushed: s.pushed, conflicts: s.conflicts, deadLetters: s.deadLetters,
          apiCalls: s.apiCalls, served: served(instance.name) - before, durationMs: s.durationMs,
          recordsPerSecond: s.durationMs > 0 ? Math.round(((s.applied + s.pushed) / s.durationMs) * 1000) : 0, error: s.error,
        });
      }
    }
    for (const instance of instances) await instance.connector.close();
    return out;
  } finally {
    await store.close();
    await sf.close();
    await dyn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
