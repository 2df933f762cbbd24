/** Made-up opportunities for the benchmark (example.com addresses only). */
import { sampleDynamicsRow, sampleSalesforceRecord } from '../src/sandbox/seed-data';

const CUSTOMERS = [
  ['Contoso Ltd', 'Lyon', 'FR'], ['Fabrikam Inc', 'Seattle', 'US'], ['Northwind Traders', 'London', 'GB'],
  ['Tailspin Toys', 'Munich', 'DE'], ['Wide World Importers', 'Rotterdam', 'NL'], ['Adventure Works', 'Toronto', 'CA'],
] as const;

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length] as T;
}

const closeDate = (i: number): string => `2027-${String((i % 9) + 3).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;

/** A valid, participating Salesforce Opportunity. */
export const benchSfRecord = (i: number): Record<string, unknown> => sampleSalesforceRecord(i, 'Benchmark deal');

/** A valid, participating Dynamics opportunity row as the simulator seeds it. */
export const benchDynRow = (i: number, currencies: Record<string, string>): Record<string, unknown> => sampleDynamicsRow(i, currencies, 'Benchmark row');

/** The same row as the connector writes it (currency as an ISO code, see config/mappings/dynamics.yaml). */
export function benchDynWrite(i: number): Record<string, unknown> {
  const [customer, city, country] = pick(CUSTOMERS, i + 3);
  return {
    name: `${customer} bench row ${i}`, estimatedvalue: 50000 + (i % 400) * 500, estimatedclosedate: closeDate(i + 7),
    transactioncurrencyid: i % 4 === 0 ? 'GBP' : 'USD', cosell_sync: true, cosell_customername: customer,
    cosell_customercity: city, cosell_customercountry: country, description: `Benchmark row ${i}`,
  };
}

/** A co-sell id for the i-th created record (the idempotency key of creates). */
export function benchKey(run: string, i: number): string {
  return `b3c00000-${run.padStart(4, '0').slice(-4)}-4000-8000-${String(i).padStart(12, '0')}`;
}
