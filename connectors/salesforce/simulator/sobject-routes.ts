/**
 * sObject resources: describe, getUpdated/getDeleted, CRUD by id and upsert by external id
 * (REST API guide: sObject Basic Information, Get Updated/Deleted, Insert or Update (Upsert)).
 */
import type { ApiRoute, SimContext } from './context';
import { formatDatetime, formatRecord, isRecordObject, sfError, type SimResponse } from './http-util';
import { isWellFormedId } from './ids';
import { describeField, findObject, type SfObject } from './schema';
import type { SaveResult } from './store';

function objectOr404(name: string | undefined): SfObject | SimResponse {
  const obj = findObject(name ?? '');
  return obj ?? sfError(404, 'NOT_FOUND', `The requested resource does not exist`);
}

export function saveFailure(res: Extract<SaveResult, { ok: false }>, ctx: SimContext, obj: SfObject): SimResponse {
  if (res.status === 300) return { status: 300, body: (res.ids ?? []).map((id) => `/services/data/v${ctx.version}/sobjects/${obj.name}/${id}`) };
  return { status: res.status ?? 400, body: res.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
}

/** The object and a well-formed record id, or the error an org answers (NOT_FOUND, MALFORMED_ID). */
function recordTarget(m: RegExpExecArray): { obj: SfObject; id: string } | SimResponse {
  const obj = objectOr404(m[1]);
  if (!('fields' in obj)) return obj;
  const id = m[2] ?? '';
  if (!isWellFormedId(id)) return sfError(400, 'MALFORMED_ID', `${obj.name} ID: id value of incorrect type: ${id}`, ['Id']);
  return { obj, id };
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * getUpdated/getDeleted take start/end as ISO datetimes (jsforce sends YYYY-MM-DDTHH:MM:SS+00:00);
 * a real org ignores their seconds: with `ignoreSeconds` both are taken at the start of their minute.
 */
function parseRange(q: URLSearchParams, ignoreSeconds: boolean): { start: number; end: number } | SimResponse {
  const unit = ignoreSeconds ? MINUTE : 1;
  const start = Math.floor(Date.parse(q.get('start') ?? '') / unit) * unit;
  const end = Math.floor(Date.parse(q.get('end') ?? '') / unit) * unit;
  if (Number.isNaN(start) || Number.isNaN(end)) return sfError(400, 'MALFORMED_QUERY', 'start and end must be valid dateTimes');
  if (end < start) return sfError(400, 'INVALID_REPLICATION_DATE', 'end date must be after start date');
  return { start, end };
}

export const sobjectRoutes: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/sobjects\/(\w+)\/describe\/?$/,
    handle: (ctx, _req, m) => {
      const obj = objectOr404(m[1]);
      if (!('fields' in obj)) return obj;
      const base = `/services/data/v${ctx.version}/sobjects/${obj.name}`;
      const urls = { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
      const access = { createable: true, updateable: true, queryable: true, replicateable: true, custom: false };
      const head = { name: obj.name, label: obj.name, labelPlural: obj.labelPlural, keyPrefix: obj.keyPrefix, ...access };
      return { status: 200, body: { ...head, fields: obj.fields.map(describeField), childRelationships: [], urls } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/sobjects\/(\w+)\/updated\/?$/,
    handle: (ctx, req, m) => {
      const obj = objectOr404(m[1]);
      if (!('fields' in obj)) return obj;
      const range = parseRange(req.query, ctx.store.ignoreReplicationSeconds);
      if ('status' in range) return range;
      // The REST guide: updated records are reported for no more than 30 days back.
      if (range.start < ctx.store.now() - 30 * DAY) return sfError(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
      const end = Math.min(range.end, ctx.store.now());
      const ids = [...ctx.store.table(obj).values()].filter((r) => Number(r['SystemModstamp']) >= range.start && Number(r['SystemModstamp']) < end).map((r) => r.Id);
      return { status: 200, body: { ids, latestDateCovered: formatDatetime(end) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/sobjects\/(\w+)\/deleted\/?$/,
    handle: (ctx, req, m) => {
      const obj = objectOr404(m[1]);
      if (!('fields' in obj)) return obj;
      const range = parseRange(req.query, ctx.store.ignoreReplicationSeconds);
      if ('status' in range) return range;
      // The REST guide: deleted records are reported for no more than 15 days back.
      if (range.start < ctx.store.now() - 15 * DAY) return sfError(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 15 days ago');
      const end = Math.min(range.end, ctx.store.now());
      // Inclusive on both ends: a client resuming at latestDateCovered may see a delete twice, never miss one.
      const deletedRecords = ctx.store.deleted
        .filter((d) => d.object === obj.name && d.deletedDate >= range.start && d.deletedDate <= end)
        .map((d) => ({ id: d.id, deletedDate: formatDatetime(d.deletedDate) }));
      return { status: 200, body: { deletedRecords, earliestDateAvailable: formatDatetime(ctx.store.earliestDeletedAvailable()), latestDateCovered: formatDatetime(end) } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/sobjects\/(\w+)\/?$/,
    handle: (ctx, req, m) => {
      const obj = objectOr404(m[1]);
      if (!('fields' in obj)) return obj;
      if (!isRecordObject(req.body)) return sfError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
      const res = ctx.store.create(obj, req.body);
      return res.ok ? { status: 201, body: { id: res.id, success: true, errors: [] } } : saveFailure(res, ctx, obj);
    },
  },
  {
    method: 'GET',
    pattern: /^\/sobjects\/(\w+)\/(\w{15}|\w{18})\/?$/,
    handle: (ctx, req, m) => {
      const target = recordTarget(m);
      if ('status' in target) return target;
      const { obj, id } = target;
      const rec = ctx.store.get(obj, id);
      if (!rec) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const full = formatRecord(ctx.version, obj, rec);
      const wanted = req.query.get('fields');
      if (!wanted) return { status: 200, body: full };
      const names = wanted.split(',').map((f) => obj.byLower.get(f.trim().toLowerCase())?.name ?? f);
      return { status: 200, body: Object.fromEntries(Object.entries(full).filter(([k]) => k === 'attributes' || k === 'Id' || names.includes(k))) };
    },
  },
  {
    method: 'PATCH',
    pattern: /^\/sobjects\/(\w+)\/(\w{15}|\w{18})\/?$/,
    handle: (ctx, req, m) => {
      const target = recordTarget(m);
      if ('status' in target) return target;
      const { obj, id } = target;
      if (!isRecordObject(req.body)) return sfError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
      const res = ctx.store.update(obj, id, req.body);
      return res.ok ? { status: 204 } : saveFailure(res, ctx, obj);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/sobjects\/(\w+)\/(\w{15}|\w{18})\/?$/,
    handle: (ctx, _req, m) => {
      const target = recordTarget(m);
      if ('status' in target) return target;
      const res = ctx.store.remove(target.obj, target.id);
      return res.ok ? { status: 204 } : saveFailure(res, ctx, target.obj);
    },
  },
  {
    // Upsert: 201 + created:true for a new record, 204 for an update, 300 for several matches.
    method: 'PATCH',
    pattern: /^\/sobjects\/(\w+)\/(\w+)\/([^/]+)$/,
    handle: (ctx, req, m) => {
      const obj = objectOr404(m[1]);
      if (!('fields' in obj)) return obj;
      if (!isRecordObject(req.body)) return sfError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
      const res = ctx.store.upsert(obj, m[2] ?? '', decodeURIComponent(m[3] ?? ''), req.body);
      if (!res.ok) return saveFailure(res, ctx, obj);
      return res.created ? { status: 201, body: { id: res.id, success: true, errors: [], created: true } } : { status: 204 };
    },
  },
];
