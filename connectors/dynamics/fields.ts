/**
 * Provider field names as mappings give them -> Web API columns, and back:
 *  - reads select `_x_value` for a lookup named `x` (or `_x_value` / `x@odata.bind`), and strip
 *    the FormattedValue suffix (the annotation comes with the column when asked for in Prefer);
 *  - writes turn `_x_value` / `x` (a guid) into `x@odata.bind: /<set>(<guid>)`, and
 *    `transactioncurrencyid` given as an ISO code into a bind to that currency.
 */
import { identifier } from './odata';
import { LOOKUP_SETS, OPPORTUNITY_KEY } from './options';
import type { CrmRecord } from '../../src/ports/connector';

export const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Set by the server; never written. */
const READ_ONLY = new Set([OPPORTUNITY_KEY, 'versionnumber', 'createdon', 'modifiedon', 'statecode', 'statuscode']);

function lookupName(field: string): string | null {
  const bound = /^(\w+)@odata\.bind$/.exec(field)?.[1];
  const valued = /^_(\w+)_value$/.exec(field)?.[1];
  const name = bound ?? valued ?? field;
  return name in LOOKUP_SETS ? name : null;
}

export function columnFor(field: string): string {
  const base = field.endsWith(FORMATTED) ? field.slice(0, -FORMATTED.length) : field;
  const lookup = lookupName(base);
  return identifier(lookup ? `_${lookup}_value` : base);
}

export function selectColumns(fields: readonly string[], extra: readonly string[] = []): string[] {
  return [...new Set([OPPORTUNITY_KEY, 'versionnumber', 'modifiedon', ...fields.map(columnFor), ...extra.map(columnFor)])];
}

export const versionOf = (etag: unknown): string => /(\d+)/.exec(String(etag ?? ''))?.[1] ?? '';

export interface RecordContext {
  requested: readonly string[];
  /** transactioncurrencyid -> ISO code, when known. */
  isoOf: (currencyId: string) => string | undefined;
}

/** A row from the Web API as a CrmRecord: columns and FormattedValue annotations as they come. */
export function toCrmRecord(row: Record<string, unknown>, ctx: RecordContext): CrmRecord {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('@') || key.includes('@Microsoft.Dynamics.CRM.')) continue;
    fields[key] = value;
  }
  for (const field of ctx.requested) {
    const lookup = lookupName(field);
    if (!lookup || field !== lookup) continue;
    const id = row[`_${lookup}_value`];
    fields[lookup] = typeof id === 'string' && lookup === 'transactioncurrencyid' ? (ctx.isoOf(id) ?? id) : (id ?? null);
  }
  const modifiedAt = typeof row.modifiedon === 'string' && row.modifiedon !== '' ? row.modifiedon : null;
  return { id: String(row[OPPORTUNITY_KEY]), fields, version: versionOf(row['@odata.etag'] ?? row.versionnumber), modifiedAt };
}

export interface WriteBodyContext {
  /** ISO code -> transactioncurrencyid. */
  currencyId: (iso: string) => string | undefined;
}

export class WriteFieldError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** The JSON body of a create/update PATCH (state columns are handled apart, see write-batch.ts). */
export function toWriteBody(fields: Record<string, unknown>, ctx: WriteBodyContext): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (field.endsWith(FORMATTED) || READ_ONLY.has(field)) continue;
    const lookup = lookupName(field);
    if (!lookup) {
      body[identifier(field)] = value;
      continue;
    }
    body[`${lookup}@odata.bind`] = bindValue(lookup, field, value, ctx);
  }
  return body;
}

function bindValue(lookup: string, field: string, value: unknown, ctx: WriteBodyContext): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new WriteFieldError(field, `${field}: a lookup takes a guid or an entity reference`);
  if (value.startsWith('/')) return value;
  const set = LOOKUP_SETS[lookup] ?? '';
  if (GUID.test(value)) return `/${set}(${value.toLowerCase()})`;
  if (lookup === 'transactioncurrencyid') {
    const id = ctx.currencyId(value.toUpperCase());
    if (id === undefined) throw new WriteFieldError(field, `transactioncurrencyid: no currency with ISO code ${value} in the organisation`);
    return `/${set}(${id})`;
  }
  throw new WriteFieldError(field, `${field}: ${value} is not a guid`);
}
