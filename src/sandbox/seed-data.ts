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

export function salesforceSeed(count: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i += 1) {
    const d = sampleDeal(i);
    out.push({
      Name: d.name, StageName: pick(OPEN_SF_STAGES, i), CloseDate: d.closeDate, Amount: d.amount, CurrencyIsoCode: i % 5 === 0 ? 'EUR' : 'USD',
      CoSell_Sync__c: i % 8 !== 7, CoSell_Customer_Name__c: d.customer, CoSell_Customer_City__c: d.city, CoSell_Customer_Country__c: d.country,
      CoSell_Team__c: i === 3 ? null : d.team, CoSell_Solutions__c: d.solutions, Description: `Sample deal ${i}`,
    });
  }
  return out;
}

export function dynamicsSeed(count: number, currencies: Record<string, string>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i += 1) {
    const d = sampleDeal(i + 100);
    out.push({
      name: d.name, estimatedvalue: d.amount, estimatedclosedate: d.closeDate, _transactioncurrencyid_value: currencies[i % 4 === 0 ? 'GBP' : 'USD'],
      statecode: 0, statuscode: 1, salesstage: i % 3, cosell_sync: i % 9 !== 8, cosell_customername: d.customer, cosell_customercity: d.city,
      cosell_customercountry: i === 5 ? null : d.country, cosell_team: d.team, cosell_solutions: d.solutions, description: `Sample deal ${i + 100}`,
    });
  }
  return out;
}
