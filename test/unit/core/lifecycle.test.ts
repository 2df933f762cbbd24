import { EXPIRY_WINDOW_DAYS, expiresAt, isExpiryDue, transition, type Command } from '../../../src/core';
import {
  T0,
  aCustomerWithConsentedContact,
  aReceivedOpportunity,
  aTeamMember,
  aWonOpportunity,
  anAcceptedOpportunity,
  apply,
  daysAfter,
  deepFrozen,
} from './builders';

const refusedWith = (current: Parameters<typeof transition>[0], command: Command, now = T0) => {
  const result = transition(current, command, now);
  if (result.ok) throw new Error(`expected ${command.kind} to be refused`);
  return result.error;
};

describe('received referrals', () => {
  it('R12: accepting names the deal, sets the allowed details and moves to accepted', () => {
    const received = deepFrozen(aReceivedOpportunity());
    const later = daysAfter(T0, 2);
    const result = transition(
      received,
      {
        kind: 'accept',
        dealName: 'Contoso demo',
        changes: { estimatedValue: { amount: 75000, currency: 'USD' }, crmId: '0061x00000AbCdE', team: [aTeamMember()] },
      },
      later,
    );
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).toMatchObject({
      stage: 'accepted',
      dealName: 'Contoso demo',
      estimatedValue: { amount: 75000, currency: 'USD' },
      crmId: '0061x00000AbCdE',
      stageChangedAt: later.toISOString(),
      receivedAt: T0.toISOString(),
    });
    expect(result.value.events.map((e) => e.type)).toEqual(['accepted']);
  });

  it('R12: accepting requires a deal name', () => {
    const error = refusedWith(aReceivedOpportunity(), { kind: 'accept', dealName: '  ', changes: {} });
    expect([error.rule, error.fields]).toEqual(['R12', ['dealName']]);
  });

  it('R12: accepting ignores fields it may not set (solutions stay as sent)', () => {
    const received = aReceivedOpportunity();
    const changes = { solutions: [] } as unknown as Extract<Command, { kind: 'accept' }>['changes'];
    const accepted = apply(received, { kind: 'accept', dealName: 'Deal', changes });
    expect(accepted.solutions).toEqual(received.solutions);
  });

  it('R12: declining requires a reason', () => {
    const error = refusedWith(aReceivedOpportunity(), { kind: 'decline', reason: '', notes: null });
    expect([error.rule, error.fields]).toEqual(['R12', ['reason']]);
  });

  it('R12, R18: declining archives the referral as declined and notifies the sender', () => {
    const received = aReceivedOpportunity();
    const result = transition(received, { kind: 'decline', reason: 'Out of region', notes: 'Try Fabrikam' }, T0);
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).toMatchObject({ stage: 'declined', declineReason: 'Out of region', declineNotes: 'Try Fabrikam' });
    expect(result.value.events).toEqual([
      expect.objectContaining({
        type: 'declined',
        reason: 'Out of region',
        notify: { reason: 'declined', recipients: 'sender', sender: received.sender },
      }),
    ]);
  });

  it('R12: a received referral cannot be edited before it is accepted', () => {
    expect(refusedWith(aReceivedOpportunity(), { kind: 'edit', changes: { notes: 'x' } }).rule).toBe('R12');
  });
});

describe('expiry', () => {
  const justBefore = new Date(daysAfter(T0, EXPIRY_WINDOW_DAYS).getTime() - 1);

  it('R13: the window is 14 days from reception', () => {
    expect(EXPIRY_WINDOW_DAYS).toBe(14);
    expect(expiresAt(aReceivedOpportunity())).toEqual(daysAfter(T0, 14));
    expect(expiresAt(anAcceptedOpportunity())).toBeNull();
  });

  it.each([
    { when: 'at reception', now: T0, due: false },
    { when: 'one millisecond before 14 days', now: justBefore, due: false },
    { when: 'at exactly 14 days', now: daysAfter(T0, 14), due: true },
    { when: 'after 20 days', now: daysAfter(T0, 20), due: true },
  ])('R13: expiry due $when -> $due', ({ now, due }) => {
    expect(isExpiryDue(aReceivedOpportunity(), now)).toBe(due);
    expect(transition(aReceivedOpportunity(), { kind: 'expire' }, now).ok).toBe(due);
  });

  it('R13: refuses to expire a received referral before 14 days, naming receivedAt', () => {
    const error = refusedWith(aReceivedOpportunity(), { kind: 'expire' }, justBefore);
    expect([error.rule, error.fields]).toEqual(['R13', ['receivedAt']]);
  });

  it('R13, R18: an expired referral notifies the sender', () => {
    const received = aReceivedOpportunity();
    const result = transition(received, { kind: 'expire' }, daysAfter(T0, 14));
    if (!result.ok) throw result.error;
    expect(result.value.opportunity.stage).toBe('expired');
    expect(result.value.events).toEqual([
      expect.objectContaining({ type: 'expired', notify: { reason: 'expired', recipients: 'sender', sender: received.sender } }),
    ]);
  });

  it('R13: an accepted deal never expires (R15 refuses it)', () => {
    expect(isExpiryDue(anAcceptedOpportunity(), daysAfter(T0, 100))).toBe(false);
    expect(refusedWith(anAcceptedOpportunity(), { kind: 'expire' }, daysAfter(T0, 100)).rule).toBe('R15');
  });
});

