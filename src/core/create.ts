/** R6, R7: building a new opportunity, outbound (created by us) or inbound (received). */
import type { InboundInput, OutboundInput } from './commands';
import type { Transition } from './events';
import { microsoftInvitation, partnerInvitation, partnerInvitationId } from './invitation-factory';
import type { Invitation, Opportunity, OpportunityId } from './model';
import { err, ok, type Result } from './result';
import type { RuleViolation } from './rules';
import { deriveType } from './type-rules';
import { validateInboundInput, validateOutboundInput } from './validate';

function outboundInvitations(id: OpportunityId, input: OutboundInput, now: Date): Invitation[] {
  const partners = input.partnerInvitations.map((invitation) =>
    partnerInvitation({
      id: partnerInvitationId(id, invitation.invitee.kind === 'partner' ? invitation.invitee.partnerId : 'unknown'),
      input: invitation,
      now,
    }),
  );
  if (input.microsoftHelpType === 'none') return partners;
  const deal = { id, ...input };
  return [microsoftInvitation({ deal, helpType: input.microsoftHelpType, notes: input.notes, now }), ...partners];
}

/** R7: a deal we create starts `accepted`, typed by R6. */
export function createOutbound(id: OpportunityId, source: OutboundInput, now: Date): Result<Transition, RuleViolation> {
  const [first] = validateOutboundInput(source);
  if (first) return err(first);
  const input = structuredClone(source);
  const at = now.toISOString();
  const type = deriveType(input.microsoftHelpType, input.partnerInvitations.length);
  const opportunity: Opportunity = {
    id,
    direction: 'outbound',
    type,
    stage: 'accepted',
    customer: input.customer,
    dealName: input.dealName,
    estimatedValue: input.estimatedValue,
    estimatedCloseDate: input.estimatedCloseDate,
    crmId: input.crmId,
    campaignId: input.campaignId,
    notes: input.notes,
    team: input.team,
    solutions: input.solutions,
    microsoftHelpType: input.microsoftHelpType,
    invitations: outboundInvitations(id, input, now),
    sender: null,
    favorite: false,
    declineReason: null,
    declineNotes: null,
    dealRegistration: null,
    createdAt: at,
    receivedAt: null,
    stageChangedAt: at,
  };
  return ok({ opportunity, events: [{ type: 'created', opportunityId: id, at, opportunityType: type }] });
}

/** R7, R13, R18: a referral sent to us starts `received`, its expiry clock starts now, our contacts are told. */
export function receiveInbound(id: OpportunityId, source: InboundInput, now: Date): Result<Transition, RuleViolation> {
  const [first] = validateInboundInput(source);
  if (first) return err(first);
  const input = structuredClone(source);
  const at = now.toISOString();
  const opportunity: Opportunity = {
    id,
    direction: 'inbound',
    type: input.type,
    stage: 'received',
    customer: input.customer,
    dealName: input.dealName,
    estimatedValue: input.estimatedValue,
    estimatedCloseDate: input.estimatedCloseDate,
    crmId: null,
    campaignId: null,
    notes: input.notes,
    team: input.team,
    solutions: input.solutions,
    microsoftHelpType: input.microsoftHelpType,
    invitations: [],
    sender: input.sender,
    favorite: false,
    declineReason: null,
    declineNotes: null,
    dealRegistration: null,
    createdAt: at,
    receivedAt: at,
    stageChangedAt: at,
  };
  const notify = { reason: 'new-inbound', recipients: 'our-contacts' } as const;
  return ok({ opportunity, events: [{ type: 'received', opportunityId: id, at, notify }] });
}
