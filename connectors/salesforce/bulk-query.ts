/**
 * Initial loads above the bulk threshold through a Bulk API 2.0 query job, run by jsforce's
 * `bulk2.query` (create the job, poll until JobComplete, read the CSV results following
 * `Sforce-Locator`, delete the job on failure). Its record stream is cut into pages of
 * `pageSize`; CSV text is turned back into JSON values with the object's describe types.
 */
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

export async function* bulkQueryPages(p: BulkQueryParams): AsyncGenerator<CrmRecord[]> {
  const stream = await p.client.call(
    'bulkQuery',
    (conn) =>
      conn.bulk2.query(p.soql, {
        pollInterval: p.pollIntervalMs ?? BULK_POLL_DEFAULTS.pollIntervalMs,
        pollTimeout: p.pollTimeoutMs ?? BULK_POLL_DEFAULTS.pollTimeoutMs,
      }),
    p.signal,
  );
  let page: CrmRecord[] = [];
  for await (const row of stream as AsyncIterable<Record<string, unknown>>) {
    page.push(toRecord(row, p));
    if (page.length >= p.pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
