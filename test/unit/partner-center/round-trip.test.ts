/**
 * Mapping completeness, core <-> referral: every field the co-sell rules name goes out in the
 * referral where Partner Center documents it, and comes back to the same core value when read as a
 * referral sent to us. Values outside the documented enums are reported and kept, never a crash.
 */
import { fromReferral, type InboundReferral } from '../../../src/partner-center/from-referral';
import { countryCodeOf, toNewReferral } from '../../../src/partner-center/to-referral';
import type { NewReferral, Referral } from '../../../src/ports/referral';
import { aCustomerWithConsentedContact, aSolution, aTeamMember, anAcceptedOpportunity, deepFrozen } from '../core/builders';

const ctx = { ownPublisher: 'Simulated Partner Ltd', defaultCurrency: 'USD' };

const deal = anAcceptedOpportunity({
  dealName: 'Contoso data estate',
  crmId: 'SF-0061',
  campaignId: 'CMP-2026-04',
  notes: 'Budget approved in Q2',
  estimatedValue: { amount: 125000, currency: 'EUR' },
  estimatedCloseDate: '2026-09-30',
  customer: aCustomerWithConsentedContact({
    name: 'Contoso SA',
    location: { street: '1 rue de la Paix', city: 'Paris', region: 'IDF', postalCode: '75002', country: 'fr' },
    duns: '150483782',
  }),
  team: [aTeamMember(), aTeamMember({ name: 'Kim Lee Park', email: 'kim@partner.test', phone: '+33 6 11 11 11 11' })],
  solutions: [aSolution({ id: 'SOL-AZ-1', name: 'Azure Synapse', kind: 'microsoft' }), aSolution({ id: 'SOL-3P', name: 'Fabrikam ETL', kind: 'third-party' })],
  microsoftHelpType: 'product-demo',
});
const out: NewReferral = toNewReferral(deepFrozen(deal));

/** The body we send, read back as a referral Microsoft sent us. */
function readBack(body: NewReferral): InboundReferral {
  const incoming: Referral = {
    ...structuredClone(body),
    id: 'ref-1',
    status: 'New',
    substatus: 'Pending',
    direction: 'Incoming',
    createdDateTime: '2026-04-01T10:00:00Z',
    inviteContext: { ...body.inviteContext, invitedBy: { organizationId: 'msft', organizationName: 'Microsoft' } },
  };
  const r = fromReferral(deepFrozen(incoming), ctx);
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.value;
}
const back = readBack(out);

describe.each<[string, unknown, unknown, unknown]>([
  // field, value in the referral, the core value, the core value read back
  ['customer name', out.customerProfile?.name, deal.customer.name, back.input.customer.name],
  ['address line', out.customerProfile?.address?.addressLine1, deal.customer.location.street, back.input.customer.location.street],
  ['city', out.customerProfile?.address?.city, deal.customer.location.city, back.input.customer.location.city],
  ['state', out.customerProfile?.address?.state, deal.customer.location.region, back.input.customer.location.region],
  ['postal code', out.customerProfile?.address?.postalCode, deal.customer.location.postalCode, back.input.customer.location.postalCode],
  ['country (ISO-2, upper case)', out.customerProfile?.address?.country, 'FR', back.input.customer.location.country],
  ['D-U-N-S', out.customerProfile?.ids?.find((i) => i.profileType === 'Duns')?.id, deal.customer.duns, back.input.customer.duns],
  ['customer contact (consented)', out.customerProfile?.team?.[0]?.email, deal.customer.contact?.email, back.input.customer.contact?.email],
  ['team', out.team?.map((m) => m.email), deal.team.map((m) => m.email), back.input.team.map((m) => m.email)],
  ['team names', out.team?.map((m) => `${m.firstName ?? ''} ${m.lastName ?? ''}`), deal.team.map((m) => m.name), back.input.team.map((m) => m.name)],
  ['solutions', out.details?.requirements?.solutions?.map((s) => s.id), deal.solutions.map((s) => s.id), back.input.solutions.map((s) => s.id)],
  ['Microsoft solution kind', out.details?.requirements?.solutions?.[0]?.publisherName, 'Microsoft', back.input.solutions[0]?.kind === 'microsoft' ? 'Microsoft' : null],
  ['deal value', out.details?.dealValue, deal.estimatedValue.amount, back.input.estimatedValue.amount],
  ['currency', out.details?.currency, deal.estimatedValue.currency, back.input.estimatedValue.currency],
  ['closing date', out.details?.closingDateTime, `${deal.estimatedCloseDate}T00:00:00Z`, `${back.input.estimatedCloseDate}T00:00:00Z`],
  ['notes', out.details?.notes, deal.notes, back.input.notes],
  ['help type (invite context)', out.inviteContext?.assistanceRequestCode, 'ProofOfConceptOrDemo', back.input.microsoftHelpType === 'product-demo' ? 'ProofOfConceptOrDemo' : back.input.microsoftHelpType],
  ['deal name', out.name, deal.dealName, back.input.dealName],
])('%s', (_field, sent, core, readBackValue) => {
  it('goes out as the core value and comes back unchanged', () => {
    expect(sent).toEqual(core);
    expect(readBackValue).toEqual(core);
  });
});

describe('outbound-only fields', () => {
  it.each<[string, unknown, unknown]>([
    ['externalReferenceId = CRM id', out.externalReferenceId, 'SF-0061'],
    ['campaign id', out.campaignId, 'CMP-2026-04'],
    ['qualification', out.qualification, 'SalesQualified'],
    ['type (shared with Microsoft)', out.type, 'Shared'],
    ['consent to share with Microsoft sellers', out.consent?.consentToShareReferralWithMicrosoftSellers, true],
    ['consent to contact', out.consent?.consentToContact, true],
  ])('%s', (_field, sent, expected) => {
    expect(sent).toEqual(expected);
  });
});

describe('countries', () => {
  it.each([['US', 'US'], ['fr', 'FR'], [' de ', 'DE']])('%j -> %s', (given, code) => expect(countryCodeOf(given)).toBe(code));
  it.each(['France', 'USA', ''])('%j is refused, naming the referral field', (given) => {
    expect(() => countryCodeOf(given)).toThrow(/customerProfile\.address\.country must be an ISO 3166-1 alpha-2 code/);
  });
});

describe('unknown enum values are reported and kept, never a crash', () => {
  it.each<[string, Partial<Referral>]>([
    ['type', { type: 'Hybrid' }],
    ['qualification', { qualification: 'PartnerQualified' }],
    ['direction', { direction: 'Sideways' }],
    ['status', { status: 'Archived' }],
    ['substatus', { substatus: 'Engaged' }],
    ['inviteContext.assistanceRequestCode', { inviteContext: { assistanceRequestCode: 'MigrationHelp', invitedBy: { organizationId: 'msft' } } }],
    ['customerProfile.address.country', { customerProfile: { ...out.customerProfile, address: { ...out.customerProfile?.address, country: 'France' } } }],
  ])('%s', (field, change) => {
    const referral: Referral = { ...structuredClone(out), id: 'ref-odd', status: 'New', substatus: 'Pending', createdDateTime: '2026-04-01T10:00:00Z', ...change };
    const r = fromReferral(deepFrozen(referral), ctx);
    if (!r.ok) throw new Error(r.problems.join('; '));
    const value = field.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], referral);
    expect(r.value.unknown).toContainEqual({ field, value });
  });
});
