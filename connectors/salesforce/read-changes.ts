/**
 * Incremental reads on (SystemModstamp, Id): `WHERE <filter> AND (SystemModstamp > :ts OR
 * (SystemModstamp = :ts AND Id > :id)) ORDER BY SystemModstamp, Id`. With the Id tiebreak the
 * last row of a page is an exact position, so records sharing one stamp across page boundaries
 * are each read once. Deletes come from getDeleted (REST API guide, "Get Deleted Records"); when
 * the org's log no longer reaches back to the cursor (`earliestDateAvailable` later than it) the
 * read becomes a full pass flagged fullResync.
 */
import type { ChangePage, CrmRecord, ReadChangesParams } from '../../src/ports/connector';
import { isConnectorError } from '../../src/errors';
import type { Logger } from '../../src/log';
import type { SalesforceClient } from './client';
import { decodeCursor, encodeCursor, type SalesforceCursor } from './cursor';
import { parseVersion, toCrmRecord, selectList } from './records';
import { DeletedResult, QueryPage } from './schema';
import { assertFieldName, assertIdentifier, soqlDateTime, soqlLiteral } from './soql';
import { bulkQueryPages } from './bulk-query';

export interface ReadContext {
  client: SalesforceClient;
  object: string;
  apiVersion: string;
  /** The participation filter, already rendered safely (null: no filter). */
  filterSoql: string | null;
  /** Field names the filter uses (allowed in addition to the mapped fields). */
  filterFields: readonly string[];
  pageSize: number;
  bulkThreshold: number;
  bulkPageSize: number;
  logger: Logger;
  now: () => number;
  /**
   * A real org stamps a record when its transaction starts writing it, and the transaction can
   * commit after later stamps were read: such a record shows up behind the cursor. With
   * settleMs > 0 each read starts settleMs before the cursor and skips the records it already
   * read there (same Id and version, kept in the cursor), so the late one is read once and
   * nothing is read twice. Stamps are whole seconds, so another edit can land in the cursor's
   * own second after the read: every read, even with 0, starts at the beginning of that second.
   */
  settleMs: number;
  fieldTypes: () => Promise<ReadonlyMap<string, string>>;
}

export function buildChangesSoql(
  ctx: Pick<ReadContext, 'object' | 'filterSoql' | 'filterFields'>,
  fields: readonly string[],
  pos: { stamp: string | null; id: string | null; inclusive?: boolean },
  horizon: number | null = null,
): string {
  const select = selectList(fields);
  const allowed = [...select, ...ctx.filterFields];
  for (const f of select) assertFieldName(f, allowed);
  const conds: string[] = [];
  if (ctx.filterSoql) conds.push(`(${ctx.filterSoql})`);
  if (pos.stamp !== null) {
    const ts = soqlDateTime(pos.stamp);
    if (pos.inclusive === true) conds.push(`SystemModstamp >= ${ts}`);
    else conds.push(pos.id === null ? `SystemModstamp > ${ts}` : `(SystemModstamp > ${ts} OR (SystemModstamp = ${ts} AND Id > ${soqlLiteral(pos.id)}))`);
  }
  // Stamps at or before the horizon only: see ReadContext.settleMs.
  if (horizon !== null) conds.push(`SystemModstamp <= ${soqlDateTime(horizon)}`);
  const where = conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '';
  return `SELECT ${select.join(', ')} FROM ${assertIdentifier(ctx.object)}${where} ORDER BY SystemModstamp ASC, Id ASC`;
}

const stampMs = (s: string): number => Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

/** (SystemModstamp, Id) order. */
function after(a: { stamp: string; id: string }, b: { stamp: string | null; id: string | null }): boolean {
  if (b.stamp === null) return true;
  const d = stampMs(a.stamp) - stampMs(b.stamp);
  return d > 0 || (d === 0 && (b.id === null || a.id > b.id));
}

/** Where a read resumed at `stamp` starts: settleMs back, and never later than the start of the stamp's second. */
export function overlapStart(stamp: string, settleMs: number): number {
  const ms = stampMs(stamp);
  return Math.min(ms - settleMs, Math.floor(ms / 1000) * 1000);
}

