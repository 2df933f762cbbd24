/** R11: nothing of a private deal leaves toward Microsoft before Microsoft is invited. */
import type { Opportunity } from './model';

export function shareableWithMicrosoft(opportunity: Opportunity): boolean {
  return opportunity.type !== 'private';
}

/** What the Microsoft side may see: no local marks, and no contact given without consent. */
export type MicrosoftView = Omit<Opportunity, 'favorite'>;

/** The copy of a deal that may be sent to Microsoft, or null for a private deal (R11). */
export function microsoftView(opportunity: Opportunity): MicrosoftView | null {
  if (!shareableWithMicrosoft(opportunity)) return null;
  const { favorite: _favorite, ...shared } = structuredClone(opportunity);
  if (!shared.customer.contactConsent) shared.customer.contact = null;
  return shared;
}
