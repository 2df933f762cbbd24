import { transition, type HelpType, type InboundInput, type OutboundInput } from '../../../src/core';
import {
  T0,
  aCustomer,
  aCustomerWithConsentedContact,
  aPartnerInvitation,
  aSolution,
  aTeamMember,
  anInboundInput,
  anOpportunityId,
  anOutboundInput,
  deepFrozen,
} from './builders';

const create = (input: OutboundInput) => transition(null, { kind: 'createOutbound', id: anOpportunityId(), input: deepFrozen(input) }, T0);
const receive = (input: InboundInput) => transition(null, { kind: 'receiveInbound', id: anOpportunityId(), input: deepFrozen(input) }, T0);

describe('creating an outbound opportunity', () => {
  it('R7: a deal we create starts accepted, with no received time', () => {
    const result = create(anOutboundInput());
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).toMatchObject({ stage: 'accepted', direction: 'outbound', receivedAt: null, favorite: false });
    expect(result.value.opportunity.createdAt).toBe(T0.toISOString());
    expect(result.value.events).toEqual([
      { type: 'created', opportunityId: anOpportunityId(), at: T0.toISOString(), opportunityType: 'private' },
    ]);
  });

  const refusals: { name: string; input: OutboundInput; rule: string; field: string }[] = [
    { name: 'R2: customer name is required', input: anOutboundInput({ customer: aCustomer({ name: ' ' }) }), rule: 'R2', field: 'customer.name' },
    {
      name: 'R2: customer location country is required',
      input: anOutboundInput({ customer: aCustomer({ location: { ...aCustomer().location, country: '' } }) }),
      rule: 'R2',
      field: 'customer.location.country',
    },
    {
      name: 'R2: a customer contact needs a name',
      input: anOutboundInput({ customer: aCustomer({ contact: { name: '', phone: null, email: null }, contactConsent: true }) }),
      rule: 'R2',
      field: 'customer.contact.name',
    },
    {
      name: "R2: a customer contact needs the customer's consent",
      input: anOutboundInput({ customer: aCustomerWithConsentedContact({ contactConsent: false }) }),
      rule: 'R2',
      field: 'customer.contactConsent',
    },
    { name: 'R3: deal name is required', input: anOutboundInput({ dealName: '' }), rule: 'R3', field: 'dealName' },
    {
      name: 'R3: estimated value must not be negative',
      input: anOutboundInput({ estimatedValue: { amount: -1, currency: 'EUR' } }),
      rule: 'R3',
      field: 'estimatedValue.amount',
    },
    {
      name: 'R3: currency must be an ISO 4217 code',
      input: anOutboundInput({ estimatedValue: { amount: 10, currency: 'eur' } }),
      rule: 'R3',
      field: 'estimatedValue.currency',
    },
    { name: 'R3: close date must be a real date', input: anOutboundInput({ estimatedCloseDate: '2026-02-30' }), rule: 'R3', field: 'estimatedCloseDate' },
    { name: 'R3: close date must be YYYY-MM-DD', input: anOutboundInput({ estimatedCloseDate: '30/09/2026' }), rule: 'R3', field: 'estimatedCloseDate' },
    { name: 'R4: at least one team member', input: anOutboundInput({ team: [] }), rule: 'R4', field: 'team' },
    { name: 'R4: team member email is required', input: anOutboundInput({ team: [aTeamMember({ email: '' })] }), rule: 'R4', field: 'team[0].email' },
    {
      name: 'R4: team member phone is required',
      input: anOutboundInput({ team: [aTeamMember(), aTeamMember({ phone: ' ' })] }),
      rule: 'R4',
      field: 'team[1].phone',
    },
    { name: 'R5: at least one solution', input: anOutboundInput({ solutions: [] }), rule: 'R5', field: 'solutions' },
    {
      name: 'R5: solution kind must be known',
      input: anOutboundInput({ solutions: [aSolution({ kind: 'other' as never })] }),
      rule: 'R5',
      field: 'solutions[0].kind',
    },
    {
      name: 'R6: help type must be known',
      input: anOutboundInput({ microsoftHelpType: 'everything' as HelpType }),
      rule: 'R6',
      field: 'microsoftHelpType',
    },
    {
      name: 'R8: a partner invitation needs a close date',
      input: anOutboundInput({ partnerInvitations: [aPartnerInvitation({ closeDate: null })] }),
      rule: 'R8',
      field: 'partnerInvitations[0].closeDate',
    },
    {
      name: 'R8: a partner invitation needs at least one solution',
      input: anOutboundInput({ partnerInvitations: [aPartnerInvitation({ solutions: [] })] }),
      rule: 'R8',
      field: 'partnerInvitations[0].solutions',
    },
    {
      name: 'R8: a partner invitation names the partner',
      input: anOutboundInput({
        partnerInvitations: [aPartnerInvitation({ invitee: { kind: 'partner', partnerId: '', partnerName: 'X' } })],
      }),
      rule: 'R8',
      field: 'partnerInvitations[0].invitee.partnerId',
    },
    {
      name: 'R8: the same partner is not invited twice',
      input: anOutboundInput({ partnerInvitations: [aPartnerInvitation(), aPartnerInvitation()] }),
      rule: 'R8',
      field: 'partnerInvitations[1].invitee.partnerId',
    },
    {
      name: 'R10: asking Microsoft for help needs a consented customer contact',
      input: anOutboundInput({ microsoftHelpType: 'deployment' }),
      rule: 'R10',
      field: 'customer.contact',
    },
  ];

  it.each(refusals)('$name', ({ input, rule, field }) => {
    const result = create(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.rule).toBe(rule);
    expect(!result.ok && result.error.fields).toEqual([field]);
  });

  const types: { name: string; helpType: HelpType; partners: number; type: string }[] = [
    { name: 'R6: no invitation -> private', helpType: 'none', partners: 0, type: 'private' },
    { name: 'R6: Microsoft help asked -> co-sell', helpType: 'cost-pricing', partners: 0, type: 'co-sell' },
    { name: 'R6: partners only -> p2p', helpType: 'none', partners: 2, type: 'p2p' },
    { name: 'R6: Microsoft and partners -> co-sell', helpType: 'general', partners: 1, type: 'co-sell' },
  ];

  it.each(types)('$name', ({ helpType, partners, type }) => {
    const partnerInvitations = Array.from({ length: partners }, (_, i) =>
      aPartnerInvitation({ invitee: { kind: 'partner', partnerId: `p-${i}`, partnerName: `Partner ${i}` } }),
    );
    const input = anOutboundInput({ customer: aCustomerWithConsentedContact(), microsoftHelpType: helpType, partnerInvitations });
    const result = create(input);
    if (!result.ok) throw result.error;
    expect(result.value.opportunity.type).toBe(type);
    const microsoftInvitations = result.value.opportunity.invitations.filter((i) => i.invitee.kind === 'microsoft');
    expect(microsoftInvitations).toHaveLength(helpType === 'none' ? 0 : 1);
    expect(result.value.opportunity.invitations).toHaveLength(partners + microsoftInvitations.length);
  });

  it('R9: asking Microsoft at creation leaves a pending Microsoft invitation', () => {
    const result = create(anOutboundInput({ customer: aCustomerWithConsentedContact(), microsoftHelpType: 'product-demo' }));
    if (!result.ok) throw result.error;
    expect(result.value.opportunity.invitations).toEqual([
      expect.objectContaining({ id: 'opp-1:microsoft', invitee: { kind: 'microsoft' }, status: 'pending', helpType: 'product-demo' }),
    ]);
  });
});

