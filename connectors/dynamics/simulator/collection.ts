/**
 * GET on an entity set: plain queries ($select, $filter, $orderby, $top, skiptoken paging under
 * `Prefer: odata.maxpagesize`) and change tracking (`Prefer: odata.track-changes`, delta tokens
 * `<version>!<MM/dd/yyyy HH:mm:ss>`, `$deletedEntity` rows, upserts in version order before
 * deletes), after "Use change tracking to synchronize data with external systems".
 */
import { CODES, dvError, json, parsePrefer, type SimContext, type SimRequest, type SimResponse } from './context';
import { compileFilter, FilterSyntaxError } from './filter';
import { knownColumn, present, type Presentation } from './records';
import type { TableDef } from './schema';
import type { Row } from './store';

const MAX_PAGE = 5000;
const TRACKING_REFUSED = ['$filter', '$orderby', '$top', '$expand'];

interface Position {
  snap: number;
  phase: 'u' | 'd';
  last: string;
}

/** Query options Dataverse implements and the simulator does not: refused, never silently ignored. */
const NOT_SIMULATED = ['$expand', '$count', '$apply', 'fetchXml', '$search', '$compute'];

export function readCollection(ctx: SimContext, def: TableDef, req: SimRequest): SimResponse {
  const missing = NOT_SIMULATED.find((p) => req.query.has(p));
  if (missing) return dvError(501, CODES.notImplemented, `The query option ${missing} is not implemented by the simulator.`);
  const prefer = parsePrefer(req.headers.prefer);
  const selectText = req.query.get('$select');
  const select = selectText ? selectText.split(',').map((s) => s.trim()) : null;
  for (const column of select ?? []) {
    if (!knownColumn(def, column)) {
      return dvError(400, CODES.unknownProperty, `Could not find a property named '${column}' on type 'Microsoft.Dynamics.CRM.${def.logicalName}'.`);
    }
  }
  const how: Presentation = { select, formatted: prefer.formattedValues };
  const pageSize = Math.max(1, Math.min(prefer.maxPageSize ?? MAX_PAGE, MAX_PAGE));
  // Only preferences the request expressed are reported as applied.
  const applied = prefer.maxPageSize === undefined || prefer.maxPageSize === null ? [] : [`odata.maxpagesize=${pageSize}`];
  const appliedHeader = (): Record<string, string> => (applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {});
  const deltaToken = req.query.get('$deltatoken');
  if (prefer.trackChanges || deltaToken !== null) {
    const refused = TRACKING_REFUSED.find((p) => req.query.has(p));
    if (refused) return dvError(400, CODES.invalidArgument, `The ${refused} query option isn't supported when Change Tracking is enabled.`);
    if (prefer.trackChanges) applied.push('odata.track-changes');
    const headers = appliedHeader();
    return deltaToken === null ? fullTracked(ctx, def, req, how, pageSize, headers) : delta(ctx, def, req, deltaToken, how, pageSize, headers);
  }
  return plainQuery(ctx, def, req, how, pageSize, appliedHeader());
}

function link(ctx: SimContext, def: TableDef, req: SimRequest, extra: Record<string, string>): string {
  const params: string[] = [];
  const select = req.query.get('$select');
  if (select) params.push(`$select=${encodeURIComponent(select)}`);
  for (const p of ['$filter', '$orderby']) {
    const v = req.query.get(p);
    if (v) params.push(`${p}=${encodeURIComponent(v)}`);
  }
  for (const [k, v] of Object.entries(extra)) params.push(`${k}=${encodeURIComponent(v)}`);
  return `${ctx.apiBase}/${def.entitySet}?${params.join('&')}`;
}

function cookie(page: number, state: string, tracking: boolean): string {
  return `<cookie pagenumber="${page}" pagingcookie="${encodeURIComponent(state)}" istracking="${tracking ? 'True' : 'False'}" />`;
}

function readCookie(req: SimRequest): { page: number; state: string } | null {
  const token = req.query.get('$skiptoken');
  if (!token) return null;
  const page = /pagenumber="(\d+)"/.exec(token)?.[1];
  const state = /pagingcookie="([^"]*)"/.exec(token)?.[1];
  return page && state !== undefined ? { page: Number(page), state: decodeURIComponent(state) } : null;
}

