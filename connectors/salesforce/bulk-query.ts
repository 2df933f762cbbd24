/**
 * Initial loads above the bulk threshold through Bulk API 2.0 query jobs (Bulk API 2.0 guide,
 * "Query Jobs"): create, poll until JobComplete, then fetch CSV results chunk by chunk following
 * `Sforce-Locator` until it is the string "null". The CSV download needs the response headers,
 * which jsforce's request() hides, so it uses fetch with the connection's token.
 */
import type { CrmRecord } from '../../src/ports/connector';
import { ConnectorError } from '../../src/errors';
import type { SalesforceClient } from './client';
import { parseCsv } from './csv';
import { BulkJob } from './schema';

export interface BulkQueryParams {
  client: SalesforceClient;
  apiVersion: string;
  soql: string;
  fields: readonly string[];
  /** Field name → Salesforce describe type, to turn CSV text back into JSON values. */
  types: ReadonlyMap<string, string>;
  pageSize: number;
  pollMs?: number;
  signal?: AbortSignal;
}

const NUMERIC = new Set(['double', 'currency', 'percent', 'int', 'long']);

function convert(type: string | undefined, text: string): unknown {
  if (text === '') return null;
  if (type === 'boolean') return text === 'true';
  if (type !== undefined && NUMERIC.has(type)) return Number(text);
  if (type === 'datetime') return new Date(text).toISOString().replace('Z', '+0000');
  return text;
}

/** A failed HTTP reply shaped like jsforce's HttpApiError, so parseSalesforceError reads it the same way. */
async function httpError(res: Response): Promise<Error> {
  const text = await res.text();
  let item: { errorCode?: string; message?: string } = {};
  try {
    const body: unknown = JSON.parse(text);
    item = (Array.isArray(body) ? body[0] : body) as typeof item;
  } catch {
    item = { errorCode: `ERROR_HTTP_${res.status}`, message: text };
  }
  const err = new Error(item.message ?? `HTTP ${res.status}`);
  err.name = item.errorCode ?? `ERROR_HTTP_${res.status}`;
  return Object.assign(err, { errorCode: err.name, data: [item] });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function* bulkQueryPages(p: BulkQueryParams): AsyncGenerator<CrmRecord[]> {
  const base = `/services/data/v${p.apiVersion}/jobs/query`;
  const job = BulkJob.parse(
    await p.client.call('bulkCreate', (conn) => conn.request({ method: 'POST', url: base, body: JSON.stringify({ operation: 'query', query: p.soql }), headers: { 'content-type': 'application/json' } }), p.signal),
  );
  for (let polls = 0; ; polls += 1) {
    const state = BulkJob.parse(await p.client.call('bulkPoll', (conn) => conn.request(`${base}/${job.id}`), p.signal));
    if (state.state === 'JobComplete') break;
    if (state.state === 'Failed' || state.state === 'Aborted') throw new ConnectorError({ code: 'transient', retryable: true, message: `bulk query job ${state.state}: ${state.errorMessage ?? ''}` });
    if (polls > 600) throw new ConnectorError({ code: 'transient', retryable: true, message: 'bulk query job did not finish in time' });
    await sleep(p.pollMs ?? Math.min(2000, 50 * 2 ** Math.min(polls, 5)));
  }
  let locator: string | null = '';
  while (locator !== null) {
    const query = new URLSearchParams({ maxRecords: String(p.pageSize), ...(locator ? { locator } : {}) });
    const { csv, next } = await p.client.call(
      'bulkResults',
      async (conn) => {
        const res = await fetch(`${conn.instanceUrl}${base}/${job.id}/results?${query.toString()}`, { headers: { authorization: `Bearer ${conn.accessToken ?? ''}`, accept: 'text/csv' }, ...(p.signal ? { signal: p.signal } : {}) });
        if (!res.ok) throw await httpError(res);
        return { csv: await res.text(), next: res.headers.get('sforce-locator') };
      },
      p.signal,
    );
    locator = next === null || next === 'null' || next === '' ? null : next;
    const [header, ...rows] = parseCsv(csv);
    if (!header) continue;
    const records = rows.map((row): CrmRecord => {
      const byName = new Map(header.map((h, i) => [h.toLowerCase(), row[i] ?? '']));
      const fields: Record<string, unknown> = {};
      for (const f of p.fields) fields[f] = convert(p.types.get(f.toLowerCase()), byName.get(f.toLowerCase()) ?? '');
      const version = String(convert('datetime', byName.get('systemmodstamp') ?? '') ?? '');
      return { id: byName.get('id') ?? '', fields, version, modifiedAt: version === '' ? null : version };
    });
    if (records.length > 0) yield records;
  }
  // Results stay on the org for days; delete the finished job (best effort, it is only tidying).
  await p.client.call('bulkDelete', (conn) => conn.request({ method: 'DELETE', url: `${base}/${job.id}` }), p.signal).catch(() => undefined);
}
