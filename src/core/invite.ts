/** R8, R9, R10: inviting Microsoft or another partner to a deal after it was created. */
import type { Command } from './commands';
import type { Transition } from './events';
import { violation, isNonBlank, isOneOf } from './field-checks';
import { microsoftInvitation, partnerInvitation } from './invitation-factory';
import { HELP_TYPES, type Invitation, type Opportunity } from './model';
import { err, ok, type Result } from './result';
import type { RuleViolation } from './rules';
import { checkMicrosoftInvitable, checkPartnerInvitable, typeAfterInvitation } from './type-rules';
import { duplicatePartnerViolations, validatePartnerInvitation } from './validate-invitation';

type Outcome = Result<Transition, RuleViolation>;
type CommandOf<K extends Command['kind']> = Extract<Command, { kind: K }>;

/** R12: a received referral is only accepted or declined; it takes invitations once accepted. */
function refuseReceived(opportunity: Opportunity): RuleViolation | null {
  if (opportunity.stage !== 'received') return null;
  return violation('R12', 'a received referral must be accepted before anyone is invited', 'stage');
}

function invited(opportunity: Opportunity, invitation: Invitation, now: Date): Transition {
  const type = typeAfterInvitation(opportunity.type, invitation.invitee.kind);
  const next = { ...structuredClone(opportunity), type, invitations: [...structuredClone(opportunity.invitations), invitation] };
  if (invitation.invitee.kind === 'microsoft') next.microsoftHelpType = invitation.helpType;
  const event = {
    type: 'invited',
    opportunityId: opportunity.id,
    at: now.toISOString(),
    invitationId: invitation.id,
    invitee: structuredClone(invitation.invitee),
    previousType: opportunity.type,
    opportunityType: type,
  } as const;
  return { opportunity: next, events: [event] };
}

/** R9, R10: asking Microsoft for help makes the deal co-sell and leaves a pending invitation. */
export function inviteMicrosoft(opportunity: Opportunity, command: CommandOf<'inviteMicrosoft'>, now: Date): Outcome {
  const refused = refuseReceived(opportunity) ?? checkMicrosoftInvitable(opportunity);
  if (refused) return err(refused);
  if (command.helpType === 'none' || !isOneOf(HELP_TYPES, command.helpType)) {
    return err(violation('R9', 'inviting Microsoft asks for a kind of help other than none', 'helpType'));
  }
  const invitation = microsoftInvitation({ deal: opportunity, helpType: command.helpType, notes: command.notes, now });
  return ok(invited(opportunity, invitation, now));
}

/** R8, R10: another partner joins with its own close date, value, team and solutions. */
export function invitePartner(opportunity: Opportunity, command: CommandOf<'invitePartner'>, now: Date): Outcome {
  const refused = refuseReceived(opportunity) ?? checkPartnerInvitable(opportunity);
  if (refused) return err(refused);
  const [invalid] = [
    ...validatePartnerInvitation(command.invitation, 'invitation'),
    ...duplicatePartnerViolations([...opportunity.invitations, command.invitation], 'invitations'),
  ];
  if (invalid) return err(invalid);
  if (!isNonBlank(command.invitationId)) return err(violation('R8', 'an invitation needs an id', 'invitationId'));
  if (opportunity.invitations.some((existing) => existing.id === command.invitationId)) {
    return err(violation('R8', `invitation ${command.invitationId} already exists`, 'invitationId'));
  }
  return ok(invited(opportunity, partnerInvitation({ id: command.invitationId, input: command.invitation, now }), now));
}

/**
 * R9: Microsoft sellers engaged, declined, or let the 14 days pass. The deal stays co-sell either
 * way; only the invitation records the answer. The same answer twice changes nothing.
 */
export function microsoftResponse(opportunity: Opportunity, command: CommandOf<'microsoftResponse'>, now: Date): Outcome {
  const index = opportunity.invitations.findIndex((i) => i.invitee.kind === 'microsoft');
  const current = opportunity.invitations[index];
  if (current === undefined) return err(violation('R9', 'Microsoft was not invited to this deal', 'invitations'));
  if (!isOneOf(['engaged', 'declined', 'lapsed'] as const, command.status)) return err(violation('R9', `unknown answer ${String(command.status)}`, 'status'));
  if (current.status === command.status) return ok({ opportunity, events: [] });
  const next = structuredClone(opportunity);
  next.invitations[index] = { ...structuredClone(current), status: command.status };
  const event = { type: 'microsoft-responded', opportunityId: opportunity.id, at: now.toISOString(), invitationId: current.id, status: command.status } as const;
  return ok({ opportunity: next, events: [event] });
}
