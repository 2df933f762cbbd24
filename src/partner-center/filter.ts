/**
 * OData `$filter` text for the Referrals API, built only here: field names from an allow-list
 * (the documented filter parameters), values quoted with `'` doubled (OData ABNF).
 */
export const REFERRAL_FILTER_FIELDS = [
  'engagementId',
  'status',
  'substatus',
  'updatedDateTime',
  'direction',
  'qualification',
  'customerProfile/address/country',
] as const;
export type ReferralFilterField = (typeof REFERRAL_FILTER_FIELDS)[number];

export interface ReferralCondition {
  field: ReferralFilterField;
  op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
  value: string;
}

export const quoteODataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export function referralFilter(conditions: readonly ReferralCondition[]): string {
  return conditions
    .map((c) => {
      if (!(REFERRAL_FILTER_FIELDS as readonly string[]).includes(c.field)) throw new RangeError(`cannot filter referrals on ${c.field}`);
      return `${c.field} ${c.op} ${quoteODataString(c.value)}`;
    })
    .join(' and ');
}
