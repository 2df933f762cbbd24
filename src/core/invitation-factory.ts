/** Builds the invitation records of R8 and R9. Ids are derived from the deal, so replays agree. */
import type { InvitationInput } from './commands';
import type { HelpType, Invitation, Opportunity } from './model';

export function microsoftInvitationId(opportunityId: string): string {
  return `${opportunityId}:microsoft`;
}

export function partnerInvitationId(opportunityId: string, partnerId: string): string {
  return `${opportunityId}:partner:${partnerId}`;
}

export function partnerInvitation(params: { id: string; input: InvitationInput; now: Date }): Invitation {
  const input = structuredClone(params.input);
  return {
    id: params.id,
    invitee: input.invitee,
    closeDate: input.closeDate,
    value: input.value,
    notes: input.notes,
    team: input.team,
    solutions: input.solutions,
    helpType: input.helpType,
    status: 'pending',
    invitedAt: params.now.toISOString(),
  };
}

/** R9: asking Microsoft for help is a pending invitation; Microsoft sellers decide within 14 days. */
export function microsoftInvitation(params: {
  deal: Pick<Opportunity, 'id' | 'estimatedCloseDate' | 'estimatedValue' | 'team' | 'solutions'>;
  helpType: HelpType;
  notes: string | null;
  now: Date;
}): Invitation {
  const { deal } = params;
  return {
    id: microsoftInvitationId(deal.id),
    invitee: { kind: 'microsoft' },
    closeDate: deal.estimatedCloseDate,
    value: structuredClone(deal.estimatedValue),
    notes: params.notes,
    team: structuredClone(deal.team),
    solutions: structuredClone(deal.solutions),
    helpType: params.helpType,
    status: 'pending',
    invitedAt: params.now.toISOString(),
  };
}
