/**
 * Entity-set routes: GET collection / entity, PATCH (upsert by id or alternate key, with the
 * If-Match / If-None-Match rules of "Perform conditional operations using the Web API"), POST
 * (create) and DELETE.
 */
import { readCollection } from './collection';
import { CODES, dvError, fail, json, noContent, parsePrefer, type SimContext, type SimRequest, type SimResponse } from './context';
import { applyStateRules, applyValidationRules, checkRequired } from './opportunity-rules';
import { present, valuesFromBody } from './records';
import type { TableDef } from './schema';
import type { Row } from './store';
import { parseTarget, type Target } from './target';

export function handleEntities(ctx: SimContext, req: SimRequest): SimResponse | null {
  const target = parseTarget(req.path);
  if (!target) return null;
  if (target.kind === 'collection') {
    if (req.method === 'GET') return readCollection(ctx, target.def, req);
    if (req.method === 'POST') return create(ctx, target.def, req);
    return null;
  }
  const existing = findRow(ctx, target);
  if (req.method === 'GET') {
    if (!existing) return notFound(target);
    const select = req.query.get('$select');
    const prefer = parsePrefer(req.headers.prefer);
    const body = present(ctx, target.def, existing, { select: select ? select.split(',') : null, formatted: prefer.formattedValues });
    return json(200, body, { ETag: String(body['@odata.etag']) });
  }
  if (req.method === 'PATCH') return upsert(ctx, target, existing, req);
  if (req.method === 'DELETE') {
    if (!existing) return notFound(target);
    checkIfMatch(req, existing, target);
    ctx.store.remove(target.def.entitySet, String(existing[target.def.key]));
    return noContent();
  }
  return null;
}

function findRow(ctx: SimContext, target: Target): Row | undefined {
  const table = ctx.store.table(target.def.entitySet);
  if (target.kind === 'id') return table?.rows.get(target.id);
  if (target.kind === 'altkey') return table?.findByAltKey(target.column, target.value);
  return undefined;
}

function notFound(target: Target): SimResponse {
  const id = target.kind === 'id' ? target.id : target.kind === 'altkey' ? `${target.column}=${target.value}` : '';
  return dvError(404, CODES.notFound, `${target.def.logicalName} With Id = ${id} Does Not Exist`);
}

function checkIfMatch(req: SimRequest, existing: Row, target: Target): void {
  const ifMatch = req.headers['if-match'];
  if (ifMatch === undefined || ifMatch === '*') return;
  const expected = /^W\/"(\d+)"$/.exec(ifMatch)?.[1];
  if (expected === undefined || Number(expected) !== existing.versionnumber) {
    throw fail(412, CODES.versionMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
  }
  void target;
}

function parseBody(req: SimRequest): Record<string, unknown> {
  try {
    const value: unknown = req.body === '' ? {} : JSON.parse(req.body);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw fail(400, CODES.invalidArgument, 'The request body is not a valid JSON object.');
}

function upsert(ctx: SimContext, target: Target, existing: Row | undefined, req: SimRequest): SimResponse {
  if (req.headers['if-match'] !== undefined && !existing) return notFound(target);
  if (req.headers['if-none-match'] === '*' && existing) {
    return dvError(412, CODES.duplicate, 'A record with matching key values already exists.');
  }
  if (existing) checkIfMatch(req, existing, target);
  const def = target.def;
  const body = parseBody(req);
  let values = valuesFromBody(ctx, def, body, !existing);
  if (target.kind === 'altkey') {
    // On update the key columns in the body are ignored; on create the body wins (Use an alternate key to reference a record).
    if (existing) delete values[target.column];
    else values = { [target.column]: target.value, ...values };
  }
  if (target.kind === 'id' && !existing) values[def.key] = target.id;
  return save(ctx, def, values, existing, req);
}

function create(ctx: SimContext, def: TableDef, req: SimRequest): SimResponse {
  const values = valuesFromBody(ctx, def, parseBody(req), true);
  return save(ctx, def, values, undefined, req);
}

function save(ctx: SimContext, def: TableDef, input: Row, existing: Row | undefined, req: SimRequest): SimResponse {
  const values = applyStateRules(def, input, existing);
  const merged = { ...(existing ?? {}), ...values };
  if (!existing) {
    if (def.logicalName === 'opportunity' && merged._transactioncurrencyid_value === undefined) {
      merged._transactioncurrencyid_value = defaultCurrency(ctx);
      values._transactioncurrencyid_value = merged._transactioncurrencyid_value;
    }
    checkRequired(def, merged);
    for (const key of def.alternateKeys) {
      const k = merged[key];
      if (typeof k === 'string' && ctx.store.table(def.entitySet)?.findByAltKey(key, k)) {
        throw fail(412, CODES.duplicate, 'A record with matching key values already exists.');
      }
    }
  }
  applyValidationRules(ctx, def, merged);
  const row = ctx.store.write(def.entitySet, values, existing);
  const id = String(row[def.key]);
  const location = `${ctx.apiBase}/${def.entitySet}(${id})`;
  const prefer = parsePrefer(req.headers.prefer);
  const etag = `W/"${String(row.versionnumber)}"`;
  if (prefer.returnRepresentation) {
    const select = req.query.get('$select');
    const body = present(ctx, def, row, { select: select ? select.split(',') : null, formatted: prefer.formattedValues });
    return json(existing ? 200 : 201, body, { ETag: etag, 'OData-EntityId': location, 'Preference-Applied': 'return=representation' });
  }
  return noContent({ 'OData-EntityId': location, ETag: etag });
}

function defaultCurrency(ctx: SimContext): string | null {
  const table = ctx.store.table('transactioncurrencies');
  for (const row of table?.rows.values() ?? []) if (row.isocurrencycode === 'USD') return String(row.transactioncurrencyid);
  return null;
}
