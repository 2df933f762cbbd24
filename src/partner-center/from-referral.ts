/**
 * Partner Center referral -> what the core needs to receive it (R12, R13) and the stage Partner
 * Center reports. Pure. Values outside the documented enums are returned in `unknown` (the sync
 * logs them and keeps the referral as it came); missing required data is a list of problems,
 * each naming the referral field, so that the referral is dead-lettered with its reason.
 */
import type { InboundInput } from '../core/commands';
import type { Contact, Customer, Sender, Solution, SolutionKind, Stage, TeamMember } from '../core/model';
import type { Referral, ReferralMember } from '../ports/referral';
import { helpTypeOf } from './help-type';
import { isReferralStatus, isReferralSubstatus, stageOfStatus } from './status';

export interface UnknownValue {
  field: string;
  value: string;
}

export interface InboundReferral {
  input: InboundInput;
  /** Partner Center's own time for the referral reaching us: the R13 clock. */
  receivedAt: string;
  /** null when Partner Center reports a status pair we do not know. */
  stage: Stage | null;
  unknown: UnknownValue[];
  /** Fields Partner Center left empty that took a default (logged by the sync). */
  defaulted: string[];
}

export interface FromReferralContext {
  /** Our organisation's publisher name: its solutions are `own`. */
  ownPublisher: string | null;
  /** Currency for a referral without one: Microsoft's leads often carry no value at all. */
  defaultCurrency: string;
}

const KNOWN = {
  type: ['Independent', 'Shared'],
  qualification: ['None', 'Direct', 'MarketingQualified', 'SalesQualified'],
  direction: ['Incoming', 'Outgoing'],
} as const;

const text = (v: string | null | undefined): string | null => (v === undefined || v === null || v.trim() === '' ? null : v.trim());
const fullName = (m: ReferralMember): string => [m.firstName, m.lastName].map(text).filter((v) => v !== null).join(' ');

function teamMember(m: ReferralMember): TeamMember {
  return { name: fullName(m), phone: text(m.phoneNumber) ?? '', email: text(m.email) ?? '' };
}

function solutionKind(publisher: string | null, ctx: FromReferralContext): SolutionKind {
  if (publisher !== null && /^microsoft\b/i.test(publisher)) return 'microsoft';
  if (publisher !== null && ctx.ownPublisher !== null && publisher === ctx.ownPublisher) return 'own';
  return 'third-party';
}

function customerOf(r: Referral, problems: string[]): Customer {
  const profile = r.customerProfile ?? {};
  const address = profile.address ?? {};
  const name = text(profile.name);
  const country = text(address.country);
  if (name === null) problems.push('customerProfile.name is missing');
  if (country === null) problems.push('customerProfile.address.country is missing');
  const consent = r.consent?.consentToContact === true;
  const first = consent ? profile.team?.[0] : undefined;
  const contact: Contact | null = first ? { name: fullName(first), phone: text(first.phoneNumber), email: text(first.email) } : null;
  return {
    name: name ?? '',
    location: { street: text(address.addressLine1), city: text(address.city), region: text(address.state), postalCode: text(address.postalCode), country: country ?? '' },
    // The list example shows `ids: {}`: anything but an array is read as no ids.
    duns: Array.isArray(profile.ids) ? text(profile.ids.find((i) => i.profileType === 'Duns')?.id) : null,
    contact,
    contactConsent: contact !== null,
  };
}

function senderOf(r: Referral): Sender {
  const by = r.inviteContext?.invitedBy;
  const org = text(by?.organizationId);
  if (org === null || org.toLowerCase() === 'msft') return { kind: 'microsoft', name: text(by?.organizationName) ?? 'Microsoft' };
  return { kind: 'partner', partnerId: org, name: text(by?.organizationName) ?? org };
}

function collectUnknown(r: Referral): UnknownValue[] {
  const out: UnknownValue[] = [];
  for (const field of ['type', 'qualification', 'direction'] as const) {
    const v = r[field];
    if (typeof v === 'string' && !(KNOWN[field] as readonly string[]).includes(v)) out.push({ field, value: v });
  }
  if (typeof r.status === 'string' && !isReferralStatus(r.status)) out.push({ field: 'status', value: r.status });
  if (typeof r.substatus === 'string' && !isReferralSubstatus(r.substatus)) out.push({ field: 'substatus', value: r.substatus });
  return out;
}

/**
 * Leads Microsoft sends often have no value or closing date (get-a-list-of-referrals example), while
 * the core requires both (R3): a missing value is 0 in the default currency, a missing closing date
 * the referral's expiration date, else its received date. Each default is reported.
 */
function dealFigures(r: Referral, ctx: FromReferralContext): { value: number; currency: string; close: string; defaulted: string[] } {
  const defaulted: string[] = [];
  const raw = r.details?.dealValue;
  const value = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? raw : (defaulted.push('details.dealValue'), 0);
  const cur = text(r.details?.currency)?.toUpperCase();
  const currency = cur !== undefined && /^[A-Z]{3}$/.test(cur) ? cur : (defaulted.push('details.currency'), ctx.defaultCurrency);
  const dated = [r.details?.closingDateTime, r.expirationDateTime, r.createdDateTime].map(text).find((d) => d !== null && /^\d{4}-\d{2}-\d{2}/.test(d));
  if (!text(r.details?.closingDateTime) || dated !== text(r.details?.closingDateTime)) defaulted.push('details.closingDateTime');
  return { value, currency, close: (dated ?? '').slice(0, 10), defaulted };
}

export function fromReferral(r: Referral, ctx: FromReferralContext): { ok: true; value: InboundReferral } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const customer = customerOf(r, problems);
  const received = text(r.createdDateTime);
  if (received === null || Number.isNaN(Date.parse(received))) problems.push('createdDateTime is missing or not a date');
  if (problems.length > 0) return { ok: false, problems };
  const { value, currency, close, defaulted } = dealFigures(r, ctx);
  const unknown = collectUnknown(r);
  // Every documented example has an ISO 3166-1 alpha-2 country; anything else is kept as sent and reported.
  if (!/^[A-Z]{2}$/.test(customer.location.country)) unknown.push({ field: 'customerProfile.address.country', value: customer.location.country });
  const help = helpTypeOf(r.inviteContext?.assistanceRequestCode);
  if (!help.known) unknown.push({ field: 'inviteContext.assistanceRequestCode', value: String(r.inviteContext?.assistanceRequestCode) });
  const sender = senderOf(r);
  const solutions: Solution[] = (r.details?.requirements?.solutions ?? [])
    .filter((s) => text(s.id) !== null)
    .map((s) => ({ id: text(s.id) ?? '', name: text(s.name) ?? text(s.id) ?? '', kind: solutionKind(text(s.publisherName), ctx) }));
  const input: InboundInput = {
    sender,
    // A referral Microsoft sends is co-sell; one another partner sends is partner to partner (R6).
    type: sender.kind === 'microsoft' ? 'co-sell' : 'p2p',
    customer,
    dealName: text(r.name) ?? customer.name,
    estimatedValue: { amount: value, currency },
    estimatedCloseDate: close,
    notes: text(r.details?.notes),
    team: (r.team ?? []).map(teamMember),
    solutions,
    microsoftHelpType: help.help,
  };
  return { ok: true, value: { input, receivedAt: new Date(received as string).toISOString(), stage: stageOfStatus(r.status, r.substatus), unknown, defaulted } };
}
