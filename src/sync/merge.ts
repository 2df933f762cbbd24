/**
 * Three-way merge per field (architecture.md, sync protocol 1-2). Pure: given the base both sides
 * agreed on, the CRM's values and the co-sell values, decide field by field.
 */
import { sameValue } from './values';

export type FieldOwner = 'crm' | 'cosell' | 'latest' | 'manual';
export type FieldDirection = 'to-cosell' | 'to-crm' | 'both';

export interface FieldPolicy {
  direction: FieldDirection;
  owner: FieldOwner;
}

export type FieldDecision =
  /** The CRM changed it alone (or won a conflict): apply to co-sell. */
  | { field: string; action: 'take-crm'; value: unknown; conflict: boolean }
  /** Co-sell changed it alone (or won a conflict): push to the CRM. */
  | { field: string; action: 'push-cosell'; value: unknown; conflict: boolean }
  /** Both sides hold the same value now. */
  | { field: string; action: 'agree'; value: unknown }
  /** Both changed to different values and the owner is `manual`: hold until resolved. */
  | { field: string; action: 'hold'; crmValue: unknown; cosellValue: unknown };

export interface MergeInput {
  fields: ReadonlyMap<string, FieldPolicy>;
  base: Record<string, unknown>;
  crm: Record<string, unknown>;
  cosell: Record<string, unknown>;
  /** Held fields: path -> CRM value when held. */
  held: Record<string, unknown>;
  /** For `latest`: whether the CRM's change is newer than the co-sell one. */
  crmIsNewer: boolean;
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
  const readsCrm = policy.direction !== 'to-crm';
  const writesCrm = policy.direction !== 'to-cosell';
  const base = input.base[field] ?? null;
  const cosell = input.cosell[field] ?? null;
  const crm = readsCrm && field in input.crm ? input.crm[field] : base;

  if (field in input.held) {
    // A held field is looked at again only when the CRM moves away from the value it held.
    if (sameValue(crm, input.held[field])) return null;
    if (sameValue(crm, cosell)) return { field, action: 'agree', value: cosell };
  }
  const crmChanged = readsCrm && !sameValue(crm, base);
  const cosellChanged = writesCrm && !sameValue(cosell, base);
  if (!crmChanged && !cosellChanged) return null;
  if (crmChanged && !cosellChanged) return { field, action: 'take-crm', value: crm, conflict: false };
  if (!crmChanged) return { field, action: 'push-cosell', value: cosell, conflict: false };
  if (sameValue(crm, cosell)) return { field, action: 'agree', value: crm };
  return settleConflict(field, policy.owner, crm, cosell, input.crmIsNewer);
}

function settleConflict(field: string, owner: FieldOwner, crm: unknown, cosell: unknown, crmIsNewer: boolean): FieldDecision {
  switch (owner) {
    case 'crm':
      return { field, action: 'take-crm', value: crm, conflict: true };
    case 'cosell':
      return { field, action: 'push-cosell', value: cosell, conflict: true };
    case 'latest':
      return crmIsNewer
        ? { field, action: 'take-crm', value: crm, conflict: true }
        : { field, action: 'push-cosell', value: cosell, conflict: true };
    case 'manual':
      return { field, action: 'hold', crmValue: crm, cosellValue: cosell };
  }
}
