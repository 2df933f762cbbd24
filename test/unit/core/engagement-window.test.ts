import { engagementWindow } from '../../../src/core/engagement-window';
import { readField } from '../../../src/core/fields';
import type { Invitation, Opportunity } from '../../../src/core/model';

const invitation = (status: Invitation['status'], invitedAt: string, kind: 'microsoft' | 'partner' = 'microsoft'): Invitation =>
  ({
    id: `inv-${invitedAt}`, invitee: kind === 'microsoft' ? { kind } : { kind, partnerId: 'p-1', partnerName: 'Fabrikam' },
    closeDate: null, status, invitedAt,
  }) as Invitation;

describe('R9 engagement window as CRM users see it', () => {
  it.each<[string, Invitation[], { state: string; dueAt: string } | null]>([
    ['never invited', [], null],
    ['a partner invitation only', [invitation('pending', '2026-03-01T10:00:00.000Z', 'partner')], null],
    ['waiting, 14 days to decide', [invitation('pending', '2026-03-01T10:00:00.000Z')], { state: 'waiting', dueAt: '2026-03-15T10:00:00.000Z' }],
    ['engaged', [invitation('engaged', '2026-03-01T10:00:00.000Z')], { state: 'engaged', dueAt: '2026-03-15T10:00:00.000Z' }],
    ['declined', [invitation('declined', '2026-03-01T10:00:00.000Z')], { state: 'declined', dueAt: '2026-03-15T10:00:00.000Z' }],
    ['lapsed', [invitation('lapsed', '2026-03-01T10:00:00.000Z')], { state: 'lapsed', dueAt: '2026-03-15T10:00:00.000Z' }],
    ['the latest invitation counts', [invitation('lapsed', '2026-01-01T00:00:00.000Z'), invitation('pending', '2026-03-01T10:00:00.000Z')], { state: 'waiting', dueAt: '2026-03-15T10:00:00.000Z' }],
  ])('%s', (_name, invitations, expected) => {
    const opp = { invitations } as unknown as Opportunity;
    expect(engagementWindow(opp)).toEqual(expected);
    expect(readField(opp, 'microsoftEngagement.state')).toBe(expected?.state ?? null);
    expect(readField(opp, 'microsoftEngagement.dueAt')).toBe(expected?.dueAt ?? null);
  });
});
