/**
 * The per-record baseline: the same backfill done the way per-record flow tools do it, one read
 * and one write request per record, through the same connectors and simulators. It runs on a
 * sample of the records and is scaled to N (calls and time grow linearly with the records there:
 * every record costs the same two requests).
 */
import { benchInstances } from './bench-instances';
import { benchDynWrite, benchKey } from './records';
import type { SimClient } from './sim-client';

export interface BaselineFigures {
  sample: number;
  records: number;
  /** Requests the simulators served for the sample. */
  sampleCalls: number;
  sampleMs: number;
  /** Scaled to `records`. */
  calls: number;
  ms: number;
  failed: number;
}

const READ_FIELDS = ['Name', 'Amount', 'CurrencyIsoCode', 'CloseDate', 'StageName', 'Description', 'CoSell_Customer_Name__c'];

export async function perRecordBaseline(sim: SimClient, records: number, sample: number): Promise<BaselineFigures> {
  const n = Math.min(sample, records);
  const [sf, dyn] = benchInstances(sim.started.salesforceUrl, sim.started.dynamics);
  if (!sf || !dyn) throw new Error('bench instances missing');
  const ids = await sim.ids('salesforce', n);
  // Sign in first: a flow tool holds its connections open too.
  await sf.connector.readRecords(ids.slice(0, 1), READ_FIELDS);
  await dyn.connector.writeBatch([{ kind: 'create', externalKey: benchKey('9999', 0), fields: benchDynWrite(0) }]);
  const before = await sim.stats();
  const started = process.hrtime.bigint();
  let failed = 0;
  for (const [i, id] of ids.entries()) {
    const [rec] = await sf.connector.readRecords([id], READ_FIELDS);
    if (!rec) {
      failed += 1;
      continue;
    }
    const [res] = await dyn.connector.writeBatch([{ kind: 'create', externalKey: benchKey('9998', i), fields: { ...benchDynWrite(i), name: String(rec.fields['Name']) } }]);
    if (!res?.ok) failed += 1;
  }
  const sampleMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const after = await sim.stats();
  await sf.connector.close();
  await dyn.connector.close();
  const sampleCalls = after.salesforceCalls - before.salesforceCalls + (after.dynamicsCalls - before.dynamicsCalls);
  const scale = records / Math.max(1, ids.length);
  return { sample: ids.length, records, sampleCalls, sampleMs, calls: Math.round(sampleCalls * scale), ms: Math.round(sampleMs * scale), failed };
}