const pad = (n: number): string => String(n).padStart(2, '0');
function tokenTime(d: Date): string {
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
function parseTokenTime(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  return m ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
}

function contextUrl(ctx: SimContext, def: TableDef, how: Presentation, isDelta: boolean): string {
  const cols = how.select ? `(${how.select.join(',')})` : '';
  return `${ctx.apiBase}/$metadata#${def.entitySet}${cols}${isDelta ? '/$delta' : ''}`;
}

function fullTracked(
  ctx: SimContext,
  def: TableDef,
  req: SimRequest,
  how: Presentation,
  pageSize: number,
  headers: Record<string, string>,
): SimResponse {
  const table = ctx.store.table(def.entitySet);
  const c = readCookie(req);
  const [snapText, last = ''] = (c?.state ?? '').split('|');
  const snap = c ? Number(snapText) : ctx.store.currentVersion();
  const ids = table?.orderedIds() ?? [];
  const from = last === '' ? 0 : upperBound(ids, last);
  const pageIds = ids.slice(from, from + pageSize);
  const value = pageIds.map((id) => present(ctx, def, table?.rows.get(id) ?? {}, how));
  const body: Record<string, unknown> = { '@odata.context': contextUrl(ctx, def, how, false), value };
  const lastId = pageIds[pageIds.length - 1];
  if (from + pageSize < ids.length && lastId !== undefined) {
    body['@odata.nextLink'] = link(ctx, def, req, { $skiptoken: cookie((c?.page ?? 1) + 1, `${snap}|${lastId}`, true) });
  } else {
    body['@odata.deltaLink'] = link(ctx, def, req, { $deltatoken: `${snap}!${tokenTime(ctx.now())}` });
  }
  return json(200, body, headers);
}

function upperBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? '') <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function delta(
  ctx: SimContext,
  def: TableDef,
  req: SimRequest,
  token: string,
  how: Presentation,
  pageSize: number,
  headers: Record<string, string>,
): SimResponse {
  const m = /^(\d+)!(.+)$/.exec(token);
  const since = Number(m?.[1]);
  const issued = parseTokenTime(m?.[2] ?? '');
  if (!m || Number.isNaN(issued)) return dvError(400, CODES.invalidArgument, `The delta token '${token}' is not valid.`);
  const expired =
    since < ctx.minDeltaVersion || since > ctx.store.currentVersion() || ctx.now().getTime() - issued > ctx.deltaTokenLifetimeMs;
  if (expired) {
    return dvError(400, CODES.expiredVersionStamp, 'Version stamp associated with the client has expired. Please perform a full sync.');
  }
  const c = readCookie(req);
  const [snapText, phaseText, lastText] = (c?.state ?? '').split('|');
  const pos: Position = c ? { snap: Number(snapText), phase: phaseText === 'd' ? 'd' : 'u', last: lastText ?? '' } : { snap: ctx.store.currentVersion(), phase: 'u', last: String(since) };
  const changes = deltaEntries(ctx, def, since, pos);
  const page = changes.slice(0, pageSize);
  const value = page.map((e) =>
    e.row
      ? present(ctx, def, e.row, how)
      : { '@odata.context': `${ctx.apiBase}/$metadata#${def.entitySet}/$deletedEntity`, id: e.id, reason: 'deleted' },
  );
  const body: Record<string, unknown> = { '@odata.context': contextUrl(ctx, def, how, true), value };
  const lastEntry = page[page.length - 1];
  if (changes.length > pageSize && lastEntry) {
    const state = `${pos.snap}|${lastEntry.row ? 'u' : 'd'}|${lastEntry.version}`;
    body['@odata.nextLink'] = link(ctx, def, req, { $deltatoken: token, $skiptoken: cookie((c?.page ?? 1) + 1, state, true) });
  } else {
    body['@odata.deltaLink'] = link(ctx, def, req, { $deltatoken: `${pos.snap}!${tokenTime(ctx.now())}` });
  }
  return json(200, body, headers);
}

interface DeltaEntry {
  id: string;
  version: number;
  row: Row | null;
}

function deltaEntries(ctx: SimContext, def: TableDef, since: number, pos: Position): DeltaEntry[] {
  const table = ctx.store.table(def.entitySet);
  const last = Number(pos.last);
  const inWindow = (v: number): boolean => v > since && v <= pos.snap;
  const upserts: DeltaEntry[] = [];
  if (pos.phase === 'u') {
    for (const [id, row] of table?.rows ?? []) {
      const v = Number(row.versionnumber);
      if (inWindow(v) && v > last) upserts.push({ id, version: v, row });
    }
    upserts.sort((a, b) => a.version - b.version);
  }
  const deletes: DeltaEntry[] = [];
  for (const [id, v] of table?.tombstones ?? []) {
    if (inWindow(v) && (pos.phase === 'u' || v > last)) deletes.push({ id, version: v, row: null });
  }
  deletes.sort((a, b) => a.version - b.version);
  return [...upserts, ...deletes];
}

function plainQuery(
  ctx: SimContext,
  def: TableDef,
  req: SimRequest,
  how: Presentation,
  pageSize: number,
  headers: Record<string, string>,
): SimResponse {
  const table = ctx.store.table(def.entitySet);
  let rows = (table?.orderedIds() ?? []).map((id) => table?.rows.get(id) ?? {});
  const filter = req.query.get('$filter');
  if (filter) {
    try {
      const predicate = compileFilter(filter, (c) => knownColumn(def, c) !== undefined);
      rows = rows.filter(predicate);
    } catch (error) {
      if (error instanceof FilterSyntaxError) return dvError(400, CODES.unknownProperty, error.message);
      throw error;
    }
  }
  const orderby = req.query.get('$orderby');
  if (orderby) rows = [...rows].sort(comparator(orderby));
  const top = Number(req.query.get('$top') ?? NaN);
  if (Number.isInteger(top) && top >= 0) rows = rows.slice(0, top);
  const c = readCookie(req);
  const offset = c ? Number(c.state) : 0;
  const value = rows.slice(offset, offset + pageSize).map((r) => present(ctx, def, r, how));
  const body: Record<string, unknown> = { '@odata.context': contextUrl(ctx, def, how, false), value };
  if (offset + pageSize < rows.length) {
    body['@odata.nextLink'] = link(ctx, def, req, { $skiptoken: cookie((c?.page ?? 1) + 1, String(offset + pageSize), false) });
  }
  return json(200, body, headers);
}

function comparator(orderby: string): (a: Row, b: Row) => number {
  const keys = orderby.split(',').map((part) => {
    const [column = '', dir = 'asc'] = part.trim().split(/\s+/);
    return { column, sign: dir.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const { column, sign } of keys) {
      const x = a[column] as string | number | null | undefined;
      const y = b[column] as string | number | null | undefined;
      if (x === y) continue;
      if (x === null || x === undefined) return -sign;
      if (y === null || y === undefined) return sign;
      return x < y ? -sign : sign;
    }
    return 0;
  };
}
