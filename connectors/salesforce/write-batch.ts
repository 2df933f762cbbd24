/**
 * Writes through sObject Collections (REST API guide, "sObject Collections"; ≤200 records per
 * call, allOrNone false so each row succeeds or fails alone). Creates are upserts on the
 * external-id field, so a retried create never duplicates. Updates carrying an expected version
 * are checked first with one query per chunk: rows whose SystemModstamp moved are reported stale
 * and not written (the engine re-reads and merges).
 */
import pLimit from 'p-limit';
import { ConnectorError } from '../../src/errors';
import { withRetry, type RetryPolicy } from '../../src/retry';
import type { WriteOperation, WriteResult } from '../../src/ports/connector';
import type { SalesforceClient } from './client';
import { fromErrorItems } from './parse-error';
import { QueryPage, SaveResults } from './schema';
import { fieldsOfKey, parseVersion, selectList, toCrmRecord, valueMap, valuesHash } from './records';
import { assertFieldName, assertIdentifier, idList } from './soql';

export interface WriteContext {
  client: SalesforceClient;
  object: string;
  externalIdField: string;
  chunkSize: number;
  /** Chunks written at once (each chunk its own check query and collections call). */
  concurrency: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

type Indexed<T> = { index: number; op: T };
type CreateOp = Extract<WriteOperation, { kind: 'create' }>;
type UpdateOp = Extract<WriteOperation, { kind: 'update' }>;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const stampMs = (s: string): number => Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
/** The call carrying these rows failed as a whole (no per-row answer): each row is tried again later. */
const failAll = <T>(items: Indexed<T>[], error: ConnectorError, results: WriteResult[], idOf: (op: T) => string | null): void => {
  for (const { index, op } of items) results[index] = { ok: false, id: idOf(op), stale: false, error, callFailed: true };
};

async function writeCreates(ctx: WriteContext, items: Indexed<CreateOp>[], results: WriteResult[]): Promise<void> {
  const records = items.map(({ op }) => {
    const { Id: _id, id: _id2, ...fields } = op.fields;
    return { ...fields, [ctx.externalIdField]: op.externalKey };
  });
  const raw = await ctx.client.call('upsert', (conn) => conn.upsert(ctx.object, records, ctx.externalIdField, { allOrNone: false }), ctx.signal);
  const rows = SaveResults.parse(raw);
  items.forEach(({ index }, i) => {
    const row = rows[i];
    if (row?.success && row.id) results[index] = { ok: true, id: row.id, created: row.created ?? false, version: null };
    else results[index] = { ok: false, id: null, stale: false, error: fromErrorItems(row?.errors ?? [{ message: 'no result for this record' }]) };
  });
}

/**
 * One query for the chunk's current stamps and read fields; returns the ops still to write. An org
 * stamps whole seconds, so an edit within the second of the read keeps the stamp: the values the
 * version's hash covers are read again and hashed. A version whose field list this process has
 * not read (stamp only, or read before a restart) is checked on the stamp alone.
 */
async function dropStale(ctx: WriteContext, items: Indexed<UpdateOp>[], results: WriteResult[]): Promise<Indexed<UpdateOp>[]> {
  const checked = items.filter(({ op }) => op.expectedVersion !== null);
  if (checked.length === 0) return items;
  const extra = new Set<string>();
  for (const { op } of checked) {
    const { key } = parseVersion(op.expectedVersion ?? '');
    for (const f of (key && fieldsOfKey(key)) || []) extra.add(f);
  }
  const select = selectList([...extra]);
  for (const f of select) assertFieldName(f, select);
  const soql = `SELECT ${select.join(', ')} FROM ${assertIdentifier(ctx.object)} WHERE Id IN ${idList(checked.map(({ op }) => op.id))}`;
  const page = QueryPage.parse(await ctx.client.call('versionCheck', async (conn) => await conn.query(soql, { autoFetch: false }), ctx.signal));
  const current = new Map(page.records.map((r) => [String(r['Id']).slice(0, 15), toCrmRecord(r, [...extra])]));
  return items.filter(({ index, op }) => {
    if (op.expectedVersion === null) return true;
    const now = current.get(op.id.slice(0, 15));
    if (now === undefined) {
      results[index] = { ok: false, id: op.id, stale: false, error: new ConnectorError({ code: 'not_found', message: `${ctx.object} ${op.id} does not exist or is deleted`, crmCode: 'NOT_FOUND' }) };
      return false;
    }
    const expected = parseVersion(op.expectedVersion);
    const stamp = parseVersion(now.version).stamp;
    const moved = stampMs(stamp) !== stampMs(expected.stamp);
    const edited = !moved && expected.key !== undefined && fieldsOfKey(expected.key) !== undefined && valuesHash(expected.key, valueMap(now.fields)) !== expected.hash;
    if (moved || edited) {
      const why = moved ? `SystemModstamp ${stamp}, expected ${expected.stamp}` : `values changed within SystemModstamp ${stamp}`;
      results[index] = {
        ok: false,
        id: op.id,
        stale: true,
        error: new ConnectorError({ code: 'conflict', message: `${ctx.object} ${op.id} changed since it was read (${why})`, crmCode: 'STALE_VERSION' }),
      };
      return false;
    }
    return true;
  });
}

async function writeUpdates(ctx: WriteContext, items: Indexed<UpdateOp>[], results: WriteResult[]): Promise<void> {
  const fresh = await dropStale(ctx, items, results);
  if (fresh.length === 0) return;
  const records = fresh.map(({ op }) => {
    const { Id: _id, id: _id2, ...fields } = op.fields;
    return { ...fields, Id: op.id };
  });
  const rows = SaveResults.parse(await ctx.client.call('update', (conn) => conn.update(ctx.object, records, { allOrNone: false }), ctx.signal));
  fresh.forEach(({ index, op }, i) => {
    const row = rows[i];
    results[index] = row?.success ? { ok: true, id: op.id, created: false, version: null } : { ok: false, id: op.id, stale: false, error: fromErrorItems(row?.errors ?? [{ message: 'no result for this record' }]) };
  });
}

/**
 * Runs `write` for a chunk, then again for the rows that failed with a retryable per-record
 * error (UNABLE_TO_LOCK_ROW: another transaction held the row), under the shared retry policy.
 * A chunk that fails as a whole (after the call's own retries) fails its rows, never the others.
 */
async function writeWithRowRetry<T>(ctx: WriteContext, chunk: Indexed<T>[], results: WriteResult[], write: (items: Indexed<T>[]) => Promise<void>, idOf: (op: T) => string | null): Promise<void> {
  let pending = chunk;
  await withRetry(
    async () => {
      try {
        await write(pending);
      } catch (err) {
        failAll(pending, toConnectorError(err), results, idOf);
        return;
      }
      pending = pending.filter(({ index }) => {
        const r = results[index];
        return r !== undefined && !r.ok && !r.stale && r.error.retryable;
      });
      const first = pending[0] && results[pending[0].index];
      // The rows keep their failure when the policy gives up: the error only drives the retry.
      if (first && !first.ok) throw first.error;
    },
    { policy: ctx.retry, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  ).catch((err: unknown) => {
    if (!(err instanceof ConnectorError)) throw err;
  });
}

export async function writeBatch(ctx: WriteContext, ops: readonly WriteOperation[]): Promise<WriteResult[]> {
  const results: WriteResult[] = new Array<WriteResult>(ops.length);
  const creates: Indexed<CreateOp>[] = [];
  const updates: Indexed<UpdateOp>[] = [];
  ops.forEach((op, index) => (op.kind === 'create' ? creates.push({ index, op }) : updates.push({ index, op })));
  // Chunks touch distinct records (an operation appears once), so they may be written side by side.
  const limit = pLimit(ctx.concurrency);
  await Promise.all(chunks(creates, ctx.chunkSize).map((chunk) => limit(() => writeWithRowRetry(ctx, chunk, results, (items) => writeCreates(ctx, items, results), () => null))));
  await Promise.all(chunks(updates, ctx.chunkSize).map((chunk) => limit(() => writeWithRowRetry(ctx, chunk, results, (items) => writeUpdates(ctx, items, results), (op) => op.id))));
  return results;
}

function toConnectorError(err: unknown): ConnectorError {
  return err instanceof ConnectorError ? err : new ConnectorError({ code: 'unknown', message: err instanceof Error ? err.message : String(err), cause: err });
}
