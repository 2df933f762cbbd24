/**
 * sObject Collections (REST API guide, "sObject Collections"): POST create, PATCH update,
 * DELETE ?ids=, PATCH /{SObject}/{ExtIdField} upsert. At most 200 records, processed in order,
 * one result per record with `statusCode` errors; allOrNone rolls every row back and marks the
 * healthy ones ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import type { ApiRoute, SimContext } from './context';
import { isRecordObject, sfError, type SimResponse } from './http-util';
import { findObject, type SfObject } from './schema';
import type { SaveResult } from './store';
import type { SfRecordError } from './validate';

const MAX_RECORDS = 200;

interface RowResult {
  id?: string;
  success: boolean;
  errors: SfRecordError[];
  created?: boolean;
}

function parseBody(body: unknown): { allOrNone: boolean; records: Array<Record<string, unknown>> } | SimResponse {
  if (!isRecordObject(body) || !Array.isArray(body['records'])) return sfError(400, 'JSON_PARSER_ERROR', 'Expected {allOrNone, records: [...]}');
  const records = body['records'].filter(isRecordObject);
  if (records.length !== body['records'].length) return sfError(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
  if (records.length > MAX_RECORDS) return sfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
  return { allOrNone: body['allOrNone'] === true, records };
}

function recordType(rec: Record<string, unknown>, fallback: string | undefined): SfObject | undefined {
  const attrs = rec['attributes'];
  const type = isRecordObject(attrs) && typeof attrs['type'] === 'string' ? attrs['type'] : fallback;
  return type ? findObject(type) : undefined;
}

function toRow(res: SaveResult, withCreated: boolean): RowResult {
  if (res.ok) return { id: res.id, success: true, errors: [], ...(withCreated ? { created: res.created } : {}) };
  return { success: false, errors: res.errors };
}

/** Applies `op` to each record; with allOrNone, any failure restores the store as it was. */
function applyAll(ctx: SimContext, parsed: { allOrNone: boolean; records: Array<Record<string, unknown>> }, op: (rec: Record<string, unknown>) => RowResult): SimResponse {
  const checkpoint = parsed.allOrNone ? ctx.store.checkpoint() : null;
  const rows = parsed.records.map(op);
  if (checkpoint && rows.some((r) => !r.success)) {
    ctx.store.rollback(checkpoint);
    const rolledBack = rows.map((r) => (r.success ? { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] } : r));
    return { status: 200, body: rolledBack };
  }
  return { status: 200, body: rows };
}

const missingType: RowResult = { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: 'Unknown or missing sObject type in attributes', fields: [] }] };

export const collectionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: /^\/composite\/sobjects\/?$/,
    handle: (ctx, req) => {
      const parsed = parseBody(req.body);
      if ('status' in parsed) return parsed;
      return applyAll(ctx, parsed, (rec) => {
        const obj = recordType(rec, undefined);
        if (!obj) return missingType;
        const { attributes: _a, ...fields } = rec;
        return toRow(ctx.store.create(obj, fields), false);
      });
    },
  },
  {
    method: 'PATCH',
    pattern: /^\/composite\/sobjects\/?$/,
    handle: (ctx, req) => {
      const parsed = parseBody(req.body);
      if ('status' in parsed) return parsed;
      return applyAll(ctx, parsed, (rec) => {
        const obj = recordType(rec, undefined);
        if (!obj) return missingType;
        const { attributes: _a, id, Id, ...fields } = rec;
        const recId = typeof id === 'string' ? id : typeof Id === 'string' ? Id : null;
        if (!recId) return { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] };
        const row = toRow(ctx.store.update(obj, recId, fields), false);
        return row.success ? row : { ...row, id: recId };
      });
    },
  },
  {
    method: 'PATCH',
    pattern: /^\/composite\/sobjects\/(\w+)\/(\w+)\/?$/,
    handle: (ctx, req, m) => {
      const obj = findObject(m[1] ?? '');
      if (!obj) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const extField = obj.byLower.get((m[2] ?? '').toLowerCase());
      if (!extField?.externalId) return sfError(400, 'INVALID_FIELD', `Field ${m[2]} is not an external id field on ${obj.name}`);
      const parsed = parseBody(req.body);
      if ('status' in parsed) return parsed;
      return applyAll(ctx, parsed, (rec) => {
        const { attributes: _a, ...fields } = rec;
        const key = Object.entries(fields).find(([k]) => k.toLowerCase() === extField.name.toLowerCase())?.[1];
        if (typeof key !== 'string' || key === '') return { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${extField.name} not specified`, fields: [extField.name] }] };
        const res = ctx.store.upsert(obj, extField.name, key, fields);
        if (!res.ok && res.status === 300) return { success: false, errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `${extField.name}: more than one record found for external id field: ${(res.ids ?? []).join(', ')}`, fields: [extField.name] }] };
        return toRow(res, true);
      });
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/composite\/sobjects\/?$/,
    handle: (ctx, req) => {
      const ids = (req.query.get('ids') ?? '').split(',').filter((s) => s !== '');
      if (ids.length > MAX_RECORDS) return sfError(400, 'EXCEEDED_ID_LIMIT', `cannot delete more than ${MAX_RECORDS} records`);
      const parsed = { allOrNone: req.query.get('allOrNone') === 'true', records: ids.map((id) => ({ id })) };
      return applyAll(ctx, parsed, (rec) => {
        const id = String(rec['id']);
        const obj = [...['Opportunity', 'Account', 'Campaign']].map((n) => findObject(n)).find((o) => o !== undefined && id.startsWith(o.keyPrefix));
        if (!obj) return { id, success: false, errors: [{ statusCode: 'MALFORMED_ID', message: `malformed id ${id}`, fields: [] }] };
        const row = toRow(ctx.store.remove(obj, id), false);
        return row.success ? row : { ...row, id };
      });
    },
  },
];
