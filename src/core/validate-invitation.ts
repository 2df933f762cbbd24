/** R8: what a partner invitation must name when it is made. */
import type { InvitationInput } from './commands';
import { violation, isNonBlank, isOneOf } from './field-checks';
import { HELP_TYPES } from './model';
import type { RuleViolation } from './rules';
import { validateDate, validateMoney, validateSolutions, validateTeam } from './validate-parts';

function validateInvitee(invitation: InvitationInput, path: string): RuleViolation[] {
  const invitee = invitation.invitee;
  if (invitee?.kind !== 'partner') {
    return [violation('R8', 'a partner invitation must name a partner (Microsoft is invited with inviteMicrosoft)', `${path}.invitee`)];
  }
  const found: RuleViolation[] = [];
  if (!isNonBlank(invitee.partnerId)) found.push(violation('R8', 'invited partner id is required', `${path}.invitee.partnerId`));
  if (!isNonBlank(invitee.partnerName)) found.push(violation('R8', 'invited partner name is required', `${path}.invitee.partnerName`));
  return found;
}

/** Every R8 gap of one partner invitation, paths under `path` (e.g. `partnerInvitations[0]`). */
export function validatePartnerInvitation(invitation: InvitationInput, path: string): RuleViolation[] {
  const found = validateInvitee(invitation, path);
  if (invitation.closeDate === null || invitation.closeDate === undefined) {
    found.push(violation('R8', "the invitee's estimated close date is required", `${path}.closeDate`));
  } else {
    found.push(...validateDate(invitation.closeDate, `${path}.closeDate`, 'R8'));
  }
  if (invitation.value !== null && invitation.value !== undefined) {
    found.push(...validateMoney(invitation.value, `${path}.value`, 'R8'));
  }
  found.push(...validateTeam(invitation.team, { path: `${path}.team`, rule: 'R8', required: false }));
  found.push(...validateSolutions(invitation.solutions, { path: `${path}.solutions`, rule: 'R8', required: true }));
  if (!isOneOf(HELP_TYPES, invitation.helpType)) {
    found.push(violation('R8', `help type must be one of ${HELP_TYPES.join(', ')}`, `${path}.helpType`));
  }
  return found;
}

/** A partner is invited once per deal (R8): a second invitation of the same partner is refused. */
export function duplicatePartnerViolations(
  invitations: readonly { invitee: InvitationInput['invitee'] }[],
  path: string,
): RuleViolation[] {
  const seen = new Set<string>();
  const found: RuleViolation[] = [];
  invitations.forEach((invitation, i) => {
    if (invitation.invitee?.kind !== 'partner') return;
    if (seen.has(invitation.invitee.partnerId)) {
      found.push(violation('R8', `partner ${invitation.invitee.partnerId} is already invited`, `${path}[${i}].invitee.partnerId`));
    }
    seen.add(invitation.invitee.partnerId);
  });
  return found;
}