describe('receiving an inbound opportunity', () => {
  it('R7, R13: a received referral starts received, its expiry clock set to now', () => {
    const result = receive(anInboundInput());
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).toMatchObject({ stage: 'received', direction: 'inbound', receivedAt: T0.toISOString() });
  });

  it('R18: a new inbound referral notifies our contacts', () => {
    const result = receive(anInboundInput());
    expect(result.ok && result.value.events).toEqual([
      {
        type: 'received',
        opportunityId: anOpportunityId(),
        at: T0.toISOString(),
        notify: { reason: 'new-inbound', recipients: 'our-contacts' },
      },
    ]);
  });

  it('R12: the deal name may be empty until the referral is accepted', () => {
    expect(receive(anInboundInput({ dealName: '' })).ok).toBe(true);
  });

  const refusals: { name: string; input: InboundInput; rule: string; field: string }[] = [
    { name: 'R18: the sender must be named', input: anInboundInput({ sender: { kind: 'microsoft', name: '' } }), rule: 'R18', field: 'sender.name' },
    { name: 'R6: a Microsoft-sent referral is co-sell', input: anInboundInput({ type: 'p2p' }), rule: 'R6', field: 'type' },
    {
      name: 'R6: an inbound referral is never private',
      input: anInboundInput({ type: 'private' as InboundInput['type'] }),
      rule: 'R6',
      field: 'type',
    },
    { name: 'R2: customer name is required', input: anInboundInput({ customer: aCustomer({ name: '' }) }), rule: 'R2', field: 'customer.name' },
    { name: 'R4: team members present must be complete', input: anInboundInput({ team: [aTeamMember({ name: '' })] }), rule: 'R4', field: 'team[0].name' },
  ];

  it.each(refusals)('$name', ({ input, rule, field }) => {
    const result = receive(input);
    expect(!result.ok && result.error.rule).toBe(rule);
    expect(!result.ok && result.error.fields).toEqual([field]);
  });

  it('R15: only create and receive work without an opportunity', () => {
    const result = transition(null, { kind: 'accept', dealName: 'x', changes: {} }, T0);
    expect(!result.ok && result.error.rule).toBe('R15');
  });
});
