/**
 * Connector level: each connector reads N records (an initial load) and writes N (creates, then
 * guarded updates) against its simulator over real HTTP. API calls are counted twice: by the
 * connector (apiUsage) and by the simulator (requests it served, token requests apart).
 */
import path from 'node:path';
import { createDynamicsConnector } from '../connectors/dynamics';
import { startDynamicsSimulator } from '../connectors/dynamics/simulator';
import { createSalesforceConnector } from '../connectors/salesforce';
import { startSalesforceSimulator } from '../connectors/salesforce/simulator';
import { silentLogger } from '../src/log';
import { loadMapping } from '../src/mapping/load';
import type { CrmConnector, CrmRecord, WriteOperation } from '../src/ports/connector';
import { DEFAULT_RETRY_POLICY } from '../src/retry';
import { benchDynRow, benchDynWrite, benchKey, benchSfRecord } from './records';

export interface PhaseFigures {
  connector: 'salesforce' | 'dynamics';
  phase: string;
  records: number;
  ok: number;
  failed: number;
  /** Calls the connector counted. */
  apiCalls: number;
  /** Requests the simulator served (token requests apart). */
  served: number;
  /** The fewest calls the API allows for this many records, or null where there is no such figure. */
  floor: number | null;
  durationMs: number;
  recordsPerSecond: number;
}

export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

const ceil = (n: number, per: number): number => Math.ceil(n / per);

interface Counted {
  connector: CrmConnector;
  served(): number;
}

async function measure(
  c: Counted, figures: Omit<PhaseFigures, 'ok' | 'failed' | 'apiCalls' | 'served' | 'durationMs' | 'recordsPerSecond'>,
  work: () => Promise<{ ok: number; failed: number }>,
): Promise<PhaseFigures> {
  const calls = c.connector.apiUsage().calls;
  const served = c.served();
  const started = process.hrtime.bigint();
  const { ok, failed } = await work();
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    ...figures, ok, failed, apiCalls: c.connector.apiUsage().calls - calls, served: c.served() - served,
    durationMs: Math.round(durationMs), recordsPerSecond: Math.round((figures.records / durationMs) * 1000),
  };
}

async function readAll(connector: CrmConnector, fields: readonly string[]): Promise<CrmRecord[]> {
  const out: CrmRecord[] = [];
  for await (const page of connector.readChanges({ cursor: null, fields })) out.push(...page.records);
  return out;
}

async function write(connector: CrmConnector, ops: WriteOperation[]): Promise<{ ok: number; failed: number }> {
  const results = await connector.writeBatch(ops);
  const ok = results.filter((r) => r.ok).length;
  return { ok, failed: results.length - ok };
}

/** Salesforce: REST query paging (2,000 a page) and, apart, a Bulk API 2.0 initial load; collections writes. */
export async function salesforceBench(n: number): Promise<PhaseFigures[]> {
  const sim = await startSalesforceSimulator();
  try {
    for (let from = 0; from < n; from += 1000) sim.seed(Array.from({ length: Math.min(1000, n - from) }, (_, k) => benchSfRecord(from + k)));
    const fields = loadMapping(path.join(ROOT, 'config/mappings/salesforce.yaml')).crmFields;
    const make = (bulkThreshold: number): Counted => ({
      connector: createSalesforceConnector(
        {
          name: 'bench-sf', loginUrl: sim.url, auth: { kind: 'client_credentials', clientId: 'bench', clientSecret: 'bench' },
          filter: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] }, pageSize: 2000, bulkThreshold, retry: DEFAULT_RETRY_POLICY,
        },
        { logger: silentLogger },
      ),
      served: () => sim.stats().apiCalls,
    });
    const rest = make(Number.MAX_SAFE_INTEGER);
    const bulk = make(2000);
    let read: CrmRecord[] = [];
    const out: PhaseFigures[] = [];
    out.push(await measure(rest, { connector: 'salesforce', phase: 'read (REST query)', records: n, floor: ceil(n, 2000) }, async () => {
      read = await readAll(rest.connector, fields);
      return { ok: read.length, failed: n - read.length };
    }));
    out.push(await measure(bulk, { connector: 'salesforce', phase: 'read (Bulk API 2.0)', records: n, floor: null }, async () => {
      const all = await readAll(bulk.connector, fields);
      return { ok: all.length, failed: n - all.length };
    }));
    const creates: WriteOperation[] = Array.from({ length: n }, (_, i) => ({ kind: 'create', externalKey: benchKey('1', i), fields: benchSfRecord(n + i) }));
    out.push(await measure(rest, { connector: 'salesforce', phase: 'create (upsert)', records: n, floor: ceil(n, 200) }, () => write(rest.connector, creates)));
    const updates: WriteOperation[] = read.map((r, i) => ({ kind: 'update', id: r.id, expectedVersion: r.version, fields: { Amount: 20000 + i, Description: `Benchmark update ${i}` } }));
    out.push(await measure(rest, { connector: 'salesforce', phase: 'update (guarded)', records: n, floor: ceil(n, 200) }, () => write(rest.connector, updates)));
    for (const c of [rest, bulk]) await c.connector.close();
    return out;
  } finally {
    await sim.close();
  }
}

/** Dynamics: change-tracking reads (5,000 a page); `$batch` writes (1,000 requests a batch). */
export async function dynamicsBench(n: number): Promise<PhaseFigures[]> {
  const sim = await startDynamicsSimulator();
  try {
    for (let from = 0; from < n; from += 1000) sim.seed(Array.from({ length: Math.min(1000, n - from) }, (_, k) => benchDynRow(from + k, sim.currencies)));
    const fields = loadMapping(path.join(ROOT, 'config/mappings/dynamics.yaml')).crmFields;
    const c: Counted = {
      connector: createDynamicsConnector(
        {
          name: 'bench-dyn', url: sim.url, auth: { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority },
          filter: { all: [{ field: 'cosell_sync', op: 'eq', value: true }] }, pageSize: 5000, batchSize: 1000,
        },
        { logger: silentLogger },
      ),
      served: () => sim.stats().apiRequests,
    };
    let read: CrmRecord[] = [];
    const out: PhaseFigures[] = [];
    out.push(await measure(c, { connector: 'dynamics', phase: 'read (change tracking)', records: n, floor: ceil(n, 5000) }, async () => {
      read = await readAll(c.connector, fields);
      return { ok: read.length, failed: n - read.length };
    }));
    const creates: WriteOperation[] = Array.from({ length: n }, (_, i) => ({ kind: 'create', externalKey: benchKey('2', i), fields: benchDynWrite(n + i) }));
    out.push(await measure(c, { connector: 'dynamics', phase: 'create (upsert on alternate key)', records: n, floor: ceil(n, 1000) }, () => write(c.connector, creates)));
    const updates: WriteOperation[] = read.map((r, i) => ({ kind: 'update', id: r.id, expectedVersion: r.version, fields: { estimatedvalue: 20000 + i, description: `Benchmark update ${i}` } }));
    out.push(await measure(c, { connector: 'dynamics', phase: 'update (If-Match)', records: n, floor: ceil(n, 1000) }, () => write(c.connector, updates)));
    await c.connector.close();
    return out;
  } finally {
    await sim.close();
  }
}
