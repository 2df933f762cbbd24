/**
 * R11 on the Partner Center side: what a deal may show Microsoft sellers. A private deal is not
 * shared until Microsoft is invited; a partner-to-partner deal never is. `consentToShareReferralWithMicrosoftSellers`
 * false is Partner Center's private deal (create-a-referral, current version).
 */
import type { Opportunity } from '../core/model';

export function microsoftInvited(opp: Pick<Opportunity, 'invitations'>): boolean {
  return opp.invitations.some((i) => i.invitee.kind === 'microsoft');
}

/** True only for a co-sell deal with Microsoft invited. */
export function mayShareWithMicrosoft(opp: Pick<Opportunity, 'type' | 'invitations'>): boolean {
  return opp.type === 'co-sell' && microsoftInvited(opp);
}

/** Checked on every body and patch before it leaves: a violation is a bug, never sent. */
export function sharingViolation(
  opp: Pick<Opportunity, 'type' | 'invitations'>,
  sent: { consentToShareReferralWithMicrosoftSellers?: boolean | null | undefined; targetsMicrosoft: boolean },
): string | null {
  if (mayShareWithMicrosoft(opp)) return null;
  if (sent.consentToShareReferralWithMicrosoftSellers === true) return `R11: a ${opp.type} deal may not carry consent to share with Microsoft sellers`;
  if (sent.targetsMicrosoft) return `R11: a ${opp.type} deal may not target Microsoft`;
  return null;
}
