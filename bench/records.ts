/** Made-up opportunities for the benchmark (example.com addresses only). */

const CUSTOMERS = [
  ['Contoso Ltd', 'Lyon', 'FR'], ['Fabrikam Inc', 'Seattle', 'US'], ['Northwind Traders', 'London', 'GB'],
  ['Tailspin Toys', 'Munich', 'DE'], ['Wide World Importers', 'Rotterdam', 'NL'], ['Adventure Works', 'Toronto', 'CA'],
] as const;
const OPEN_SF_STAGES = ['Qualification', 'Needs Analysis', 'Value Proposition', 'Proposal/Price Quote', 'Negotiation/Review'] as const;

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length] as T;
}

const closeDate = (i: number): string => `2027-${String((i % 9) + 3).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;

/** A valid, participating Salesforce Opportunity (what the shipped mapping needs to create a co-sell deal). */
export function benchSfRecord(i: number): Record<string, unknown> {
  const [customer, city, country] = pick(CUSTOMERS, i);
  return {
    Name: `${customer} bench deal ${i}`, StageName: pick(OPEN_SF_STAGES, i), CloseDate: closeDate(i), Amount: 10000 + (i % 500) * 1000,
    CurrencyIsoCode: i % 5 === 0 ? 'EUR' : 'USD', Description: `Benchmark deal ${i}`, CoSell_Sync__c: true,
    CoSell_Customer_Name__c: customer, CoSell_Customer_City__c: city, CoSell_Customer_Country__c: country,
    CoSell_Team__c: JSON.stringify([{ name: `Seller ${i % 50}`, phone: '+1 555 0100', email: `seller${i % 50}@partner.example.com` }]),
    CoSell_Solutions__c: JSON.stringify([{ id: `sol-${(i % 3) + 1}`, name: 'Data Estate Accelerator', kind: 'own' }]),
  };
}

/** A valid, participating Dynamics opportunity row as the simulator seeds it (currency by guid). */
export function benchDynRow(i: number, currencies: Record<string, string>): Record<string, unknown> {
  const [customer, city, country] = pick(CUSTOMERS, i + 3);
  return {
    name: `${customer} bench row ${i}`, estimatedvalue: 50000 + (i % 400) * 500, estimatedclosedate: closeDate(i + 7),
    _transactioncurrencyid_value: currencies[i % 4 === 0 ? 'GBP' : 'USD'], statecode: 0, statuscode: 1, salesstage: i % 3,
    cosell_sync: true, cosell_customername: customer, cosell_customercity: city, cosell_customercountry: country,
    cosell_team: JSON.stringify([{ name: `Rep ${i % 50}`, phone: '+1 555 0199', email: `rep${i % 50}@partner.example.com` }]),
    cosell_solutions: JSON.stringify([{ id: 'sol-9', name: 'Secure Landing Zone', kind: 'own' }]), description: `Benchmark row ${i}`,
  };
}

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
