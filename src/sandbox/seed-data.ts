/**
 * Sample data for the sandbox: made-up companies, deals and people (example.com addresses only).
 */
const CUSTOMERS = [
  ['Contoso Ltd', 'Lyon', 'FR'], ['Fabrikam Inc', 'Seattle', 'US'], ['Northwind Traders', 'London', 'GB'],
  ['Tailspin Toys', 'Munich', 'DE'], ['Wide World Importers', 'Rotterdam', 'NL'], ['Adventure Works', 'Toronto', 'CA'],
  ['Litware Inc', 'Sydney', 'AU'], ['Proseware', 'Zurich', 'CH'], ['Woodgrove Bank', 'Dublin', 'IE'], ['Alpine Ski House', 'Oslo', 'NO'],
] as const;
const DEALS = ['cloud migration', 'data platform', 'security hardening', 'ERP rollout', 'analytics workshop', 'AI pilot'] as const;
const OPEN_SF_STAGES = ['Qualification', 'Needs Analysis', 'Value Proposition', 'Proposal/Price Quote', 'Negotiation/Review'] as const;

export interface SampleDeal {
  name: string;
  customer: string;
  city: string;
  country: string;
  amount: number;
  closeDate: string;
  team: string;
  solutions: string;
}

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length] as T;
}

export function sampleDeal(i: number): SampleDeal {
  const [customer, city, country] = pick(CUSTOMERS, i);
  const month = String((i % 9) + 3).padStart(2, '0');
  return {
    name: `${customer} ${pick(DEALS, i * 7 + 3)}`,
    customer, city, country,
    amount: 20000 + ((i * 7919) % 40) * 5000,
    closeDate: `2027-${month}-${String((i % 27) + 1).padStart(2, '0')}`,
    team: JSON.stringify([{ name: `Seller ${i}`, phone: `+1 555 01${String(i).padStart(2, '0')}`, email: `seller${i}@partner.example.com` }]),
    solutions: JSON.stringify([{ id: `sol-${(i % 3) + 1}`, name: pick(['Data Estate Accelerator', 'Secure Landing Zone', 'Copilot Readiness'], i), kind: 'own' }]),
  };
}

/** A valid, participating Salesforce Opportunity: every field the shipped mapping needs to create a co-sell deal. */
export function sampleSalesforceRecord(i: number, label = 'Sample deal'): Record<string, unknown> {
  const d = sampleDeal(i);
  return {
    Name: d.name, StageName: pick(OPEN_SF_STAGES, i), CloseDate: d.closeDate, Amount: d.amount, CurrencyIsoCode: i % 5 === 0 ? 'EUR' : 'USD',
    CoSell_Sync__c: true, CoSell_Customer_Name__c: d.customer, CoSell_Customer_City__c: d.city, CoSell_Customer_Country__c: d.country,
    CoSell_Team__c: d.team, CoSell_Solutions__c: d.solutions, Description: `${label} ${i}`,
  };
}

/** A valid, participating, open Dynamics opportunity row as the simulator seeds it (currency by id). */
export function sampleDynamicsRow(i: number, currencies: Record<string, string>, label = 'Sample deal'): Record<string, unknown> {
  const d = sampleDeal(i + 100);
  return {
    name: d.name, estimatedvalue: d.amount, estimatedclosedate: d.closeDate, _transactioncurrencyid_value: currencies[i % 4 === 0 ? 'GBP' : 'USD'],
    statecode: 0, statuscode: 1, salesstage: i % 3, cosell_sync: true, cosell_customername: d.customer, cosell_customercity: d.city,
    cosell_customercountry: d.country, cosell_team: d.team, cosell_solutions: d.solutions, description: `${label} ${i + 100}`,
  };
}

/** The sandbox's Salesforce org: mostly participating deals, some outside the filter, one without a team (R4). */
export function salesforceSeed(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    ...sampleSalesforceRecord(i),
    CoSell_Sync__c: i % 8 !== 7,
    ...(i === 3 ? { CoSell_Team__c: null } : {}),
  }));
}

/** The sandbox's Dynamics org: mostly participating rows, some outside the filter, one without a country (R2). */
export function dynamicsSeed(count: number, currencies: Record<string, string>): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    ...sampleDynamicsRow(i, currencies),
    cosell_sync: i % 9 !== 8,
    ...(i === 5 ? { cosell_customercountry: null } : {}),
  }));
}
