/** What the CRM says of itself that the mapping's conversions need: field scales and exchange rates. */
import type { CrmConnector, ObjectMetadata } from '../ports/connector';
import type { CrmFacts } from './codec';

export async function readCrmFacts(connector: Pick<CrmConnector, 'currencyRates'>, metadata: ObjectMetadata): Promise<CrmFacts> {
  const scales = new Map<string, number>();
  for (const f of metadata.fields) if (typeof f.scale === 'number') scales.set(f.name.toLowerCase(), f.scale);
  const rates = connector.currencyRates ? await connector.currencyRates() : null;
  return { scales, rates };
}
