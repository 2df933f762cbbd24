/**
 * Direct data access for tests and the admin surface: rows written as if a user edited them in
 * the CRM (no API rules), lookups given either as `_x_value` or as `x@odata.bind`.
 */
import type { SimContext } from './context';
import { isLookup, tableBySet } from './schema';
import type { Row } from './store';

/** USD is the base currency; `exchangerate` is units of the currency per one USD, as Dataverse keeps it. */
export const DEFAULT_CURRENCIES: ReadonlyArray<{ iso: string; name: string; exchangerate: number }> = [
  { iso: 'USD', name: 'US Dollar', exchangerate: 1 },
  { iso: 'EUR', name: 'Euro', exchangerate: 0.92 },
  { iso: 'GBP', name: 'Pound Sterling', exchangerate: 0.79 },
  { iso: 'JPY', name: 'Yen', exchangerate: 151.2 },
  { iso: 'CAD', name: 'Canadian Dollar', exchangerate: 1.36 },
];

function rawValues(entitySet: string, fields: Record<string, unknown>): Row {
  const def = tableBySet(entitySet);
  if (!def) throw new Error(`unknown entity set ${entitySet}`);
  const out: Row = {};
  for (const [key, value] of Object.entries(fields)) {
    const bind = /^(\w+)@odata\.bind$/.exec(key);
    const attr = def.attributes.find((a) => a.logicalName === (bind?.[1] ?? key));
    if (attr && isLookup(attr)) {
      const id = typeof value === 'string' ? (/\(([0-9a-fA-F-]{36})\)$/.exec(value)?.[1] ?? value) : value;
      out[`_${attr.logicalName}_value`] = typeof id === 'string' ? id.toLowerCase() : null;
    } else out[key] = value;
  }
  return out;
}

export function seedRows(ctx: SimContext, entitySet: string, records: ReadonlyArray<Record<string, unknown>>): string[] {
  const usd = [...(ctx.store.table('transactioncurrencies')?.rows.values() ?? [])].find((r) => r.isocurrencycode === 'USD');
  return records.map((record) => {
    const values = rawValues(entitySet, record);
    if (entitySet === 'opportunities') {
      values.statecode ??= 0;
      values.statuscode ??= values.statecode === 1 ? 3 : values.statecode === 2 ? 4 : 1;
      values._transactioncurrencyid_value ??= usd?.transactioncurrencyid ?? null;
    }
    const key = tableBySet(entitySet)?.key ?? '';
    const existing = typeof values[key] === 'string' ? ctx.store.table(entitySet)?.rows.get(String(values[key])) : undefined;
    return String(ctx.store.write(entitySet, values, existing)[key]);
  });
}

export function updateRow(ctx: SimContext, entitySet: string, id: string, fields: Record<string, unknown>): boolean {
  const existing = ctx.store.table(entitySet)?.rows.get(id);
  if (!existing) return false;
  ctx.store.write(entitySet, rawValues(entitySet, fields), existing);
  return true;
}
