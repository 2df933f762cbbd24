import getReferral from '../../fixtures/partner-center/get-referral.response.json';
import listReferrals from '../../fixtures/partner-center/list-referrals.response.json';
import createRequest from '../../fixtures/partner-center/create-referral.request.json';
import { fromReferral } from '../../../src/partner-center/from-referral';
import { patchToMatch, toNewReferral } from '../../../src/partner-center/to-referral';
import { sharingViolation } from '../../../src/partner-center/consent';
import type { Referral } from '../../../src/ports/referral';
import { aCustomerWithConsentedContact, aPartnerInvitation, anAcceptedOpportunity, apply, deepFrozen } from '../core/builders';

const ctx = { ownPublisher: 'Contoso Company', defaultCurrency: 'EUR' };

describe('referral -> inbound opportunity (documented example)', () => {
  it('maps the get-a-referral-by-id example', () => {
    const result = fromReferral(deepFrozen(structuredClone(getReferral)) as Referral, ctx);
    if (!result.ok) throw new Error(result.problems.join('; '));
    const { input, receivedAt, stage, unknown } = result.value;
    expect(stage).toBe('received');
    expect(receivedAt).toBe('2018-10-29T21:24:52.040Z');
    expect(input.sender).toEqual({ kind: 'microsoft', name: 'Microsoft' });
    expect(input.type).toBe('co-sell');
    expect(input.customer.name).toBe('Contoso Customer Inc');
    expect(input.customer.location).toEqual({ street: 'One Microsoft Way', city: 'Redmond', region: 'WA', postalCode: '98052', country: 'US' });
    expect(input.estimatedValue.currency).toBe(getReferral.details.currency);
    expect(input.estimatedValue.amount).toBe(getReferral.details.dealValue);
    expect(input.team.map((m) => m.name)).toEqual(getReferral.team.map((m) => `${m.firstName} ${m.lastName}`));
    expect(unknown).toEqual([]);
    // The example has no closing date: the expiration date stands in, and says so.
    expect(input.estimatedCloseDate).toBe('2018-11-06');
    expect(result.value.defaulted).toEqual(['details.closingDateTime']);
  });

  it('defaults a lead without value or currency (first list example) and reports it', () => {
    const [lead] = structuredClone(listReferrals.value) as unknown as Referral[];
    const result = fromReferral(lead as Referral, ctx);
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.value.input.estimatedValue).toEqual({ amount: 0, currency: 'EUR' });
    expect(result.value.defaulted).toEqual(['details.dealValue', 'details.currency', 'details.closingDateTime']);
  });

  it('keeps and reports unknown enum values instead of failing', () => {
    const r = { ...structuredClone(getReferral), status: 'Closed', substatus: 'Engaged', type: 'Triple', inviteContext: { assistanceRequestCode: 'Telepathy' } } as Referral;
    const result = fromReferral(r, ctx);
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.value.stage).toBeNull();
    expect(result.value.unknown).toEqual([
      { field: 'type', value: 'Triple' },
      { field: 'substatus', value: 'Engaged' },
      { field: 'inviteContext.assistanceRequestCode', value: 'Telepathy' },
    ]);
  });

  it('names every missing required field', () => {
    const r = { id: 'r1', customerProfile: { name: ' ' }, details: {} } as Referral;
    const result = fromReferral(r, ctx);
    expect(result).toEqual({
      ok: false,
      problems: [
        'customerProfile.name is missing',
        'customerProfile.address.country is missing',
        'createdDateTime is missing or not a date',
      ],
    });
  });

  it('takes the customer contact only with consent', () => {
    const withConsent = fromReferral({ ...structuredClone(getReferral), consent: { consentToContact: true } } as Referral, ctx);
    const without = fromReferral({ ...structuredClone(getReferral), consent: { consentToContact: false } } as Referral, ctx);
    expect(withConsent.ok && withConsent.value.input.customer.contact?.name).toBe('Sue Smith');
    expect(without.ok && without.value.input.customer.contact).toBeNull();
  });
});

describe('opportunity -> referral', () => {
  it('writes the body the create example shows, with the CRM id as externalReferenceId', () => {
    const opp = anAcceptedOpportunity({ crmId: 'D365-123', campaignId: 'CMP-7', customer: aCustomerWithConsentedContact({ duns: '123456789' }) });
    const body = toNewReferral(opp);
    expect(body.externalReferenceId).toBe('D365-123');
    expect(body.campaignId).toBe('CMP-7');
    expect([body.status, body.substatus]).toEqual(['Active', 'Accepted']);
    expect(body.customerProfile?.ids).toEqual([{ profileType: 'Duns', id: '123456789' }]);
    expect(body.customerProfile?.team?.[0]?.email).toBe('ada@contoso.test');
    expect(body.details?.closingDateTime).toBe('2026-09-30T00:00:00Z');
    // Same top-level vocabulary as Microsoft's example request.
    const documented = new Set(Object.keys(createRequest));
    for (const key of Object.keys(body).filter((k) => !['externalReferenceId', 'campaignId'].includes(k))) expect(documented).toContain(key);
  });

  it('R11: a private deal carries no consent to share and no Microsoft target', () => {
    const body = toNewReferral(anAcceptedOpportunity());
    expect(body.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
    expect(body.type).toBe('Independent');
    expect(body.target).toBeUndefined();
    expect(body.inviteContext).toBeUndefined();
  });

  it('R11: a p2p deal is never shared with Microsoft', () => {
    const opp = anAcceptedOpportunity({ partnerInvitations: [aPartnerInvitation()] });
    expect(opp.type).toBe('p2p');
    const body = toNewReferral(opp);
    expect(body.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
    expect(patchToMatch({ id: 'r', ...body }, opp).some((op) => op.path.startsWith('/consent'))).toBe(false);
  });

  it('a private deal becomes shared once Microsoft is invited', () => {
    const priv = anAcceptedOpportunity({ customer: aCustomerWithConsentedContact() });
    const invited = apply(priv, { kind: 'inviteMicrosoft', helpType: 'technical-architecture', notes: 'please help' });
    const current = { id: 'r', ...toNewReferral(priv) };
    const ops = patchToMatch(current, invited);
    expect(ops).toContainEqual({ op: 'replace', path: '/consent/consentToShareReferralWithMicrosoftSellers', value: true });
    const body = toNewReferral(invited);
    expect(body.target).toEqual([{ type: 'BusinessProfileLocation', id: 'msft' }]);
    expect(body.inviteContext?.assistanceRequestCode).toBe('CustomerTechnicalArchitecture');
    expect(sharingViolation(invited, { consentToShareReferralWithMicrosoftSellers: true, targetsMicrosoft: true })).toBeNull();
    expect(sharingViolation(priv, { consentToShareReferralWithMicrosoftSellers: true, targetsMicrosoft: false })).toMatch(/^R11/);
  });

  it('patches only what differs, status last', () => {
    const opp = anAcceptedOpportunity();
    const won = apply(opp, { kind: 'win', dealRegistration: null });
    const current = { id: 'r', ...toNewReferral(opp) };
    expect(patchToMatch(current, opp)).toEqual([]);
    expect(patchToMatch(current, won)).toEqual([
      { op: 'replace', path: '/status', value: 'Closed' },
      { op: 'replace', path: '/substatus', value: 'Won' },
    ]);
  });
});
