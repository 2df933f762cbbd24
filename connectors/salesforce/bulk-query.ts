/**
 * Initial loads above the bulk threshold through a Bulk API 2.0 query job, run by jsforce's
 * query job (create the job, poll until JobComplete, delete it on failure); the CSV results are
 * read a chunk of `pageSize` records at a time, each chunk one page; CSV text is turned back into
 * JSON values with the object's describe types.
 */
import { QueryJobV2 } from 'jsforce/lib/api/bulk2';
import { ConnectorError } from '../../src/errors';
import type { CrmRecord } from '../../src/ports/connector';
import type { SalesforceClient } from './client';
import { makeVersion, valueMap } from './records';

export interface BulkQueryParams {
  client: SalesforceClient;
  soql: string;
  fields: readonly string[];
  /** Field name → Salesforce describe type, to turn CSV text back into JSON values. */
  types: ReadonlyMap<string, string>;
  pageSize: number;
  /** How often jsforce checks the job's state, and how long it waits for JobComplete. */
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
  signal?: AbortSignal;
}

export const BULK_POLL_DEFAULTS = { pollIntervalMs: 1000, pollTimeoutMs: 30 * 60_000 } as const;

const NUMERIC = new Set(['double', 'currency', 'percent', 'int', 'long']);

function convert(type: string | undefined, text: unknown): unknown {
  if (text === '' || text === null || text === undefined) return null;
  const value = String(text);
  if (type === 'boolean') return value === 'true';
  if (type !== undefined && NUMERIC.has(type)) return Number(value);
  if (type === 'datetime') return new Date(value).toISOString().replace('Z', '+0000');
  return value;
}

function toRecord(row: Record<string, unknown>, p: BulkQueryParams): CrmRecord {
  const byName = new Map(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
  const fields: Record<string, unknown> = {};
  for (const f of p.fields) fields[f] = convert(p.types.get(f.toLowerCase()), byName.get(f.toLowerCase()));
  const stamp = String(convert('datetime', byName.get('systemmodstamp')) ?? '');
  return { id: String(byName.get('id') ?? ''), fields, version: makeVersion(stamp, p.fields, valueMap(fields)), modifiedAt: stamp === '' ? null : stamp };
}

/** What the results loop needs of jsforce's query job: its id, one results request, the locator it read. */
interface ResultsRequests {
  readonly id: string | undefined;
  locator?: string;
  createQueryRequest(request: { method: 'GET'; path: string; headers: Record<string, string> }): Promise<unknown>;
}

/**
 * A job that ended Failed or Aborted (Bulk API 2.0 guide, "Get Information About a Query Job"):
 * jsforce reports either as a bare Error without the job or its state, so the state is read once
 * more and the error names both. A failed job is Salesforce's own failure, worth a new job later
 * (transient); an aborted one was stopped by someone in the org and is not retried.
 */
async function endedJobError(client: SalesforceClient, job: { check(): Promise<{ id: string; state: string }> }, cause: unknown): Promise<unknown> {
  const info: { id: string; state: string; errorMessage?: unknown } | null = await client.call('bulkQueryCheck', () => job.check()).catch(() => null);
  if (info?.state !== 'Failed' && info?.state !== 'Aborted') return cause;
  const failed = info.state === 'Failed';
  const detail = typeof info.errorMessage === 'string' && info.errorMessage !== '' ? `: ${info.errorMessage}` : '';
  return new ConnectorError({
    code: failed ? 'transient' : 'unknown',
    retryable: failed,
    message: `Bulk API 2.0 query job ${info.id} ended in state ${info.state}${detail}`,
    crmCode: failed ? 'JOB_FAILED' : 'JOB_ABORTED',
    cause,
  });
}

/**
 * The job is created and polled through jsforce; its results are read one chunk of `pageSize`
 * records at a time (`maxRecords`, following `Sforce-Locator`), each chunk a request of its own
 * and a page handed on before the next is asked for, so memory holds one chunk whatever the
 * number of records. (jsforce's own `result()` fetches every chunk before returning and pipes
 * them into one CSV stream, which interleaves them when there are several.)
 */
export async function* bulkQueryPages(p: BulkQueryParams): AsyncGenerator<CrmRecord[]> {
  const pollInterval = p.pollIntervalMs ?? BULK_POLL_DEFAULTS.pollIntervalMs;
  const pollTimeout = p.pollTimeoutMs ?? BULK_POLL_DEFAULTS.pollTimeoutMs;
  const job = await p.client.call(
    'bulkQuery',
    async (conn) => {
      const created = new QueryJobV2(conn, { bodyParams: { query: p.soql, operation: 'query' }, pollingOptions: { pollInterval, pollTimeout } });
      await created.open();
      return created;
    },
    p.signal,
  );
  const requests = job as unknown as ResultsRequests;
  try {
    await p.client.call('bulkQueryPoll', () => job.poll(pollInterval, pollTimeout), p.signal).catch(async (err: unknown) => {
      throw await endedJobError(p.client, job, err);
    });
    let locator: string | null = null;
    do {
      const path: string = `/${requests.id ?? ''}/results?maxRecords=${p.pageSize}${locator === null ? '' : `&locator=${encodeURIComponent(locator)}`}`;
      const rows = await p.client.call('bulkQueryResults', () => requests.createQueryRequest({ method: 'GET', path, headers: { Accept: 'text/csv' } }), p.signal);
      locator = requests.locator === undefined || requests.locator === 'null' ? null : requests.locator;
      const records = (Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : []).map((row) => toRecord(row, p));
      if (records.length > 0) yield records;
    } while (locator !== null);
  } catch (error) {
    // The job is of no use once its results cannot be read: deleted, as jsforce does on failure.
    void job.delete().catch(() => undefined);
    throw error;
  }
}
