/**
 * Engine level: N Salesforce opportunities pulled into a SQLite store and pushed out to Dynamics
 * through the real sync engine, connectors and shipped mappings; then passes with nothing new
 * (the first reads our own writes back and must apply nothing; the next is idle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDynamicsConnector } from '../connectors/dynamics';
import { startDynamicsSimulator } from '../connectors/dynamics/simulator';
import { createSalesforceConnector } from '../connectors/salesforce';
import { startSalesforceSimulator } from '../connectors/salesforce/simulator';
import { systemClock } from '../src/core/clock';
import { silentLogger } from '../src/log';
import { loadMapping } from '../src/mapping/load';
import { DEFAULT_RETRY_POLICY } from '../src/retry';
import { createStore } from '../src/store';
import { createSyncEngine } from '../src/sync/engine';
import type { ConnectorInstance } from '../src/sync/ports';
import { ROOT } from './connector-bench';
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
    // As config/cosell-sync.example.yaml: Salesforce pages of 2,000 and a Bulk API 2.0 initial load
    // above 2,000 records, pushes of 200; Dynamics pages of 5,000, pushes of 500.
    const instances: ConnectorInstance[] = [
      {
        name: 'salesforce', mapping: loadMapping(path.join(ROOT, 'config/mappings/salesforce.yaml')), publish: 'all', pushBatchSize: 200,
        connector: createSalesforceConnector(
          {
            name: 'salesforce', loginUrl: sf.url, auth: { kind: 'client_credentials', clientId: 'bench', clientSecret: 'bench' },
            filter: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] }, pageSize: 2000, bulkThreshold: 2000, retry: DEFAULT_RETRY_POLICY,
          },
          { logger: silentLogger },
        ),
      },
      {
        name: 'dynamics', mapping: loadMapping(path.join(ROOT, 'config/mappings/dynamics.yaml')), publish: 'all', pushBatchSize: 500,
        connector: createDynamicsConnector(
          {
            name: 'dynamics', url: dyn.url, auth: { tenantId: dyn.tenantId, clientId: dyn.clientId, clientSecret: dyn.clientSecret, authority: dyn.authority },
            filter: { all: [{ field: 'cosell_sync', op: 'eq', value: true }] }, pageSize: 5000, batchSize: 1000,
          },
          { logger: silentLogger },
        ),
      },
    ];
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
