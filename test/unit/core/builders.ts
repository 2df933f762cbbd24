/**
 * Test-data builders for the co-sell core. Every builder returns a fresh, valid value; pass
 * overrides for the fields a test is about. Opportunities are built through `transition`, so they
 * are always ones the engine itself could have produced.
 */
import {
  DAY_MS,
  asOpportunityId,
  transition,
  type Command,
  type Customer,
  type InboundInput,
  type InvitationInput,
  type Opportunity,
  type OpportunityId,
  type OutboundInput,
  type Result,
  type Solution,
  type Stage,
  type TeamMember,
  type Transition,
} from '../../../src/core';

/** A fixed instant all builders use as "now" unless told otherwise. */
export const T0 = new Date('2026-03-02T09:00:00.000Z');
export const daysAfter = (start: Date, days: number): Date => new Date(start.getTime() + days * DAY_MS);

export const anOpportunityId = (value = 'opp-1'): OpportunityId => asOpportunityId(value);

export function aCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    name: 'Contoso Ltd',
    location: { street: '1 Main St', city: 'Lyon', region: null, postalCode: '69001', country: 'FR' },
    duns: null,
    contact: null,
    contactConsent: false,
    ...overrides,
  };
}

/** A customer Microsoft may be told about: named contact, consent recorded (R2, R10). */
export function aCustomerWithConsentedContact(overrides: Partial<Customer> = {}): Customer {
  return aCustomer({ contact: { name: 'Ada Buyer', phone: '+33 1 00 00 00 00', email: 'ada@contoso.test' }, contactConsent: true, ...overrides });
}

export function aTeamMember(overrides: Partial<TeamMember> = {}): TeamMember {
  return { name: 'Sam Seller', phone: '+33 6 00 00 00 00', email: 'sam@partner.test', ...overrides };
}

export function aSolution(overrides: Partial<Solution> = {}): Solution {
  return { id: 'sol-1', name: 'Inventory Cloud', kind: 'own', ...overrides };
}

export function aPartnerInvitation(overrides: Partial<InvitationInput> = {}): InvitationInput {
  return {
    invitee: { kind: 'partner', partnerId: 'partner-42', partnerName: 'Fabrikam' },
    closeDate: '2026-06-30',
    value: { amount: 20000, currency: 'EUR' },
    notes: null,
    team: [aTeamMember()],
    solutions: [aSolution({ id: 'sol-9', name: 'Fabrikam Analytics', kind: 'third-party' })],
    helpType: 'deployment',
    ...overrides,
  };
}

export function anOutboundInput(overrides: Partial<OutboundInput> = {}): OutboundInput {
  return {
    customer: aCustomer(),
    dealName: 'Contoso inventory rollout',
    estimatedValue: { amount: 120000, currency: 'EUR' },
    estimatedCloseDate: '2026-09-30',
    crmId: null,
    campaignId: null,
    notes: null,
    team: [aTeamMember()],
    solutions: [aSolution()],
    microsoftHelpType: 'none',
    partnerInvitations: [],
    ...overrides,
  };
}

export function anInboundInput(overrides: Partial<InboundInput> = {}): InboundInput {
  return {
    sender: { kind: 'microsoft', name: 'Microsoft seller' },
    type: 'co-sell',
    customer: aCustomerWithConsentedContact(),
    dealName: '',
    estimatedValue: { amount: 50000, currency: 'USD' },
    estimatedCloseDate: '2026-08-31',
    notes: 'Customer asks for a demo',
    team: [],
    solutions: [aSolution({ id: 'sol-ms', name: 'Azure', kind: 'microsoft' })],
    microsoftHelpType: 'none',
    ...overrides,
  };
}

/** The value of an accepted result; throws with the rule when it was refused. */
export function unwrap<T>(result: Result<T, Error>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

export function apply(current: Opportunity | null, command: Command, now: Date = T0): Opportunity {
  return unwrap<Transition>(transition(current, command, now)).opportunity;
}

/** An outbound deal we created (R7: accepted). */
export function anAcceptedOpportunity(overrides: Partial<OutboundInput> = {}, id = anOpportunityId()): Opportunity {
  return apply(null, { kind: 'createOutbound', id, input: anOutboundInput(overrides) });
}

/** An inbound referral received at `receivedAt` (R7: received). */
export function aReceivedOpportunity(overrides: Partial<InboundInput> = {}, receivedAt: Date = T0, id = anOpportunityId()): Opportunity {
  return apply(null, { kind: 'receiveInbound', id, input: anInboundInput(overrides) }, receivedAt);
}

/** An inbound referral we accepted. */
export function anAcceptedInboundOpportunity(overrides: Partial<InboundInput> = {}): Opportunity {
  return apply(aReceivedOpportunity(overrides), { kind: 'accept', dealName: 'Contoso demo', changes: { team: [aTeamMember()] } });
}

export const aWonOpportunity = (): Opportunity => apply(anAcceptedOpportunity(), { kind: 'win', dealRegistration: null });
export const aLostOpportunity = (): Opportunity => apply(anAcceptedOpportunity(), { kind: 'lose', notes: null });
export const aDeclinedOpportunity = (): Opportunity =>
  apply(aReceivedOpportunity(), { kind: 'decline', reason: 'Not our market', notes: null });
export const anExpiredOpportunity = (): Opportunity =>
  apply(aReceivedOpportunity(), { kind: 'expire' }, daysAfter(T0, 14));

/** An opportunity in any stage, reached by legal moves only. */
export function anOpportunityIn(stage: Stage): Opportunity {
  const byStage: Record<Stage, () => Opportunity> = {
    received: () => aReceivedOpportunity(),
    accepted: () => anAcceptedOpportunity(),
    won: aWonOpportunity,
    lost: aLostOpportunity,
    declined: aDeclinedOpportunity,
    expired: anExpiredOpportunity,
  };
  return byStage[stage]();
}

/** One valid command of each kind, for "every command" tables. */
export function oneOfEachCommand(): Command[] {
  return [
    { kind: 'createOutbound', id: anOpportunityId('opp-new'), input: anOutboundInput() },
    { kind: 'receiveInbound', id: anOpportunityId('opp-new'), input: anInboundInput() },
    { kind: 'accept', dealName: 'Accepted deal', changes: {} },
    { kind: 'decline', reason: 'No capacity', notes: null },
    { kind: 'edit', changes: { notes: 'changed' } },
    { kind: 'inviteMicrosoft', helpType: 'technical-architecture', notes: null },
    { kind: 'invitePartner', invitation: aPartnerInvitation(), invitationId: 'inv-1' },
    { kind: 'win', dealRegistration: null },
    { kind: 'lose', notes: null },
    { kind: 'expire' },
    { kind: 'registerDeal', registration: { registrationId: 'reg-1', details: { program: 'IP co-sell' } } },
    { kind: 'favorite' },
    { kind: 'unfavorite' },
  ];
}

/** Freezes a value all the way down, so any mutation by the code under test throws. */
export function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach((inner) => deepFrozen(inner));
    Object.freeze(value);
  }
  return value;
}
