/**
 * Three-way merge per field (architecture.md, sync protocol 1-2). Pure: given the base both sides
 * agreed on, the CRM's values and the co-sell values, decide field by field.
 */
import { sameValue } from '../values';

export type FieldOwner = 'crm' | 'cosell' | 'latest' | 'manual';
export type FieldDirection = 'to-cosell' | 'to-crm' | 'both';

export interface FieldPolicy {
  direction: FieldDirection;
  owner: FieldOwner;
  /**
   * Whether a co-sell value and a CRM value mean the same thing for this field (an amount rounded
   * to the CRM field's scale, say). Default: canonical deep equality. Used wherever the merge asks
   * "unchanged?" or "both sides hold the same?".
   */
  equivalent?: (cosell: unknown, crm: unknown) => boolean;
}

export type FieldDecision =
  /** The CRM changed it alone (or won a conflict): apply to co-sell. */
  | { field: string; action: 'take-crm'; value: unknown; conflict: boolean; rule?: string }
  /** Co-sell changed it alone (or won a conflict): push to the CRM. */
  | { field: string; action: 'push-cosell'; value: unknown; conflict: boolean; rule?: string }
  /** Both sides hold the same value now. */
  | { field: string; action: 'agree'; value: unknown }
  /** Both changed to different values and the owner is `manual`: hold until resolved. */
  | { field: string; action: 'hold'; crmValue: unknown; cosellValue: unknown };

/**
 * When each side last changed a field, for owner `latest`. `crmModifiedAt` is the CRM record's
 * last-modified time (Salesforce SystemModstamp/LastModifiedDate, Dataverse modifiedon), not its
 * version token; `cosellChangedAt` the time of the last co-sell event that changed the field.
 */
export interface ChangeTimes {
  crmModifiedAt: string | null;
  cosellChangedAt: Readonly<Record<string, string | null>>;
}

export interface MergeInput {
  fields: ReadonlyMap<string, FieldPolicy>;
  base: Record<string, unknown>;
  crm: Record<string, unknown>;
  cosell: Record<string, unknown>;
  /** Held fields: path -> CRM value when held. */
  held: Record<string, unknown>;
  times: ChangeTimes;
}

/**
 * `latest`: the CRM wins when its record was modified at or after the co-sell field's last change.
 * Tie rule: equal times go to the CRM (the partner's source of truth); so does a side whose time is
 * unknown or unreadable (a CRM that sends no modification time, a field never changed in co-sell
 * is never newer than the CRM).
 */
export function crmIsNewer(times: ChangeTimes, field: string): boolean {
  const crm = parseTime(times.crmModifiedAt);
  const cosell = parseTime(times.cosellChangedAt[field] ?? null);
  if (crm === null || cosell === null) return true;
  return crm >= cosell;
}

/** An ISO-8601 date-time (with a time part), as milliseconds; anything else (a version number) is not a time. */
export function parseTime(value: string | null): number | null {
  if (value === null || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function mergeFields(input: MergeInput): FieldDecision[] {
  const decisions: FieldDecision[] = [];
  for (const [field, policy] of input.fields) {
    const decision = mergeField(field, policy, input);
    if (decision) decisions.push(decision);
  }
  return decisions;
}

function mergeField(field: string, policy: FieldPolicy, input: MergeInput): FieldDecision | null {
  const same = sameFor(policy);
  const readsCrm = policy.direction !== 'to-crm';
  const writesCrm = policy.direction !== 'to-cosell';
  const base = input.base[field] ?? null;
  const cosell = input.cosell[field] ?? null;
  const crm = readsCrm && field in input.crm ? input.crm[field] : base;

  if (field in input.held) {
    // A held field is looked at again only when the CRM moves away from the value it held.
    if (sameValue(crm, input.held[field])) return null;
    if (same(cosell, crm)) return { field, action: 'agree', value: cosell };
  }
  const crmChanged = readsCrm && !same(base, crm);
  const cosellChanged = writesCrm && !same(cosell, base);
  if (!crmChanged && !cosellChanged) return null;
  if (crmChanged && !cosellChanged) return { field, action: 'take-crm', value: crm, conflict: false };
  if (!crmChanged) return { field, action: 'push-cosell', value: cosell, conflict: false };
  if (same(cosell, crm)) return { field, action: 'agree', value: crm };
  return settleConflict(field, policy.owner, crm, cosell, input.times);
}

/** The field's own equality: its `equivalent` when set (co-sell value first), else canonical deep equality. */
function sameFor(policy: FieldPolicy): (cosell: unknown, crm: unknown) => boolean {
  const eq = policy.equivalent;
  return eq === undefined ? sameValue : (a, b) => sameValue(a, b) || eq(a, b);
}

function settleConflict(field: string, owner: FieldOwner, crm: unknown, cosell: unknown, times: ChangeTimes): FieldDecision {
  switch (owner) {
    case 'crm':
      return { field, action: 'take-crm', value: crm, conflict: true, rule: 'crm' };
    case 'cosell':
      return { field, action: 'push-cosell', value: cosell, conflict: true, rule: 'cosell' };
    case 'latest':
      return crmIsNewer(times, field)
        ? { field, action: 'take-crm', value: crm, conflict: true, rule: 'latest: the CRM change is as new or newer' }
        : { field, action: 'push-cosell', value: cosell, conflict: true, rule: 'latest: the co-sell change is newer' };
    case 'manual':
      return { field, action: 'hold', crmValue: crm, cosellValue: cosell };
  }
}
