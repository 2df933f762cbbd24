/**
 * A multi-currency org's exchange rates: CurrencyType (Object Reference, "CurrencyType"), where
 * ConversionRate is units of the currency per one unit of the corporate currency (IsCorporate).
 * A single-currency org has no CurrencyType: the query fails with INVALID_TYPE, and the mapping's
 * own `rates` table is used instead.
 */
import { z } from 'zod';
import { isConnectorError } from '../../src/errors';
import type { SalesforceClient } from './client';

const CurrencyRows = z.object({
  records: z.array(z.object({ IsoCode: z.string(), ConversionRate: z.number(), IsCorporate: z.boolean().nullish() }).loose()),
});

const SOQL = 'SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true';

export async function readCurrencyRates(client: SalesforceClient): Promise<{ base: string; rates: Record<string, number> } | null> {
  let raw: unknown;
  try {
    raw = await client.call('currencyRates', async (conn) => await conn.query(SOQL, { autoFetch: false }));
  } catch (err) {
    if (isConnectorError(err) && err.crmCode === 'INVALID_TYPE') return null;
    throw err;
  }
  const rows = CurrencyRows.parse(raw).records;
  const base = rows.find((r) => r.IsCorporate === true)?.IsoCode;
  if (base === undefined) return null;
  return { base, rates: Object.fromEntries(rows.filter((r) => r.ConversionRate > 0).map((r) => [r.IsoCode, r.ConversionRate])) };
}
