import {
  LEGAL_SUBSTATUSES,
  REFERRAL_STATUSES,
  REFERRAL_SUBSTATUSES,
  canMoveStatus,
  isLegalPair,
  stageOfStatus,
  statusOfStage,
} from '../../../src/partner-center/status';
import { STAGES } from '../../../src/core/model';

// Written out from create-a-referral.md's transition table, independently of the code's table.
const LEGAL = new Set(['New/Pending', 'New/Received', 'Active/Accepted', 'Closed/Won', 'Closed/Lost', 'Closed/Declined', 'Closed/Expired']);
const MOVES = new Set(['New>New', 'New>Active', 'New>Closed', 'Active>Active', 'Active>Closed', 'Closed>Closed']);

describe('referral status table', () => {
  it.each(REFERRAL_STATUSES.flatMap((s) => REFERRAL_SUBSTATUSES.map((sub) => [s, sub] as const)))('%s/%s legal pair', (s, sub) => {
    expect(isLegalPair(s, sub)).toBe(LEGAL.has(`${s}/${sub}`));
  });

  it.each(REFERRAL_STATUSES.flatMap((a) => REFERRAL_STATUSES.map((b) => [a, b] as const)))('status %s -> %s', (a, b) => {
    expect(canMoveStatus(a, b)).toBe(MOVES.has(`${a}>${b}`));
  });

  it('maps every stage to a legal pair and back', () => {
    for (const stage of STAGES) {
      const { status, substatus } = statusOfStage(stage);
      expect(isLegalPair(status, substatus)).toBe(true);
      expect(stageOfStatus(status, substatus)).toBe(stage);
    }
  });

  it.each([
    ['New', 'Pending', 'received'],
    ['Active', 'Accepted', 'accepted'],
    ['Closed', 'Expired', 'expired'],
    ['Active', 'Won', null],
    ['Closed', 'Engaged', null],
    ['Open', 'Pending', null],
    [null, null, null],
  ])('stageOfStatus(%s, %s) = %s', (status, substatus, stage) => {
    expect(stageOfStatus(status, substatus)).toBe(stage);
  });

  it('lists no substatus for None', () => {
    expect(LEGAL_SUBSTATUSES.None).toEqual([]);
  });
});
