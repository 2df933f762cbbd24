import { microsoftView, shareableWithMicrosoft, transition, type Command, type Opportunity } from '../../../src/core';
import {
  T0,
  aCustomerWithConsentedContact,
  aPartnerInvitation,
  aReceivedOpportunity,
  anAcceptedInboundOpportunity,
  anAcceptedOpportunity,
  apply,
  deepFrozen,
} from './builders';

const inviteMicrosoft: Command = { kind: 'inviteMicrosoft', helpType: 'technical-architecture', notes: 'Need an architect' };
const invitePartner = (partnerId = 'partner-7'): Command => ({
  kind: 'invitePartner',
  invitationId: `inv-${partnerId}`,
  invitation: aPartnerInvitation({ invitee: { kind: 'partner', partnerId, partnerName: `Partner ${partnerId}` } }),
});

const consented = { customer: aCustomerWithConsentedContact() };
const privateDeal = (): Opportunity => anAcceptedOpportunity(consented);
const p2pDeal = (): Opportunity => anAcceptedOpportunity({ ...consented, partnerInvitations: [aPartnerInvitation()] });
const outboundCoSell = (): Opportunity => anAcceptedOpportunity({ ...consented, microsoftHelpType: 'general' });
const inboundCoSell = (): Opportunity => anAcceptedInboundOpportunity();
const inboundP2p = (): Opportunity =>
  anAcceptedInboundOpportunity({ type: 'p2p', sender: { kind: 'partner', partnerId: 'partner-1', name: 'Northwind' } });

type Row = { name: string; deal: () => Opportunity; command: Command; result: { type: string } | { rule: string } };

const table: Row[] = [
  { name: 'R10: private + Microsoft -> co-sell', deal: privateDeal, command: inviteMicrosoft, result: { type: 'co-sell' } },
  { name: 'R10: private + partner -> p2p', deal: privateDeal, command: invitePartner(), result: { type: 'p2p' } },
  { name: 'R10: outbound co-sell + partner -> stays co-sell', deal: outboundCoSell, command: invitePartner(), result: { type: 'co-sell' } },
  { name: 'R10: inbound co-sell + partner -> refused', deal: inboundCoSell, command: invitePartner(), result: { rule: 'R10' } },
  { name: 'R10: co-sell + Microsoft again -> refused', deal: outboundCoSell, command: inviteMicrosoft, result: { rule: 'R10' } },
  { name: 'R10: p2p without Microsoft + Microsoft -> co-sell', deal: p2pDeal, command: inviteMicrosoft, result: { type: 'co-sell' } },
  { name: 'R10: p2p without Microsoft + other partner -> stays p2p', deal: p2pDeal, command: invitePartner(), result: { type: 'p2p' } },
  { name: 'R10: inbound p2p + Microsoft -> co-sell', deal: inboundP2p, command: inviteMicrosoft, result: { type: 'co-sell' } },
  { name: 'R10: inbound p2p + other partner -> stays p2p', deal: inboundP2p, command: invitePartner(), result: { type: 'p2p' } },
  { name: 'R12: a received referral takes no invitation', deal: () => aReceivedOpportunity(), command: invitePartner(), result: { rule: 'R12' } },
  { name: 'R10: Microsoft needs a customer contact', deal: () => anAcceptedOpportunity(), command: inviteMicrosoft, result: { rule: 'R10' } },
  {
    name: 'R9: inviting Microsoft asks for some help',
    deal: privateDeal,
    command: { kind: 'inviteMicrosoft', helpType: 'none', notes: null },
    result: { rule: 'R9' },
  },
  { name: 'R8: a partner already invited is refused', deal: p2pDeal, command: invitePartner('partner-42'), result: { rule: 'R8' } },
  {
    name: 'R8: an invited partner needs a close date',
    deal: privateDeal,
    command: { kind: 'invitePartner', invitationId: 'inv-x', invitation: aPartnerInvitation({ closeDate: null }) },
    result: { rule: 'R8' },
  },
  {
    name: 'R8: Microsoft is not invited as a partner',
    deal: privateDeal,
    command: { kind: 'invitePartner', invitationId: 'inv-x', invitation: aPartnerInvitation({ invitee: { kind: 'microsoft' } }) },
    result: { rule: 'R8' },
  },
];

describe('invitations', () => {
  it.each(table)('$name', ({ deal, command, result }) => {
    const outcome = transition(deepFrozen(deal()), command, T0);
    if ('type' in result) {
      if (!outcome.ok) throw outcome.error;
      expect(outcome.value.opportunity.type).toBe(result.type);
      expect(outcome.value.events).toEqual([expect.objectContaining({ type: 'invited', opportunityType: result.type })]);
    } else {
      expect(!outcome.ok && outcome.error.rule).toBe(result.rule);
    }
  });

  it('R9: inviting Microsoft sets the help type and adds one pending Microsoft invitation', () => {
    const invited = apply(privateDeal(), inviteMicrosoft);
    expect(invited.microsoftHelpType).toBe('technical-architecture');
    expect(invited.invitations).toEqual([
      expect.objectContaining({ invitee: { kind: 'microsoft' }, status: 'pending', notes: 'Need an architect', invitedAt: T0.toISOString() }),
    ]);
  });

  it('R8: an edit never touches invitations (the inviter cannot change their terms)', () => {
    const deal = p2pDeal();
    const edited = apply(deal, { kind: 'edit', changes: { estimatedCloseDate: '2027-01-31', team: [...deal.team] } });
    expect(edited.invitations).toEqual(deal.invitations);
  });

  it('R11: a private deal is not shareable with Microsoft until Microsoft is invited', () => {
    const deal = privateDeal();
    expect(shareableWithMicrosoft(deal)).toBe(false);
    expect(microsoftView(deal)).toBeNull();
    const invited = apply(deal, inviteMicrosoft);
    expect(shareableWithMicrosoft(invited)).toBe(true);
    expect(microsoftView(invited)).toEqual(expect.objectContaining({ id: deal.id, type: 'co-sell' }));
  });

  it('R11: a p2p deal is shareable, without the local favorite mark', () => {
    const view = microsoftView(apply(p2pDeal(), { kind: 'favorite' }));
    expect(view).not.toBeNull();
    expect(view && 'favorite' in view).toBe(false);
  });
});

describe('R9: Microsoft sellers\' answer', () => {
  it.each(['engaged', 'declined', 'lapsed'] as const)('%s is recorded on the Microsoft invitation; the deal stays co-sell', (status) => {
    const outcome = transition(deepFrozen(outboundCoSell()), { kind: 'microsoftResponse', status }, T0);
    if (!outcome.ok) throw outcome.error;
    expect(outcome.value.opportunity.type).toBe('co-sell');
    expect(outcome.value.opportunity.invitations.filter((i) => i.invitee.kind === 'microsoft').map((i) => i.status)).toEqual([status]);
    expect(outcome.value.events).toEqual([expect.objectContaining({ type: 'microsoft-responded', status })]);
  });

  it('the same answer again changes nothing; a deal without Microsoft invited refuses it (R9)', () => {
    const engaged = apply(outboundCoSell(), { kind: 'microsoftResponse', status: 'engaged' });
    const again = transition(deepFrozen(engaged), { kind: 'microsoftResponse', status: 'engaged' }, T0);
    expect(again.ok && again.value.events).toEqual([]);
    const none = transition(deepFrozen(privateDeal()), { kind: 'microsoftResponse', status: 'engaged' }, T0);
    expect(!none.ok && none.error.rule).toBe('R9');
  });
});
