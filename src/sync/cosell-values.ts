/**
 * Turning mapped co-sell values (flat paths) into core command inputs, and back.
 */
import type { EditChanges, OutboundInput } from '../core/commands';
import { COSELL_FIELDS, isCosellField, readField, type CosellField } from '../core/fields';
import type { Contact, Customer, HelpType, Money, Opportunity, Solution, TeamMember } from '../core/model';
import { RuleViolation, type RuleId } from '../core/rules';
import { validateOutboundInput } from '../core/validate';

type Values = Partial<Record<CosellField, unknown>>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function customerFrom(values: Values, base: Customer | null): Customer {
  const pick = (field: CosellField, fallback: string | null): string | null =>
    field in values ? str(values[field]) : fallback;
  const contactName = pick('customer.contact.name', base?.contact?.name ?? null);
  const contactPhone = pick('customer.contact.phone', base?.contact?.phone ?? null);
  const contactEmail = pick('customer.contact.email', base?.contact?.email ?? null);
  const contact: Contact | null =
    contactName === null && contactPhone === null && contactEmail === null
      ? null
      : { name: contactName ?? '', phone: contactPhone, email: contactEmail };
  return {
    name: pick('customer.name', base?.name ?? null) ?? '',
    location: {
      street: pick('customer.location.street', base?.location.street ?? null),
      city: pick('customer.location.city', base?.location.city ?? null),
      region: pick('customer.location.region', base?.location.region ?? null),
      postalCode: pick('customer.location.postalCode', base?.location.postalCode ?? null),
      country: pick('customer.location.country', base?.location.country ?? null) ?? '',
    },
    duns: pick('customer.duns', base?.duns ?? null),
    contact,
    contactConsent:
      'customer.contactConsent' in values ? values['customer.contactConsent'] === true : (base?.contactConsent ?? false),
  };
}

const RULE_OF_REQUIRED: Record<string, RuleId> = {
  'customer.name': 'R2',
  'customer.location.country': 'R2',
  dealName: 'R3',
  estimatedValue: 'R3',
  estimatedCloseDate: 'R3',
  team: 'R4',
  solutions: 'R5',
};

/** Every reason a CRM record cannot become an outbound opportunity (R2-R5), at once. */
export function outboundInputFrom(values: Values, crmId: string): { input: OutboundInput | null; violations: RuleViolation[] } {
  const missing: RuleViolation[] = [];
  for (const [field, spec] of Object.entries(COSELL_FIELDS)) {
    if (!spec.requiredForCreate) continue;
    const value = values[field as CosellField];
    const empty = value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) missing.push(new RuleViolation({ rule: RULE_OF_REQUIRED[field] ?? 'R3', message: `${field} is required`, fields: [field] }));
  }
  if (missing.length > 0) return { input: null, violations: missing };
  const input: OutboundInput = {
    customer: customerFrom(values, null),
    dealName: str(values.dealName) ?? '',
    estimatedValue: values.estimatedValue as Money,
    estimatedCloseDate: str(values.estimatedCloseDate) ?? '',
    crmId: str(values.crmId) ?? crmId,
    campaignId: str(values.campaignId),
    notes: str(values.notes),
    team: (values.team as TeamMember[] | undefined) ?? [],
    solutions: (values.solutions as Solution[] | undefined) ?? [],
    microsoftHelpType: (str(values.microsoftHelpType) as HelpType | null) ?? 'none',
    partnerInvitations: [],
  };
  const violations = validateOutboundInput(input);
  return violations.length > 0 ? { input: null, violations } : { input, violations: [] };
}

/** The edit command's changes for these field values (customer parts rebuilt over the current customer). */
export function editChangesFrom(opp: Opportunity, values: Values): EditChanges {
  const changes: EditChanges = {};
  if (Object.keys(values).some((f) => f.startsWith('customer.'))) changes.customer = customerFrom(values, opp.customer);
  if ('dealName' in values) changes.dealName = str(values.dealName) ?? '';
  if ('estimatedValue' in values) changes.estimatedValue = values.estimatedValue as Money;
  if ('estimatedCloseDate' in values) changes.estimatedCloseDate = str(values.estimatedCloseDate) ?? '';
  if ('crmId' in values) changes.crmId = str(values.crmId);
  if ('campaignId' in values) changes.campaignId = str(values.campaignId);
  if ('notes' in values) changes.notes = str(values.notes);
  if ('team' in values) changes.team = (values.team as TeamMember[] | null) ?? [];
  if ('solutions' in values) changes.solutions = (values.solutions as Solution[] | null) ?? [];
  return changes;
}

/** The co-sell paths a violation of the core names (`team[0].email` -> `team`, `customer` -> every customer path). */
export function pathsOfViolation(violation: RuleViolation, candidates: readonly string[]): string[] {
  const hit = new Set<string>();
  for (const raw of violation.fields) {
    const field = raw.replace(/\[\d+\].*$/, '');
    for (const c of candidates) {
      if (c === field || c.startsWith(`${field}.`) || field.startsWith(`${c}.`)) hit.add(c);
    }
  }
  return [...hit];
}

export function cosellValues(opp: Opportunity, fields: Iterable<CosellField>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (isCosellField(field)) out[field] = readField(opp, field);
  return out;
}

/**
 * Co-sell values as the CRM gets them. A referral may arrive without a deal name (R12: the
 * receiver names it on accept), but CRMs require one: it is shown as the customer's name until then.
 */
export function crmFacingValues(opp: Opportunity, fields: Iterable<CosellField>): Record<string, unknown> {
  const values = cosellValues(opp, fields);
  if ('dealName' in values && opp.dealName === '') values.dealName = `${opp.customer.name} (co-sell referral)`;
  return values;
}

export function describeViolations(violations: readonly RuleViolation[]): string {
  return violations.map((v) => v.message).join('; ');
}
