/** R6, R9, R10: the opportunity type, and who may be invited to a deal of each type. */
import { violation, isNonBlank } from './field-checks';
import type { Customer, HelpType, Opportunity, OpportunityType } from './model';
import type { RuleViolation } from './rules';

/** R6: the type a new outbound deal gets from its Microsoft help type and partner invitations. */
export function deriveType(microsoftHelpType: HelpType, partnerCount: number): OpportunityType {
  if (microsoftHelpType !== 'none') return 'co-sell';
  return partnerCount > 0 ? 'p2p' : 'private';
}

/** Microsoft is already on the deal: co-sell, asked for help, or invited. */
export function microsoftInvolved(opportunity: Opportunity): boolean {
  return (
    opportunity.type === 'co-sell' ||
    opportunity.microsoftHelpType !== 'none' ||
    microsoftInvited(opportunity)
  );
}

/** We invited Microsoft (at creation or later): a Microsoft invitation is on the deal. */
export function microsoftInvited(opportunity: Opportunity): boolean {
  return opportunity.invitations.some((invitation) => invitation.invitee.kind === 'microsoft');
}

/** R2, R10: Microsoft can be invited only with a named customer contact given with consent. */
export function microsoftContactViolations(customer: Customer, prefix = 'customer'): RuleViolation[] {
  const found: RuleViolation[] = [];
  if (customer.contact === null || !isNonBlank(customer.contact.name)) {
    found.push(violation('R10', 'inviting Microsoft requires a customer contact', `${prefix}.contact`));
  }
  if (customer.contactConsent !== true) {
    found.push(violation('R10', "inviting Microsoft requires the customer's consent to share the contact", `${prefix}.contactConsent`));
  }
  return found;
}

/** R10: may Microsoft be invited now? (Stage checks are the lifecycle's.) */
export function checkMicrosoftInvitable(opportunity: Opportunity): RuleViolation | null {
  if (microsoftInvolved(opportunity)) {
    return violation('R10', `Microsoft is already on this ${opportunity.type} deal; it cannot be invited twice`, 'invitations');
  }
  return microsoftContactViolations(opportunity.customer)[0] ?? null;
}

/** R10: may another partner be invited now? Never on an inbound co-sell deal. */
export function checkPartnerInvitable(opportunity: Opportunity): RuleViolation | null {
  if (opportunity.type === 'co-sell' && opportunity.direction === 'inbound') {
    return violation('R10', 'partners cannot be invited to an inbound co-sell deal', 'invitations');
  }
  return null;
}

/** R10: the type after an invitation; Microsoft makes any deal co-sell, partners keep co-sell and p2p. */
export function typeAfterInvitation(current: OpportunityType, invitee: 'microsoft' | 'partner'): OpportunityType {
  if (invitee === 'microsoft') return 'co-sell';
  return current === 'private' ? 'p2p' : current;
}
