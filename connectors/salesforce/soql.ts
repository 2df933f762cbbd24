/**
 * Safe SOQL building: values only through `soqlLiteral`, field names only through
 * `assertFieldName` (identifier syntax + allowlist). Escapes follow the SOQL reference,
 * "Quoted String Escape Sequences": backslash first, then quotes and control characters, so no
 * value can end a literal early and change a query's meaning.
 */
import type { FilterCondition, FilterValue, ParticipationFilter } from '../../src/ports/connector';
import { ConfigError } from '../../src/errors';

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** The inside of a single-quoted SOQL string literal. */
export function escapeSoqlString(value: string): string {
  return value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c] ?? c);
}

/** For LIKE patterns: also escapes the wildcards so user text matches literally. */
export function escapeSoqlLike(value: string): string {
  return escapeSoqlString(value).replace(/[%_]/g, (c) => `\\${c}`);
}

/** A date literal (unquoted, YYYY-MM-DD). */
export function soqlDate(value: string | Date): string {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) throw new ConfigError(`not a date: ${text}`);
  return text;
}

/** A datetime literal (unquoted, UTC, `Z`), with milliseconds only when they are not zero. */
export function soqlDateTime(value: string | Date | number): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new ConfigError(`not a datetime: ${String(value)}`);
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

export type SoqlScalar = FilterValue | Date;

/** Any scalar as a literal: strings quoted and escaped, numbers finite, booleans and null bare. */
export function soqlLiteral(value: SoqlScalar, kind?: 'date' | 'datetime'): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(`not a finite number: ${value}`);
    return String(value);
  }
  if (value instanceof Date || kind === 'datetime') return soqlDateTime(value);
  if (kind === 'date') return soqlDate(value);
  return `'${escapeSoqlString(value)}'`;
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,4}$/;

/** Throws unless `name` is a plain (dotted) identifier that the allowlist holds (case-insensitive). */
export function assertFieldName(name: string, allowed: Iterable<string>): string {
  if (!IDENT.test(name)) throw new ConfigError(`invalid SOQL field name: ${JSON.stringify(name)}`);
  const lower = name.toLowerCase();
  for (const a of allowed) if (a.toLowerCase() === lower) return name;
  throw new ConfigError(`field ${name} is not among the mapped fields`);
}

export function assertIdentifier(name: string): string {
  if (!IDENT.test(name)) throw new ConfigError(`invalid SOQL identifier: ${JSON.stringify(name)}`);
  return name;
}

const OPS: Record<FilterCondition['op'], string> = { eq: '=', ne: '!=', gt: '>', ge: '>=', lt: '<', le: '<=', in: 'IN' };

export interface FilterOptions {
  allowed: Iterable<string>;
  /** Fields whose string values are date/datetime literals (unquoted). */
  kinds?: ReadonlyMap<string, 'date' | 'datetime'>;
}

/** The participation filter as a SOQL condition (AND of every condition); 'true' stand-in when empty is avoided by returning null. */
export function filterToSoql(filter: ParticipationFilter, options: FilterOptions): string | null {
  if (filter.all.length === 0) return null;
  return filter.all
    .map((c) => {
      const field = assertFieldName(c.field, options.allowed);
      const kind = options.kinds?.get(c.field);
      if (c.op === 'in') {
        const values = Array.isArray(c.value) ? c.value : [c.value];
        if (values.length === 0) throw new ConfigError(`filter on ${field}: IN needs at least one value`);
        return `${field} IN (${values.map((v) => soqlLiteral(v, kind)).join(', ')})`;
      }
      if (Array.isArray(c.value)) throw new ConfigError(`filter on ${field}: only IN takes a list`);
      return `${field} ${OPS[c.op]} ${soqlLiteral(c.value, kind)}`;
    })
    .join(' AND ');
}

/** `Id IN ('a', 'b')` for record ids (checked to be Salesforce ids, so never free text). */
export function idList(ids: readonly string[]): string {
  for (const id of ids) if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) throw new ConfigError(`not a Salesforce id: ${JSON.stringify(id)}`);
  return `(${ids.map((id) => `'${id}'`).join(', ')})`;
}
