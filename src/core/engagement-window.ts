/**
 * R9 as a CRM user sees it: the 14-day window Microsoft sellers have to answer the deal's
 * invitation to Microsoft, as one state (`waiting` until they answer, then `engaged`, `declined`,
 * or `lapsed` when the window passed with no decision) and its deadline. Pure.
 */
import { DAY_MS } from './clock';
import type { Opportunity } from './model';

export const MICROSOFT_DECISION_DAYS = 14;

export const ENGAGEMENT_STATES = ['waiting', 'engaged', 'declined', 'lapsed'] as const;
export type EngagementState = (typeof ENGAGEMENT_STATES)[number];

export interface EngagementWindow {
  state: EngagementState;
  /** When the 14 days end (ISO instant). */
  dueAt: string;
}

/** The window of the deal's latest invitation to Microsoft; null when Microsoft was never invited. */
export function engagementWindow(opp: Pick<Opportunity, 'invitations'>): EngagementWindow | null {
  const invitation = opp.invitations.filter((i) => i.invitee.kind === 'microsoft').at(-1);
  if (invitation === undefined) return null;
  const dueAt = new Date(Date.parse(invitation.invitedAt) + MICROSOFT_DECISION_DAYS * DAY_MS).toISOString();
  return { state: invitation.status === 'pending' ? 'waiting' : invitation.status, dueAt };
}
