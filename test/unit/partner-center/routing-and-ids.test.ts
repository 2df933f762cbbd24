import { asOpportunityId } from '../../../src/core';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import { acceptsInbound, routeInbound, unroutedInbound, type InboundRule } from '../../../src/sync/inbound-routing';
import { aCustomer, aSolution } from '../core/builders';

describe('referral ids', () => {
  it('keeps the ids opportunities received from Partner Center already have (RFC 4122 v5 in the referral namespace)', () => {
    expect(opportunityIdOfReferral('r-1')).toBe('31bbee8e-8070-51dc-9255-259d8225573a');
    expect(opportunityIdOfReferral('7d1b5a2e-0c3f-4e8a-9b61-2f4c8d9e0a17')).toBe('3693a1a9-d785-5289-bdd1-812ed95112e6');
    expect(opportunityIdOfReferral('ünïcode')).toBe('55a61e4a-623d-5603-9b36-f4ca88e212eb');
  });
  it('is stable per referral and fits 36 characters', () => {
    expect(opportunityIdOfReferral('r-1')).toBe(opportunityIdOfReferral('r-1'));
    expect(opportunityIdOfReferral('r-1')).not.toBe(opportunityIdOfReferral('r-2'));
    expect(opportunityIdOfReferral('x'.repeat(200))).toHaveLength(36);
  });
});

describe('inbound routing', () => {
  const opp = (country: string, solution = 'sol-1') => ({
    id: asOpportunityId(`o-${country}`),
    direction: 'inbound' as const,
    customer: aCustomer({ location: { street: null, city: null, region: null, postalCode: null, country } }),
    solutions: [aSolution({ id: solution })],
  });
  it.each<[InboundRule, string, string, boolean]>([
    [{ by: 'all' }, 'US', 'sol-1', true],
    [{ by: 'country', values: ['US', 'CA'] }, 'US', 'sol-1', true],
    [{ by: 'country', values: ['US'] }, ' us ', 'sol-1', true],
    [{ by: 'country', values: ['US'] }, 'FR', 'sol-1', false],
    [{ by: 'solution', values: ['sol-2'] }, 'US', 'sol-2', true],
    [{ by: 'solution', values: ['sol-2'] }, 'US', 'sol-1', false],
  ])('%j takes %s/%s: %s', (rule, country, solution, expected) => {
    expect(acceptsInbound(rule, opp(country, solution))).toBe(expected);
  });

  const instances = [
    { name: 'sf', inbound: { by: 'country', values: ['US'] } as InboundRule },
    { name: 'dyn', inbound: { by: 'solution', values: ['sol-9'] } as InboundRule },
    { name: 'other' },
  ];
  it('defaults to all, and lists what no instance takes', () => {
    expect(routeInbound(instances, opp('US'))).toEqual(['sf', 'other']);
    expect(routeInbound(instances.slice(0, 2), opp('DE', 'sol-9'))).toEqual(['dyn']);
    expect(unroutedInbound(instances.slice(0, 2), [opp('US'), opp('DE'), { ...opp('DE'), direction: 'outbound' as const }])).toEqual(['o-DE']);
  });
});
