import { STAGES, STAGE_TRANSITIONS, canTransition, isTerminal, transition, type Command, type Stage } from '../../../src/core';
import { T0, anOpportunityId, anOpportunityIn, anInboundInput, daysAfter, deepFrozen } from './builders';

/** The command that would move an existing opportunity into `to`. */
function commandInto(to: Stage): Command {
  const commands: Record<Stage, Command> = {
    received: { kind: 'receiveInbound', id: anOpportunityId('opp-again'), input: anInboundInput() },
    accepted: { kind: 'accept', dealName: 'Accepted deal', changes: {} },
    won: { kind: 'win', dealRegistration: null },
    lost: { kind: 'lose', notes: null },
    declined: { kind: 'decline', reason: 'No capacity', notes: null },
    expired: { kind: 'expire' },
  };
  return commands[to];
}

const LEGAL: readonly [Stage, Stage][] = [
  ['received', 'accepted'],
  ['received', 'declined'],
  ['received', 'expired'],
  ['accepted', 'won'],
  ['accepted', 'lost'],
];
const isLegal = (from: Stage, to: Stage): boolean => LEGAL.some(([f, t]) => f === from && t === to);

const matrix = STAGES.flatMap((from) =>
  STAGES.map((to) => ({ from, to, legal: isLegal(from, to), rule: isTerminal(from) ? 'R16' : 'R15' })),
);

describe('stage transition table', () => {
  it('R15: the table lists exactly the five legal moves', () => {
    const listed = STAGES.flatMap((from) => STAGE_TRANSITIONS[from].map((to) => [from, to]));
    expect(listed).toEqual(LEGAL);
  });

  it('R15/R16: the matrix covers all 36 stage pairs', () => {
    expect(matrix).toHaveLength(36);
  });

  it.each(matrix)('R15: canTransition($from -> $to) is $legal', ({ from, to, legal }) => {
    expect(canTransition(from, to)).toBe(legal);
  });

  it.each(matrix)('R15/R16: transition $from -> $to legal=$legal (refused with $rule otherwise)', ({ from, to, legal, rule }) => {
    const current = deepFrozen(anOpportunityIn(from));
    // Past the R13 window, so only R15/R16 can refuse an expiry.
    const result = transition(current, commandInto(to), daysAfter(T0, 15));
    if (legal) {
      expect(result.ok && result.value.opportunity.stage).toBe(to);
    } else {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.rule).toBe(rule);
    }
  });
});
