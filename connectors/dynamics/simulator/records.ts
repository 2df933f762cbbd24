/**
 * Row <-> wire: checks a request body against the schema (types, lengths, choices, lookups bound
 * with `@odata.bind`), and shapes a stored row as the Web API returns it (`@odata.etag`,
 * `_x_value` lookups, FormattedValue annotations when asked for).
 */
import { CODES, fail, type SimContext } from './context';
import { isLookup, tableByLogicalName, type AttributeDef, type TableDef } from './schema';
import { parseTarget } from './target';
import type { Row } from './store';

export const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

/** Column name as stored and selected: lookups live in `_x_value`. */
export const columnOf = (a: AttributeDef): string => (isLookup(a) ? `_${a.logicalName}_value` : a.logicalName);

export function knownColumn(def: TableDef, column: string): AttributeDef | undefined {
  return def.attributes.find((a) => a.logicalName === column || columnOf(a) === column);
}

/** Parses a body into stored columns. `creating` decides which columns may be set. */
export function valuesFromBody(ctx: SimContext, def: TableDef, body: Record<string, unknown>, creating: boolean): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@')) continue;
    const bind = /^(\w+)@odata\.bind$/.exec(key);
    const name = bind?.[1] ?? key;
    const nav = bind ? navigationProperty(def, name) : undefined;
    const attr = nav?.attr ?? def.attributes.find((a) => a.logicalName === name);
    if (!attr || (bind !== null) !== isLookup(attr)) {
      throw fail(
        400,
        CODES.unknownProperty,
        `An undeclared property '${key}' which only has property annotations in the payload but no property value was found in the payload. ` +
          `The property '${name}' does not exist on type 'Microsoft.Dynamics.CRM.${def.logicalName}'.`,
      );
    }
    if (creating ? attr.createable === false : attr.updateable === false) {
      if (attr.type === 'State' || attr.type === 'Status') out[attr.logicalName] = value;
      continue;
    }
    out[columnOf(attr)] = bind ? resolveBind(ctx, nav ? { ...attr, targets: [nav.target] } : attr, value) : checkValue(def, attr, value);
  }
  return out;
}

/**
 * A lookup that can point at several tables is bound through one single-valued navigation property
 * per table, `<lookup>_<table>_<this table>` (regardingobjectid_account_task); binding it names
 * the table the reference must be of.
 */
function navigationProperty(def: TableDef, name: string): { attr: AttributeDef; target: string } | undefined {
  for (const attr of def.attributes) {
    if (!isLookup(attr) || (attr.targets ?? []).length < 2) continue;
    const target = (attr.targets ?? []).find((t) => name === `${attr.logicalName}_${t}_${def.logicalName}`);
    if (target) return { attr, target };
  }
  return undefined;
}