describe('accepted deals', () => {
  it('R14: deal name, close date, value, notes, ids, team and solutions can be edited', () => {
    const deal = deepFrozen(anAcceptedOpportunity());
    const changes = {
      dealName: 'Renamed',
      estimatedCloseDate: '2026-12-31',
      estimatedValue: { amount: 1, currency: 'GBP' },
      notes: 'n',
      crmId: 'crm-1',
      campaignId: 'cmp-1',
      team: [aTeamMember({ name: 'Other' })],
      solutions: [{ id: 'sol-2', name: 'Other', kind: 'microsoft' as const }],
    };
    const result = transition(deal, { kind: 'edit', changes }, T0);
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).toEqual({ ...deal, ...changes });
    const [event] = result.value.events;
    expect(event?.type === 'edited' && [...event.fields].sort()).toEqual(Object.keys(changes).sort());
  });

  it('R14: an edit that changes nothing reports no event', () => {
    const deal = anAcceptedOpportunity();
    const result = transition(deal, { kind: 'edit', changes: { dealName: deal.dealName } }, T0);
    expect(result.ok && result.value.events).toEqual([]);
  });

  it.each([
    { name: 'R3: an edited deal name may not be blank', changes: { dealName: '' }, rule: 'R3', field: 'dealName' },
    { name: 'R4: the team may not become empty', changes: { team: [] }, rule: 'R4', field: 'team' },
    { name: 'R5: solutions may not become empty', changes: { solutions: [] }, rule: 'R5', field: 'solutions' },
    { name: 'R2: the customer keeps a name', changes: { customer: aCustomerWithConsentedContact({ name: '' }) }, rule: 'R2', field: 'customer.name' },
  ])('$name', ({ changes, rule, field }) => {
    const error = refusedWith(anAcceptedOpportunity(), { kind: 'edit', changes });
    expect([error.rule, error.fields]).toEqual([rule, [field]]);
  });

  it('R10: once Microsoft is invited, the customer contact cannot be removed', () => {
    const deal = anAcceptedOpportunity({ customer: aCustomerWithConsentedContact(), microsoftHelpType: 'general' });
    const error = refusedWith(deal, { kind: 'edit', changes: { customer: { ...deal.customer, contact: null } } });
    expect([error.rule, error.fields]).toEqual(['R10', ['customer.contact']]);
  });

  it('R14: losing keeps closing notes', () => {
    expect(apply(anAcceptedOpportunity(), { kind: 'lose', notes: 'Budget cut' })).toMatchObject({ stage: 'lost', notes: 'Budget cut' });
  });
});

describe('won deals and registration', () => {
  const registration = { registrationId: 'reg-9', details: { program: 'Azure IP co-sell' } };

  it('R17: winning may carry deal registration details', () => {
    const result = transition(anAcceptedOpportunity(), { kind: 'win', dealRegistration: registration }, T0);
    if (!result.ok) throw result.error;
    expect(result.value.opportunity.dealRegistration).toEqual({ ...registration, registeredAt: T0.toISOString() });
    expect(result.value.events.map((e) => e.type)).toEqual(['won', 'deal-registered']);
  });

  it('R17: registration details are added to a won deal without reopening it', () => {
    const won = deepFrozen(aWonOpportunity());
    const result = transition(won, { kind: 'registerDeal', registration }, daysAfter(T0, 3));
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).toEqual({ ...won, dealRegistration: { ...registration, registeredAt: daysAfter(T0, 3).toISOString() } });
  });

  it('R17: only a won deal takes registration details', () => {
    expect(refusedWith(anAcceptedOpportunity(), { kind: 'registerDeal', registration }).rule).toBe('R17');
  });
});

describe('favorites and purity', () => {
  it('R1: any deal, inbound or outbound, can be marked and unmarked; marking twice is a no-op', () => {
    for (const deal of [aReceivedOpportunity(), anAcceptedOpportunity()]) {
      const marked = apply(deal, { kind: 'favorite' });
      expect(marked.favorite).toBe(true);
      const again = transition(marked, { kind: 'favorite' }, T0);
      expect(again.ok && again.value.events).toEqual([]);
      expect(apply(marked, { kind: 'unfavorite' }).favorite).toBe(false);
    }
  });

  it('R16: transitions never mutate their input and share no nested objects with it', () => {
    const deal = deepFrozen(anAcceptedOpportunity());
    const result = transition(deal, { kind: 'edit', changes: { notes: 'new' } }, T0);
    if (!result.ok) throw result.error;
    expect(result.value.opportunity).not.toBe(deal);
    expect(result.value.opportunity.team).not.toBe(deal.team);
    expect(Object.isFrozen(result.value.opportunity.customer)).toBe(false);
  });
});
