/** R3, R4, R5, R14: editing an accepted deal. Invitations are never edited here (R8). */
import type { EditChanges, EditableFields } from './commands';
import type { Transition } from './events';
import { violation } from './field-checks';
import type { Opportunity } from './model';
import { err, ok, type Result } from './result';
import type { RuleViolation } from './rules';
import { validateEditChanges } from './validate';

/** The only fields an edit may touch; anything else in the changes is ignored. */
export const EDITABLE_FIELDS = [
  'customer',
  'dealName',
  'estimatedValue',
  'estimatedCloseDate',
  'crmId',
  'campaignId',
  'notes',
  'team',
  'solutions',
] as const satisfies readonly (keyof EditableFields)[];

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The editable fields whose value the changes would actually alter. */
export function changedFields(opportunity: Opportunity, changes: EditChanges): (keyof EditableFields)[] {
  return EDITABLE_FIELDS.filter((field) => changes[field] !== undefined && !sameValue(changes[field], opportunity[field]));
}

function copyField<K extends keyof EditableFields>(target: EditableFields, changes: EditChanges, field: K): void {
  const value = changes[field];
  if (value !== undefined) target[field] = value;
}

/** R12 keeps a received referral as sent until it is accepted; R14 lets an accepted one be edited. */
export function edit(opportunity: Opportunity, changes: EditChanges, now: Date): Result<Transition, RuleViolation> {
  if (opportunity.stage === 'received') {
    return err(violation('R12', 'a received referral can only be accepted or declined; accept it to edit it', 'stage'));
  }
  const [invalid] = validateEditChanges(opportunity, changes);
  if (invalid) return err(invalid);
  const fields = changedFields(opportunity, changes);
  const next: Opportunity = structuredClone(opportunity);
  if (fields.length === 0) return ok({ opportunity: next, events: [] });
  const copied = structuredClone(changes);
  fields.forEach((field) => copyField(next, copied, field));
  return ok({ opportunity: next, events: [{ type: 'edited', opportunityId: next.id, at: now.toISOString(), fields }] });
}
