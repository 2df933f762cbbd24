/** R15, R16: the stage transition table, as data. */
import { violation } from './field-checks';
import { isTerminal, type Stage } from './model';
import type { RuleViolation } from './rules';

/** R15: exactly these stage moves are legal; every other one is refused. */
export const STAGE_TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  received: ['accepted', 'declined', 'expired'],
  accepted: ['won', 'lost'],
  won: [],
  lost: [],
  declined: [],
  expired: [],
};

export function canTransition(from: Stage, to: Stage): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

/** R16 when leaving a terminal stage, R15 for any other illegal move; null when legal. */
export function checkStageMove(from: Stage, to: Stage): RuleViolation | null {
  if (isTerminal(from)) return terminalViolation(from);
  if (canTransition(from, to)) return null;
  return violation('R15', `an opportunity cannot move from ${from} to ${to}`, 'stage');
}

export function terminalViolation(stage: Stage): RuleViolation {
  return violation('R16', `a ${stage} opportunity is final; only the favorite mark may change`, 'stage');
}
