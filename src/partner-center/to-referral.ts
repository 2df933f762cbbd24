/**
 * Core opportunity -> Partner Center referral body (create) and the JSON Patch that brings an
 * existing referral in line with the opportunity. Pure. `externalReferenceId` is the CRM ID, so
 * that a referral can be found again before any POST.
 */
import type { Opportunity, TeamMember } from '../core/model';
import type { JsonPatchOperation, NewReferral, Referral, ReferralMember } from '../ports/referral';
import { mayShareWithMicrosoft } from './consent';
import { assistanceCodeOf } from './help-type';
import { statusOfStage } from './status';

export function memberOf(member: TeamMember): ReferralMember {
  const name = member.name.trim();
  const cut = name.indexOf(' ');
  return {
    firstName: cut < 0 ? name : name.slice(0, cut),
    lastName: cut < 0 ? '' : name.slice(cut + 1).trim(),
    email: member.email,
    phoneNumber: member.phone,
  };
}

/** The idempotency key of a referral: the CRM id when there is one, else the opportunity id. */
export function externalReferenceIdOf(opp: Pick<Opportunity, 'id' | 'crmId'>): string {
  return opp.crmId ?? opp.id;
}

/** A value the referral cannot carry, named by its referral path (the push dead-letters it with this reason). */
export class ReferralMappingError extends Error {
  override name = 'ReferralMappingError';
  readonly code = 'validation';
}

/**
 * Partner Center wants an ISO 3166-1 alpha-2 country (the connectors' FAQ: a deal without one does
 * not sync); a code in lower case is accepted, a country name is refused with the path.
 */
export function countryCodeOf(country: string): string {
  const code = country.trim();
  if (/^[A-Za-z]{2}$/.test(code)) return code.toUpperCase();
  throw new ReferralMappingError(`customerProfile.address.country must be an ISO 3166-1 alpha-2 code such as US or FR, got ${JSON.stringify(country)}`);
}

function closingDateTime(date: string): string {
  return `${date}T00:00:00Z`;
}

export function toNewReferral(opp: Opportunity): NewReferral {
  const shared = mayShareWithMicrosoft(opp);
  const { status, substatus } = statusOfStage(opp.stage);
  const loc = opp.customer.location;
  const contact = opp.customer.contactConsent ? opp.customer.contact : null;
  const help = shared ? assistanceCodeOf(opp.microsoftHelpType) : null;
  const microsoft = shared ? opp.invitations.find((i) => i.invitee.kind === 'microsoft') : undefined;
  return {
    name: opp.dealName,
    externalReferenceId: externalReferenceIdOf(opp),
    status,
    substatus,
    type: shared ? 'Shared' : 'Independent',
    qualification: 'SalesQualified',
    ...(opp.campaignId ? { campaignId: opp.campaignId } : {}),
    customerProfile: {
      name: opp.customer.name,
      address: { addressLine1: loc.street, city: loc.city, state: loc.region, postalCode: loc.postalCode, country: countryCodeOf(loc.country) },
      team: contact ? [memberOf({ name: contact.name, phone: contact.phone ?? '', email: contact.email ?? '' })] : [],
      ids: opp.customer.duns ? [{ profileType: 'Duns', id: opp.customer.duns }] : [],
    },
    consent: {
      consentToContact: opp.customer.contactConsent,
      consentToShareReferralWithMicrosoftSellers: shared,
    },
    details: {
      notes: opp.notes,
      dealValue: opp.estimatedValue.amount,
      currency: opp.estimatedValue.currency,
      closingDateTime: closingDateTime(opp.estimatedCloseDate),
      // A Microsoft solution names its publisher, so that it reads back as one (from-referral).
      requirements: { solutions: opp.solutions.map((s) => ({ id: s.id, name: s.name, type: 'Name', ...(s.kind === 'microsoft' ? { publisherName: 'Microsoft' } : {}) })) },
    },
    team: opp.team.map(memberOf),
    ...(shared ? { target: [{ type: 'BusinessProfileLocation', id: 'msft' }] } : {}),
    ...(help ? { inviteContext: { assistanceRequestCode: help, notes: microsoft?.notes ?? null } } : {}),
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `replace` for every field that differs, status and substatus last so that the values go in
 * while the referral is still open. Only paths Partner Center documents as patchable.
 */
export function patchToMatch(current: Referral, opp: Opportunity): JsonPatchOperation[] {
  const want = toNewReferral(opp);
  const ops: JsonPatchOperation[] = [];
  const put = (path: string, have: unknown, value: unknown): void => {
    if (!same(have, value)) ops.push({ op: have === undefined ? 'add' : 'replace', path, value });
  };
  put('/name', current.name, want.name);
  put('/details/dealValue', current.details?.dealValue, want.details?.dealValue);
  put('/details/currency', current.details?.currency, want.details?.currency);
  put('/details/closingDateTime', current.details?.closingDateTime, want.details?.closingDateTime);
  put('/details/notes', current.details?.notes, want.details?.notes);
  put('/team', current.team, want.team);
  if (want.consent?.consentToShareReferralWithMicrosoftSellers === true) {
    put('/consent/consentToShareReferralWithMicrosoftSellers', current.consent?.consentToShareReferralWithMicrosoftSellers, true);
  }
  put('/status', current.status, want.status);
  put('/substatus', current.substatus, want.substatus);
  return ops;
}
