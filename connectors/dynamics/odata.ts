/**
 * OData query text built only through escaping: identifiers against an allowlist pattern, string
 * literals with single quotes doubled (OData ABNF: SQUOTE-in-string = SQUOTE SQUOTE), guids bare.
 * Also evaluates a participation filter on a row, for reads where `$filter` is not allowed.
 */
import { ConfigError } from '../../src/errors';
import type { FilterCondition, FilterValue, ParticipationFilter } from '../../src/ports/connector';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new ConfigError(`not a valid Dataverse column name: ${JSON.stringify(name)}`);
  return name;
}

export const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export function literal(value: FilterValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(`not a finite number: ${value}`);
    return String(value);
  }
  return GUID.test(value) ? value.toLowerCase() : quote(value);
}

function condition(c: FilterCondition): string {
  const column = identifier(c.field);
  if (c.op === 'in') {
    const values = Array.isArray(c.value) ? c.value : [c.value];
    // Microsoft.Dynamics.CRM.In takes its values as strings whatever the column type.
    const list = values.map((v) => quote(v === null ? '' : String(v))).join(',');
    return `Microsoft.Dynamics.CRM.In(PropertyName=${quote(column)},PropertyValues=[${list}])`;
  }
  if (Array.isArray(c.value)) throw new ConfigError(`operator ${c.op} takes one value (${column})`);
  return `${column} ${c.op} ${literal(c.value)}`;
}

export function toODataFilter(filter: ParticipationFilter): string {
  return filter.all.map(condition).join(' and ');
}

/** `opportunityid` in the given ids, for re-reads. */
export function idsFilter(key: string, ids: readonly string[]): string {
  return `Microsoft.Dynamics.CRM.In(PropertyName=${quote(identifier(key))},PropertyValues=[${ids.map(quote).join(',')}])`;
}

function same(a: unknown, b: FilterValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return (a ?? null) === b;
}

function holds(c: FilterCondition, row: Record<string, unknown>): boolean {
  const v = row[c.field] ?? null;
  if (c.op === 'in') return (Array.isArray(c.value) ? c.value : [c.value]).some((x) => same(v, x) || String(v) === String(x));
  if (Array.isArray(c.value)) return false;
  const w = c.value;
  if (c.op === 'eq') return same(v, w);
  if (c.op === 'ne') return !same(v, w);
  if (v === null || w === null) return false;
  const x = v as string | number;
  if (c.op === 'gt') return x > w;
  if (c.op === 'ge') return x >= w;
  if (c.op === 'lt') return x < w;
  return x <= w;
}

export function matchesFilter(filter: ParticipationFilter | undefined, row: Record<string, unknown>): boolean {
  return filter === undefined || filter.all.every((c) => holds(c, row));
}

/** Columns a filter reads (they must be in `$select` for the client-side check). */
export const filterColumns = (filter: ParticipationFilter | undefined): string[] => (filter?.all ?? []).map((c) => identifier(c.field));
