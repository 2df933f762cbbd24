/** R13: a referral left in `received` for 14 days expires; the clock runs from when it was received. */
import { DAY_MS } from './clock';
import type { Opportunity } from './model';

export const EXPIRY_WINDOW_DAYS = 14;

/** When the referral expires, or null if it is not waiting in `received`. */
export function expiresAt(opportunity: Opportunity): Date | null {
  if (opportunity.stage !== 'received' || opportunity.receivedAt === null) return null;
  const received = Date.parse(opportunity.receivedAt);
  if (Number.isNaN(received)) return null;
  return new Date(received + EXPIRY_WINDOW_DAYS * DAY_MS);
}

export function isExpiryDue(opportunity: Opportunity, now: Date): boolean {
  const deadline = expiresAt(opportunity);
  return deadline !== null && now.getTime() >= deadline.getTime();
}
