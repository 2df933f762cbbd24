import { validateInboundInput, validateOutboundInput, type OutboundInput } from '../../../src/core';
import { isDateOnly } from '../../../src/core/field-checks';
import { aCustomer, aPartnerInvitation, aTeamMember, anInboundInput, anOutboundInput } from './builders';

const summary = (violations: { rule: string; fields: readonly string[] }[]) => violations.map((v) => `${v.rule} ${v.fields.join(',')}`);

describe('whole-input validation', () => {
  it('R2-R8: a valid outbound input has no violations', () => {
    expect(validateOutboundInput(anOutboundInput({ partnerInvitations: [aPartnerInvitation()] }))).toEqual([]);
  });

  it('R2, R3, R4, R5: every gap of a CRM record is reported at once, in field order', () => {
    const input: OutboundInput = anOutboundInput({
      customer: aCustomer({ name: '', location: { ...aCustomer().location, country: '' } }),
      dealName: '',
      estimatedValue: { amount: Number.NaN, currency: 'euro' },
      estimatedCloseDate: '',
      team: [aTeamMember({ phone: '', email: 'not-an-address' })],
      solutions: [],
    });
    expect(summary(validateOutboundInput(input))).toEqual([
      'R2 customer.name',
      'R2 customer.location.country',
      'R3 dealName',
      'R3 estimatedValue.amount',
      'R3 estimatedValue.currency',
      'R3 estimatedCloseDate',
      'R4 team[0].phone',
      'R4 team[0].email',
      'R5 solutions',
    ]);
  });

  it('R8: every invitation is checked, with its index in the path', () => {
    const input = anOutboundInput({
      partnerInvitations: [
        aPartnerInvitation(),
        aPartnerInvitation({
          invitee: { kind: 'partner', partnerId: 'p-2', partnerName: '' },
          value: { amount: -5, currency: 'EUR' },
          team: [aTeamMember({ email: '' })],
        }),
      ],
    });
    expect(summary(validateOutboundInput(input))).toEqual([
      'R8 partnerInvitations[1].invitee.partnerName',
      'R8 partnerInvitations[1].value.amount',
      'R8 partnerInvitations[1].team[0].email',
    ]);
  });

  it('R6, R18: inbound gaps are all reported', () => {
    const input = anInboundInput({ sender: { kind: 'partner', partnerId: '', name: '' }, type: 'p2p', microsoftHelpType: 'general' });
    expect(summary(validateInboundInput(input))).toEqual(['R18 sender.name', 'R18 sender.partnerId', 'R6 type']);
  });

  it('R3: a valid inbound input has no violations', () => {
    expect(validateInboundInput(anInboundInput())).toEqual([]);
  });

  it.each([
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-12-31', true],
  ])('R3: isDateOnly(%s) is %s', (value, expected) => {
    expect(isDateOnly(value)).toBe(expected);
  });
});
