/**
 * GET /query?q=, /queryAll?q= and the cursor GET /query/<locator>-<offset> (REST API guide,
 * "Query" and "Execute a Query: more results"). Batch size comes from
 * `Sforce-Query-Options: batchSize=N` (200..2000, default 2000).
 */
import { randomBytes } from 'node:crypto';
import type { ApiRoute, SimContext } from './context';
import { headerValue, sfError, type SimRequest, type SimResponse } from './http-util';
import { restRow, runQuery, type QueryOutcome } from './query-engine';
import { SoqlSyntaxError } from './soql/lexer';
import { SoqlSemanticError } from './soql/evaluate';

interface Cursor {
  rows: Array<Record<string, unknown>>;
  batchSize: number;
}

const MAX_CURSORS = 500;
const cursorsByStore = new WeakMap<object, Map<string, Cursor>>();

function cursors(ctx: SimContext): Map<string, Cursor> {
  let m = cursorsByStore.get(ctx.store);
  if (!m) {
    m = new Map();
    cursorsByStore.set(ctx.store, m);
  }
  return m;
}

function batchSize(req: SimRequest): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(headerValue(req, 'sforce-query-options') ?? '');
  const n = m?.[1] ? Number(m[1]) : 2000;
  return Math.min(2000, Math.max(200, n));
}

export function queryErrorResponse(err: unknown): SimResponse {
  if (err instanceof SoqlSyntaxError) return sfError(400, 'MALFORMED_QUERY', err.message);
  if (err instanceof SoqlSemanticError) return sfError(400, err.errorCode, err.message);
  throw err;
}

function page(ctx: SimContext, locator: string, cursor: Cursor, offset: number, totalSize: number): SimResponse {
  const end = offset + cursor.batchSize;
  const done = end >= cursor.rows.length;
  const body: Record<string, unknown> = { totalSize, done, records: cursor.rows.slice(offset, end) };
  if (done) cursors(ctx).delete(locator);
  else body['nextRecordsUrl'] = `/services/data/v${ctx.version}/query/${locator}-${end}`;
  return { status: 200, body };
}

function startQuery(ctx: SimContext, req: SimRequest, includeDeleted: boolean): SimResponse {
  const soql = req.query.get('q');
  if (!soql) return sfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  let out: QueryOutcome;
  try {
    out = runQuery(ctx.store, soql, includeDeleted);
  } catch (err) {
    return queryErrorResponse(err);
  }
  if (out.query.count) return { status: 200, body: { totalSize: out.totalSize, done: true, records: [] } };
  const cursor: Cursor = { rows: out.rows.map((r) => restRow(ctx.store, ctx.version, out, r)), batchSize: batchSize(req) };
  const locator = `01g${randomBytes(8).toString('hex').slice(0, 12)}`;
  const all = cursors(ctx);
  all.set(locator, cursor);
  if (all.size > MAX_CURSORS) {
    const oldest = all.keys().next().value;
    if (oldest !== undefined) all.delete(oldest);
  }
  return page(ctx, locator, cursor, 0, out.totalSize);
}

export const queryRoutes: ApiRoute[] = [
  { method: 'GET', pattern: /^\/query\/?$/, handle: (ctx, req) => startQuery(ctx, req, false) },
  { method: 'GET', pattern: /^\/queryAll\/?$/, handle: (ctx, req) => startQuery(ctx, req, true) },
  {
    method: 'GET',
    pattern: /^\/query(?:All)?\/([A-Za-z0-9]+)-(\d+)$/,
    handle: (ctx, _req, m) => {
      const locator = m[1] ?? '';
      const cursor = cursors(ctx).get(locator);
      if (!cursor) return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return page(ctx, locator, cursor, Number(m[2]), cursor.rows.length);
    },
  },
];
