/**
 * The `$filter` subset the Referrals API documents (get-a-list-of-referrals): comparisons on
 * engagementId, status, substatus, updatedDateTime, direction, qualification and the customer's
 * country, joined by `and`. Anything else is refused as the service would (400 invalidRequest).
 */
import type { Referral } from '../../../src/ports/referral';

export const FILTERABLE = {
  engagementId: (r: Referral) => r.engagementId,
  status: (r: Referral) => r.status,
  substatus: (r: Referral) => r.substatus,
  updatedDateTime: (r: Referral) => r.updatedDateTime,
  createdDateTime: (r: Referral) => r.createdDateTime,
  direction: (r: Referral) => r.direction,
  qualification: (r: Referral) => r.qualification,
  'customerProfile/address/country': (r: Referral) => r.customerProfile?.address?.country,
} as const satisfies Record<string, (r: Referral) => unknown>;

type Field = keyof typeof FILTERABLE;
type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
interface Clause {
  field: Field;
  op: Op;
  value: string;
}

export class FilterError extends Error {}

const CLAUSE = /^\s*([A-Za-z/]+)\s+(eq|ne|gt|ge|lt|le)\s+'((?:[^']|'')*)'\s*$/;

export function parseFilter(text: string): Clause[] {
  return text.split(/\s+and\s+/i).map((part) => {
    const m = CLAUSE.exec(part);
    if (!m) throw new FilterError(`Invalid filter clause: ${part.trim()}`);
    const [, field = '', op = '', value = ''] = m;
    if (!(field in FILTERABLE)) throw new FilterError(`Filtering on '${field}' is not supported.`);
    return { field: field as Field, op: op as Op, value: value.replace(/''/g, "'") };
  });
}

function compare(have: unknown, op: Op, want: string): boolean {
  const a = typeof have === 'string' ? have : have === null || have === undefined ? '' : String(have);
  // Timestamps compare as instants, everything else as text.
  const ta = Date.parse(a);
  const tb = Date.parse(want);
  const [x, y] = !Number.isNaN(ta) && !Number.isNaN(tb) && /^\d{4}-/.test(want) ? [ta, tb] : [a, want];
  switch (op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
  }
}

export function matches(r: Referral, clauses: readonly Clause[]): boolean {
  return clauses.every((c) => compare(FILTERABLE[c.field](r), c.op, c.value));
}