/** Where a read from cursor `c` starts: its overlap, or later where the cursor says every record up to `settled` was read. */
export function readStart(c: Pick<SalesforceCursor, 'stamp' | 'settled'>, settleMs: number): number | null {
  if (c.stamp === null) return null;
  const overlap = overlapStart(c.stamp, settleMs);
  return c.settled === undefined ? overlap : Math.max(overlap, stampMs(c.settled));
}

/**
 * What a read that began when the org's clock said `coveredMs` leaves settled: every record stamped
 * at or before the result committed before the read began (a stamp is a whole second, so up to
 * 1 s earlier than the write it marks, and a write commits within settleMs of it).
 */
export function settledBy(coveredMs: number, settleMs: number): number {
  return Math.floor((coveredMs - settleMs) / 1000) * 1000 - 1000;
}

/**
 * The furthest position read (a late record behind the cursor never moves it back), and the seen
 * window. `c` is consumed: its seen map is carried on (not copied), so a page costs its own records,
 * not the whole window; the window is pruned only when its start moves.
 */
function advance(c: SalesforceCursor, records: CrmRecord[], settleMs: number): SalesforceCursor {
  let next: SalesforceCursor = c;
  for (const r of records) {
    const stamp = parseVersion(r.version).stamp;
    if (after({ stamp, id: r.id }, next)) next = { ...next, stamp, id: r.id };
  }
  if (next.stamp === null) return next;
  const from = overlapStart(next.stamp, settleMs);
  // Every entry of a window that started at `from` or later is still inside it.
  const kept = c.seen !== undefined && c.stamp !== null && overlapStart(c.stamp, settleMs) >= from;
  const seen: Record<string, string> = kept && c.seen !== undefined ? c.seen : {};
  if (!kept) for (const [id, version] of Object.entries(c.seen ?? {})) if (stampMs(parseVersion(version).stamp) >= from) seen[id] = version;
  for (const r of records) if (stampMs(parseVersion(r.version).stamp) >= from) seen[r.id] = r.version;
  return { ...next, seen };
}

/**
 * The cursor without these records in its seen window: written by the sync after they were read,
 * their next read must reach the engine (which knows what it wrote) even at a version read before,
 * since a user may have put a record back within the same SystemModstamp second.
 */
export function forgetRead(text: string, ids: readonly string[]): string {
  const c = decodeCursor(text);
  if (c.seen === undefined) return text;
  let changed = false;
  for (const id of ids) {
    for (const key of [id, id.slice(0, 15)]) {
      if (key in c.seen) {
        delete c.seen[key];
        changed = true;
      }
    }
  }
  return changed ? encodeCursor(c) : text;
}

/** Records of the overlap already read (same Id and version) are left out. */
function unseen(c: SalesforceCursor, records: CrmRecord[]): CrmRecord[] {
  const seen = c.seen;
  if (seen === undefined) return records;
  return records.filter((r) => {
    const before = seen[r.id];
    if (before === undefined) return true;
    const a = parseVersion(before);
    const b = parseVersion(r.version);
    if (stampMs(a.stamp) !== stampMs(b.stamp)) return true;
    // A stamp-only entry (a cursor written before versions carried a hash) compares the stamp.
    return a.hash !== undefined && (a.key !== b.key || a.hash !== b.hash);
  });
}

async function* restPages(ctx: ReadContext, params: ReadChangesParams, start: SalesforceCursor): AsyncGenerator<ChangePage, SalesforceCursor> {
  const headers = { 'Sforce-Query-Options': `batchSize=${ctx.pageSize}` };
  const from = readStart(start, ctx.settleMs);
  const overlap = from !== null ? { stamp: new Date(from).toISOString(), id: null, inclusive: true } : start;
  const soql = buildChangesSoql(ctx, params.fields, overlap);
  const fullResync = start.phase === 'full';
  let cursor = start;
  let page = QueryPage.parse(await ctx.client.call('query', async (conn) => await conn.query(soql, { autoFetch: false, headers }), params.signal));
  if (fullResync && start.stamp === null && page.totalSize > ctx.bulkThreshold) {
    ctx.logger.info('initial load above the bulk threshold: using a Bulk API 2.0 query job', { totalSize: page.totalSize, bulkThreshold: ctx.bulkThreshold });
    const types = await ctx.fieldTypes();
    for await (const records of bulkQueryPages({ client: ctx.client, soql, fields: params.fields, types, pageSize: ctx.bulkPageSize, ...(params.signal ? { signal: params.signal } : {}) })) {
      cursor = advance(cursor, records, ctx.settleMs);
      yield { records, deletedIds: [], cursor: encodeCursor(cursor), fullResync };
    }
    return cursor;
  }
  for (;;) {
    const records = unseen(cursor, page.records.map((row) => toCrmRecord(row, params.fields)));
    cursor = advance(cursor, records, ctx.settleMs);
    if (records.length > 0) yield { records, deletedIds: [], cursor: encodeCursor(cursor), fullResync };
    const next = page.nextRecordsUrl;
    if (page.done || next === undefined) break;
    page = QueryPage.parse(await ctx.client.call('queryMore', async (conn) => await conn.queryMore(next).execute({ autoFetch: false, headers }), params.signal));
  }
  return cursor;
}

