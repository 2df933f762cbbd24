/**
 * writeBatch: plans every operation (write-plan.ts), packs the units into `$batch` requests of at
 * most `batchSize` requests (a changeset is never split), sends each with
 * `Prefer: odata.continue-on-error` so one bad record does not sink the rest, and maps every
 * unit's replies to a WriteResult in the order of the operations.
 */
import pLimit from 'p-limit';
import { ConnectorError, coerceError } from '../../src/errors';
import type { WriteOperation, WriteResult } from '../../src/ports/connector';
import { buildBatch, parseBatchResponse, type PartResponse } from './batch';
import type { ChoiceColumns } from './choices';
import type { CurrencyCache } from './currencies';
import { versionOf, WriteFieldError } from './fields';
import { OPPORTUNITY_KEY } from './options';
import { isClosedRecordError, parseDataverseError } from './parse-error';
import { readRecords } from './read-records';
import { planWrite, type Plan, type PlanContext } from './write-plan';
import type { WebApiClient } from './web-api';
import { isTimeout, type TimeoutError } from '../shared/http';

export interface WriteContext {
  api: WebApiClient;
  currencies: CurrencyCache;
  choices: ChoiceColumns;
  entitySet: string;
  pageSize: number;
  alternateKey: string;
  batchSize: number;
  /** `$batch` requests sent at once (each carries distinct records). */
  concurrency: number;
  /** `/api/data/v9.2/` */
  apiPath: string;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const needsCurrencies = (op: WriteOperation): boolean =>
  typeof op.fields.transactioncurrencyid === 'string' && !GUID.test(op.fields.transactioncurrencyid);

const failure = (op: WriteOperation, error: ConnectorError, stale = false): WriteResult => ({
  ok: false,
  id: op.kind === 'update' ? op.id : null,
  stale,
  error,
});

/** The `$batch` carrying this operation failed as a whole: no reply judged the row. */
const callFailure = (op: WriteOperation, error: ConnectorError): WriteResult => ({ ok: false, id: op.kind === 'update' ? op.id : null, stale: false, error, callFailed: true });

/**
 * A batch that timed out and could not be replayed may or may not have been applied. An update is
 * reported stale, so the row is read again and merged before anything else is written to it; a
 * create (an upsert on the alternate key) fails retryably: its replay finds the row it made.
 */
function unsettled(op: WriteOperation, error: TimeoutError): WriteResult {
  if (op.kind === 'update') {
    return failure(op, new ConnectorError({ code: 'conflict', message: `${error.message}; the row is read again before the next write`, crmCode: 'OUTCOME_UNKNOWN', cause: error }), true);
  }
  return failure(op, new ConnectorError({ code: 'transient', message: error.message, retryable: true, crmCode: 'OUTCOME_UNKNOWN', cause: error }));
}

function preflight(op: WriteOperation, ctx: PlanContext): Plan | WriteResult {
  try {
    if (op.kind === 'update' && !GUID.test(op.id)) throw new WriteFieldError(OPPORTUNITY_KEY, `not an opportunity id: ${op.id}`);
    return planWrite(op, ctx);
  } catch (error) {
    const e = coerceError(error);
    const fields = error instanceof WriteFieldError ? [error.field] : [];
    return failure(op, new ConnectorError({ code: 'validation', message: e.message, fields, cause: error }));
  }
}

/**
 * The row's id: from OData-EntityId (a plain create or upsert), else from the representation
 * (`return=representation` with `$select=<key>`): the opportunity key, or, for another table,
 * its one GUID-valued `<table>id` column.
 */
function idFrom(res: PartResponse): string | null {
  const fromBody = (): string | null => {
    try {
      const row = JSON.parse(res.body) as Record<string, unknown>;
      const v = row[OPPORTUNITY_KEY];
      if (typeof v === 'string') return v;
      const keys = Object.entries(row).filter(([k, value]) => !k.includes('@') && /id$/.test(k) && typeof value === 'string' && GUID.test(value));
      return keys.length === 1 ? String(keys[0]?.[1]) : null;
    } catch {
      return null;
    }
  };
  return /\(([0-9a-fA-F-]{36})\)\s*$/.exec(res.headers['odata-entityid'] ?? '')?.[1] ?? fromBody();
}

/** From the ETag header, or the representation's `@odata.etag` / versionnumber. */
function versionFrom(res: PartResponse | undefined): string | null {
  if (!res) return null;
  let v = versionOf(res.headers.etag);
  if (v === '' && res.body !== '') {
    try {
      const row = JSON.parse(res.body) as Record<string, unknown>;
      v = versionOf(row['@odata.etag'] ?? row.versionnumber);
    } catch {
      v = '';
    }
  }
  return v === '' ? null : v;
}

function interpret(op: WriteOperation, plan: Plan, replies: PartResponse[] | undefined): WriteResult {
  const expected = plan.unit.requests.length;
  const bad = replies?.find((r) => r.status >= 400);
  if (!replies || bad || replies.length < expected) {
    if (!bad) return failure(op, new ConnectorError({ code: 'transient', message: 'dynamics batch: no reply for this operation', retryable: true }));
    const error = parseDataverseError({ status: bad.status, body: bad.body, retryAfter: bad.headers['retry-after'], operation: `write ${op.kind}` });
    return failure(op, error, op.kind === 'update' && bad.status === 412);
  }
  const first = replies[0];
  const id = op.kind === 'update' ? op.id : first ? idFrom(first) : null;
  if (id === null) return failure(op, new ConnectorError({ code: 'unknown', message: 'dynamics batch: reply without the record id' }));
  const upsertReply = op.kind === 'create' ? first : replies[replies.length - 1];
  return {
    ok: true,
    id,
    created: op.kind === 'create' && first?.status === 201,
    version: plan.closes ? null : versionFrom(upsertReply),
  };
}

export async function writeBatch(ctx: WriteContext, input: readonly WriteOperation[]): Promise<WriteResult[]> {
  const ops = await ctx.choices.normalise(input);
  const results = await sendOperations(ctx, ops);
  await rewriteClosedRows(ctx, ops, results);
  return results;
}

/**
 * Updates refused because the row is Won or Lost (closed rows are read-only) are written again as
 * reopen -> columns -> close with the row's own outcome, in one changeset, guarded by the version
 * just re-read. Keeps the sync's own columns (status text, conflict flag) writable on closed
 * rows; Dataverse records one more opportunityclose activity.
 */
async function rewriteClosedRows(ctx: WriteContext, ops: readonly WriteOperation[], results: WriteResult[]): Promise<void> {
  const closed = ops.flatMap((op, i) => {
    const r = results[i];
    return op.kind === 'update' && r && !r.ok && isClosedRecordError(r.error) ? [{ op, i }] : [];
  });
  if (closed.length === 0) return;
  const rows = await readRecords(ctx, closed.map((c) => c.op.id), [...CLOSE_STATE_FIELDS]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const again: Array<{ i: number; op: WriteOperation }> = [];
  for (const { op, i } of closed) {
    const row = op.kind === 'update' ? byId.get(op.id) : undefined;
    if (!row || op.kind !== 'update' || 'statecode' in op.fields) continue;
    const state: Record<string, unknown> = {};
    for (const f of CLOSE_STATE_FIELDS) if (row.fields[f] !== null && row.fields[f] !== undefined) state[f] = row.fields[f];
    again.push({ i, op: { ...op, fields: { ...state, ...op.fields }, expectedVersion: row.version } });
  }
  const retried = await sendOperations(ctx, again.map((a) => a.op));
  again.forEach((a, k) => {
    const r = retried[k];
    if (r) results[a.i] = r;
  });
}

const CLOSE_STATE_FIELDS = ['statecode', 'statuscode', 'actualvalue', 'actualclosedate'] as const;

async function sendOperations(ctx: WriteContext, ops: readonly WriteOperation[]): Promise<WriteResult[]> {
  if (ops.some(needsCurrencies)) await ctx.currencies.load();
  const planCtx: PlanContext = {
    entitySet: ctx.entitySet,
    alternateKey: ctx.alternateKey,
    currencyId: (iso) => ctx.currencies.idOf(iso),
  };
  const results: Array<WriteResult | undefined> = new Array<WriteResult | undefined>(ops.length);
  const pending: Array<{ index: number; plan: Plan }> = [];
  ops.forEach((op, index) => {
    const planned = preflight(op, planCtx);
    if ('unit' in planned) pending.push({ index, plan: planned });
    else results[index] = planned;
  });
  const limit = pLimit(ctx.concurrency);
  const send = async (chunk: Array<{ index: number; plan: Plan }>): Promise<void> => {
    const { contentType, body } = buildBatch(ctx.apiPath, chunk.map((c) => c.plan.unit));
    let replies: PartResponse[][];
    try {
      const res = await ctx.api.send({
        method: 'POST',
        url: '$batch',
        headers: { 'Content-Type': contentType, Prefer: 'odata.continue-on-error' },
        body,
        operation: 'write batch',
        // Upserts on the alternate key and guarded PATCHes may be replayed; Win/Lose actions may not.
        idempotent: chunk.every((c) => !c.plan.closes),
      });
      replies = parseBatchResponse(res.headers.get('content-type'), res.text);
    } catch (error) {
      const e = error instanceof ConnectorError ? error : new ConnectorError({ code: 'unknown', message: coerceError(error).message, cause: error });
      for (const c of chunk) results[c.index] = isTimeout(error) ? unsettled(ops[c.index] as WriteOperation, error) : callFailure(ops[c.index] as WriteOperation, e);
      return;
    }
    chunk.forEach((c, i) => {
      results[c.index] = interpret(ops[c.index] as WriteOperation, c.plan, replies[i]);
    });
  };
  await Promise.all(chunks(pending, ctx.batchSize).map((chunk) => limit(() => send(chunk))));
  return results.map((r, i) => r ?? callFailure(ops[i] as WriteOperation, new ConnectorError({ code: 'unknown', message: 'not written' })));
}

function chunks<T extends { plan: Plan }>(items: T[], max: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const n = item.plan.unit.requests.length;
    if (size + n > max && current.length > 0) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}