function resolveBind(ctx: SimContext, attr: AttributeDef, value: unknown): string | null {
  if (value === null) return null;
  const target = typeof value === 'string' ? parseTarget(decodeURIComponent(value.replace(/^\/|^https?:\/\/[^/]+\/api\/data\/v9\.2\//g, ''))) : null;
  if (!target || target.kind === 'collection' || !(attr.targets ?? []).includes(target.def.logicalName)) {
    throw fail(400, CODES.invalidArgument, `Invalid reference '${String(value)}' for lookup '${attr.logicalName}'.`);
  }
  const table = ctx.store.table(target.def.entitySet);
  const row = target.kind === 'id' ? table?.rows.get(target.id) : table?.findByAltKey(target.column, target.value);
  if (!row) {
    const id = target.kind === 'id' ? target.id : `${target.column}=${target.value}`;
    throw fail(404, CODES.notFound, `${target.def.logicalName} With Id = ${id} Does Not Exist`);
  }
  return String(row[target.def.key]);
}

/** Dataverse's column ranges (Money: ±922,337,203,685,477; whole numbers: 32-bit; BigInt: 64-bit, here the safe-integer part). */
export const RANGES = {
  Money: [-922_337_203_685_477, 922_337_203_685_477],
  Integer: [-2_147_483_648, 2_147_483_647],
  BigInt: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  Double: [-100_000_000_000, 100_000_000_000],
} as const;

function checkValue(def: TableDef, attr: AttributeDef, value: unknown): unknown {
  if (value === null) return null;
  const bad = (why: string): never => {
    throw fail(400, CODES.validation, `A validation error occurred. ${why}`);
  };
  switch (attr.type) {
    case 'String':
    case 'Memo':
      if (typeof value !== 'string') return bad(`The value of '${attr.logicalName}' must be a string.`);
      if (attr.maxLength !== undefined && value.length > attr.maxLength) {
        bad(
          `The length of the '${attr.logicalName}' attribute of the '${def.logicalName}' entity exceeded the maximum allowed length of '${attr.maxLength}'.`,
        );
      }
      return value;
    case 'Money': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(`The value of '${attr.logicalName}' must be a number.`);
      const [min, max] = RANGES.Money;
      if (value < min || value > max) return bad(`The value ${String(value)} of '${attr.logicalName}' is outside the valid range (${min} to ${max}).`);
      // Dataverse keeps a money column at its precision, rounding on save.
      return roundTo(value, attr.precision ?? 2);
    }
    case 'Decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(`The value of '${attr.logicalName}' must be a number.`);
      return roundTo(value, attr.precision ?? 2);
    case 'Double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(`The value of '${attr.logicalName}' must be a number.`);
      const [min, max] = attr.range ?? RANGES.Double;
      if (value < min || value > max) return bad(`The value ${String(value)} of '${attr.logicalName}' is outside the valid range (${min} to ${max}).`);
      return roundTo(value, attr.precision ?? 2);
    }
    case 'Integer':
    case 'BigInt': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(`The value of '${attr.logicalName}' must be a number.`);
      const [min, max] = RANGES[attr.type];
      if (value < min || value > max || !Number.isInteger(value)) {
        return bad(`The value ${String(value)} of '${attr.logicalName}' is outside the valid range (${min} to ${max}).`);
      }
      return value;
    }
    case 'Boolean':
      if (typeof value !== 'boolean') return bad(`The value of '${attr.logicalName}' must be a boolean.`);
      return value;
    case 'DateTime':
      if (typeof value !== 'string' || !(attr.dateOnly ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/).test(value)) {
        return bad(`The value '${String(value)}' of '${attr.logicalName}' is not a valid date.`);
      }
      return value;
    case 'Picklist':
    case 'State':
    case 'Status':
      if (typeof value !== 'number' || !(attr.options ?? []).some((o) => o.value === value)) {
        const accepted = (attr.options ?? []).map((o) => o.value).join(',');
        return bad(
          `The value ${String(value)} of '${attr.logicalName}' on record of type '${def.logicalName}' is outside the valid range. Accepted Values: ${accepted}`,
        );
      }
      return value;
    default:
      return value;
  }
}

export interface Presentation {
  select: string[] | null;
  formatted: boolean;
}

/** The row as JSON on the wire. */
export function present(ctx: SimContext, def: TableDef, row: Row, how: Presentation): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': `W/"${String(row.versionnumber)}"` };
  const attrs = how.select
    ? def.attributes.filter((a) => how.select?.includes(a.logicalName) || how.select?.includes(columnOf(a)) || a.logicalName === def.key)
    : def.attributes;
  for (const attr of attrs) {
    const column = columnOf(attr);
    const value = row[column] ?? null;
    out[column] = value;
    if (!how.formatted || value === null) continue;
    const label = formattedValue(ctx, attr, value);
    if (label !== null) out[`${column}${FORMATTED}`] = label;
    if (isLookup(attr)) out[`${column}@Microsoft.Dynamics.CRM.lookuplogicalname`] = lookupTarget(ctx, attr, String(value))?.logicalName ?? null;
  }
  return out;
}

function lookupTarget(ctx: SimContext, attr: AttributeDef, id: string): { logicalName: string; row: Row } | null {
  for (const target of attr.targets ?? []) {
    const def = tableByLogicalName(target);
    const row = def ? ctx.store.table(def.entitySet)?.rows.get(id) : undefined;
    if (def && row) return { logicalName: def.logicalName, row };
  }
  return null;
}

function formattedValue(ctx: SimContext, attr: AttributeDef, value: unknown): string | null {
  if (attr.options) return attr.options.find((o) => o.value === value)?.label ?? null;
  if (attr.type === 'Boolean') return value === true ? 'Yes' : 'No';
  if (attr.type === 'Money' && typeof value === 'number') return value.toFixed(2);
  if (isLookup(attr)) {
    const hit = lookupTarget(ctx, attr, String(value));
    const def = hit ? tableByLogicalName(hit.logicalName) : undefined;
    return hit && def ? String(hit.row[def.primaryName] ?? '') : null;
  }
  return null;
}

/** Rounds half away from zero at `precision` decimals, as Dataverse stores money and decimals. */
function roundTo(value: number, precision: number): number {
  const sign = value < 0 ? -1 : 1;
  const text = String(Math.abs(value));
  // Past 2^52 a double has no fractional digits left to round.
  if (Math.abs(value) >= 2 ** 52) return value;
  if (text.includes('e')) {
    // No plain decimal text to shift (1e21, 1e-7): round arithmetically; past the float range, unchanged.
    const rounded = Math.round(Math.abs(value) * 10 ** precision) / 10 ** precision;
    return Number.isFinite(rounded) ? sign * rounded : value;
  }
  return sign * Number(`${Math.round(Number(`${text}e${precision}`))}e-${precision}`);
}