const parseStamp = (s: string): number => Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

interface DeletedWindow {
  deletedIds: string[];
  /** Where the next getDeleted starts. */
  latest: string;
  /** The org no longer covers the window (log purged, or start older than the 30 days it keeps). */
  expired: boolean;
  /** The org's time when the read began, as it reported it (latestDateCovered, never past the end asked for); null when unknown. */
  coveredMs: number | null;
}

async function readDeletes(ctx: ReadContext, since: string, signal: AbortSignal | undefined): Promise<DeletedWindow> {
  // jsforce sends whole seconds; ending at the next second (the org caps it at its own time and
  // reports latestDateCovered) means a delete made just before this read is not held back.
  const end = new Date(Math.ceil((ctx.now() + 1) / 1000) * 1000).toISOString();
  let raw: unknown;
  try {
    raw = await ctx.client.call('getDeleted', (conn) => conn.sobject(ctx.object).deleted(since, end), signal);
  } catch (err) {
    // INVALID_REPLICATION_DATE: the start is outside what the org keeps (REST API guide, getDeleted).
    if (isConnectorError(err) && err.code === 'cursor_expired') return { deletedIds: [], latest: new Date(Math.floor(ctx.now() / 1000) * 1000).toISOString(), expired: true, coveredMs: null };
    throw err;
  }
  const deleted = DeletedResult.parse(raw);
  const latest = new Date(parseStamp(deleted.latestDateCovered)).toISOString();
  const expired = parseStamp(deleted.earliestDateAvailable) > parseStamp(since);
  const coveredMs = Math.min(parseStamp(deleted.latestDateCovered), Date.parse(end));
  return { deletedIds: expired ? [] : deleted.deletedRecords.map((d) => d.id), latest, expired, coveredMs: Number.isNaN(coveredMs) ? null : coveredMs };
}

export async function* readChanges(ctx: ReadContext, params: ReadChangesParams): AsyncGenerator<ChangePage> {
  const nowIso = new Date(Math.floor(ctx.now() / 1000) * 1000).toISOString();
  let start: SalesforceCursor = params.cursor === null ? { v: 1, stamp: null, id: null, deletedSince: nowIso, phase: 'full' } : decodeCursor(params.cursor);
  let window: DeletedWindow = { deletedIds: [], latest: start.deletedSince, expired: false, coveredMs: null };
  if (params.cursor !== null) {
    window = await readDeletes(ctx, start.deletedSince, params.signal);
    if (window.expired) {
      ctx.logger.warn('deleted-records log no longer reaches the cursor: running a full reconciliation pass', { cursorDeletedSince: start.deletedSince });
      start = { v: 1, stamp: null, id: null, deletedSince: start.deletedSince, phase: 'full' };
    }
  }
  const last = yield* restPages(ctx, params, start);
  const end: SalesforceCursor = { ...last, deletedSince: window.latest, phase: 'incremental' };
  // Only a read run to its end settles anything: the page cursors before this one keep what they started with.
  if (window.coveredMs !== null && end.stamp !== null) {
    const settled = Math.max(settledBy(window.coveredMs, ctx.settleMs), end.settled === undefined ? -Infinity : stampMs(end.settled));
    end.settled = new Date(settled).toISOString();
  }
  // The closing page carries the deletes and the advanced getDeleted window, and ends a full pass.
  yield { records: [], deletedIds: window.deletedIds, cursor: encodeCursor(end), fullResync: start.phase === 'full' };
}
