/**
 * R9: Microsoft sellers asked for help have 14 days to decide. Their decision is Microsoft's own
 * referral in the deal's engagement (the related referrals, `$filter=engagementId eq '…'`): engaged
 * once it is accepted (or closed won/lost), declined or expired when closed so, and lapsed when
 * the 14 days since the invitation pass with no decision. Pure.
 */
import { DAY_MS } from '../core/clock';
import { MICROSOFT_DECISION_DAYS } from '../core/engagement-window';
import type { Invitation } from '../core/model';
import type { Referral } from '../ports/referral';
import { stageOfStatus } from './status';

export { MICROSOFT_DECISION_DAYS };

export type MicrosoftAnswer = 'engaged' | 'declined' | 'lapsed';

/** A referral Microsoft owns (its organisation id is `msft`, as in `target` and `invitedBy`). */
export function isMicrosoftOwned(referral: Pick<Referral, 'organizationId'>): boolean {
  return (referral.organizationId ?? '').toLowerCase() === 'msft';
}

export function decisionDueAt(invitation: Pick<Invitation, 'invitedAt'>): Date {
  return new Date(Date.parse(invitation.invitedAt) + MICROSOFT_DECISION_DAYS * DAY_MS);
}

/** Microsoft's answer as the related referrals show it at `now`; null while it may still decide. */
export function microsoftAnswer(invitation: Pick<Invitation, 'invitedAt'>, related: readonly Referral[], now: Date): MicrosoftAnswer | null {
  const theirs = related.find(isMicrosoftOwned);
  const stage = theirs ? stageOfStatus(theirs.status, theirs.substatus) : null;
  if (stage === 'accepted' || stage === 'won' || stage === 'lost') return 'engaged';
  if (stage === 'declined') return 'declined';
  if (stage === 'expired') return 'lapsed';
  return now.getTime() >= decisionDueAt(invitation).getTime() ? 'lapsed' : null;
}
