/**
 * Runs SOQL against the store, shared by REST query/queryAll and Bulk API 2.0 jobs. The result is
 * a snapshot (an array of row objects), which the REST cursor pages through.
 */
import { findObject, type SfObject } from './schema';
import { formatDatetime } from './http-util';
import type { SoqlQuery } from './soql/ast';
import { compileOrder, compileWhere, readPath, resolvePath, SoqlSemanticError, type ResolvedPath, type StoredRecord } from './soql/evaluate';
import { parseSoql } from './soql/parser';
import type { SimStore } from './store';

export interface QueryOutcome {
  query: SoqlQuery;
  obj: SfObject;
  paths: ResolvedPath[];
  /** Matching records, sorted and limited; empty for COUNT(). */
  rows: StoredRecord[];
  totalSize: number;
}

export function runQuery(store: SimStore, soql: string, includeDeleted: boolean): QueryOutcome {
  const query = parseSoql(soql);
  const obj = findObject(query.from);
  if (!obj) throw new SoqlSemanticError('INVALID_TYPE', `sObject type '${query.from}' is not supported.`);
  const paths = query.fields.map((f) => resolvePath(obj, f));
  const predicate = query.where ? compileWhere(obj, query.where, store.lookup) : () => true;
  let rows = [...store.table(obj).values()];
  if (includeDeleted) rows = rows.concat(store.recycled(obj));
  rows = rows.filter(predicate);
  if (query.count) return { query, obj, paths, rows: [], totalSize: rows.length };
  if (query.orderBy.length > 0) rows.sort(compileOrder(obj, query.orderBy, store.lookup));
  const start = query.offset ?? 0;
  rows = rows.slice(start, query.limit === null ? undefined : start + query.limit);
  return { query, obj, paths, rows, totalSize: rows.length };
}

function wireValue(path: ResolvedPath, v: unknown): unknown {
  return path.field.type === 'datetime' && typeof v === 'number' ? formatDatetime(v) : v;
}

/** A row as the REST query returns it: selected fields only, parent paths as nested objects. */
export function restRow(store: SimStore, version: string, out: QueryOutcome, rec: StoredRecord): Record<string, unknown> {
  const row: Record<string, unknown> = { attributes: { type: out.obj.name, url: `/services/data/v${version}/sobjects/${out.obj.name}/${rec.Id}` } };
  out.paths.forEach((path) => {
    if (path.via.length === 0) {
      row[path.field.name] = wireValue(path, rec[path.field.name] ?? null);
      return;
    }
    // Parent fields nest: {"Account": {"attributes": {...}, "Name": "Acme"}} or "Account": null.
    let target: Record<string, unknown> = row;
    let current: StoredRecord | undefined = rec;
    for (const rel of path.via) {
      const refId: unknown = current?.[rel.name];
      current = typeof refId === 'string' && rel.referenceTo ? store.lookup(rel.referenceTo, refId) : undefined;
      const key = rel.relationshipName ?? rel.name;
      if (!current) {
        if (!(key in target)) target[key] = null;
        return;
      }
      const existing = target[key];
      const nested: Record<string, unknown> =
        typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : { attributes: { type: rel.referenceTo, url: `/services/data/v${version}/sobjects/${rel.referenceTo}/${current.Id}` } };
      target[key] = nested;
      target = nested;
    }
    target[path.field.name] = wireValue(path, readPath(rec, path, store.lookup));
  });
  return row;
}

/** Bulk API 2.0 CSV: header of the fields as written, every value quoted, datetimes in Z form. */
export function csvRows(store: SimStore, out: QueryOutcome, from: number, to: number): string {
  const quote = (v: unknown): string => `"${v === null || v === undefined ? '' : String(v).replace(/"/g, '""')}"`;
  const lines = [out.query.fields.map(quote).join(',')];
  for (const rec of out.rows.slice(from, to)) {
    lines.push(
      out.paths
        .map((p) => {
          const v = readPath(rec, p, store.lookup);
          return quote(p.field.type === 'datetime' && typeof v === 'number' ? new Date(v).toISOString() : v);
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
