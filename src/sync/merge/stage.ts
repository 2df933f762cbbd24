/**
 * What a CRM stage move means for the co-sell opportunity (architecture.md, sync protocol 3;
 * cosell-rules.md S1-S3). Pure: the CRM asks for a stage, the core's table decides what is legal.
 */
import type { Command } from '../../core/commands';
import { isTerminal, type Direction, type Stage } from '../../core/model';

export type IllegalMovePolicy = 'accept-then-apply' | 'conflict';

export type StageDecision =
  | { kind: 'none' }
  /** `reinterpreted`: the core records the move as something else than the CRM shows (S3), said here. */
  | { kind: 'commands'; commands: Command[]; note: string; reinterpreted?: string }
  | { kind: 'conflict'; conflictKind: 'terminal' | 'terminal-outcome' | 'illegal-transition'; rule: string; message: string };

export interface StageInput {
  current: Stage;
  direction: Direction;
  /** The stage the CRM asks for now, and the one it asked for at the last agreement. */
  wanted: Stage | null;
  baseWanted: unknown;
  dealName: string;
  declineReason: string | null;
  illegalMoves: IllegalMovePolicy;
}

/** Outbound deals are never `received` (R7): every open CRM stage means `accepted` for them. */
export function normalizeWantedStage(wanted: Stage | null, direction: Direction): Stage | null {
  return wanted === 'received' && direction === 'outbound' ? 'accepted' : wanted;
}

export function decideStage(input: StageInput): StageDecision {
  const { current, wanted } = input;
  if (wanted === null || wanted === input.baseWanted || wanted === current) return { kind: 'none' };
  if (isTerminal(current)) {
    return isTerminal(wanted)
      ? {
          kind: 'conflict',
          conflictKind: 'terminal-outcome',
          rule: 'S2',
          message: `the CRM closed the deal as ${wanted}, but it is already ${current} in co-sell (the first committed outcome stands)`,
        }
      : {
          kind: 'conflict',
          conflictKind: 'terminal',
          rule: 'S1',
          message: `the CRM moved the deal to ${wanted}, but it is ${current} in co-sell and terminal (R16)`,
        };
  }
  return current === 'received' ? fromReceived(input, wanted) : fromAccepted(input, wanted);
}

function fromReceived(input: StageInput, wanted: Stage): StageDecision {
  const accept: Command = { kind: 'accept', dealName: input.dealName, changes: {} };
  switch (wanted) {
    case 'accepted':
      return { kind: 'commands', commands: [accept], note: 'accepted in the CRM' };
    case 'declined':
      return input.declineReason
        ? { kind: 'commands', commands: [{ kind: 'decline', reason: input.declineReason, notes: null }], note: 'declined in the CRM' }
        : illegal('R12', 'the CRM declined the referral without a decline reason (R12 requires one)');
    case 'won':
    case 'lost': {
      if (input.illegalMoves === 'conflict') {
        return illegal('S3', `the CRM marked a received referral ${wanted}; received -> ${wanted} is not a legal transition (R15)`);
      }
      const close: Command = wanted === 'won' ? { kind: 'win', dealRegistration: null } : { kind: 'lose', notes: null };
      return { kind: 'commands', commands: [accept, close], note: `accepted then ${wanted} (S3: accept-then-apply)` };
    }
    default:
      return illegal('S3', `the CRM cannot move a received referral to ${wanted} (R15)`);
  }
}

function fromAccepted(input: StageInput, wanted: Stage): StageDecision {
  switch (wanted) {
    case 'won':
      return { kind: 'commands', commands: [{ kind: 'win', dealRegistration: null }], note: 'won in the CRM' };
    case 'lost':
      return { kind: 'commands', commands: [{ kind: 'lose', notes: null }], note: 'lost in the CRM' };
    case 'declined':
    case 'expired':
      // A CRM close-lost of an accepted deal is a loss, whatever reason the CRM gives.
      return input.illegalMoves === 'accept-then-apply'
        ? {
            kind: 'commands',
            commands: [{ kind: 'lose', notes: null }],
            note: `closed in the CRM as ${wanted}: recorded as lost (S3)`,
            reinterpreted: `an accepted deal cannot be ${wanted} (R15); the CRM's close is recorded as lost`,
          }
        : illegal('S3', `accepted -> ${wanted} is not a legal transition (R15)`);
    default:
      return illegal('R15', `the CRM moved an accepted deal back to ${wanted}; accepted -> ${wanted} is not a legal transition`);
  }
}

function illegal(rule: string, message: string): StageDecision {
  return { kind: 'conflict', conflictKind: 'illegal-transition', rule, message };
}

/**
 * Two co-sell stages the CRM writes the same way (expired, declined and lost all as Closed Lost;
 * only the decline reason may differ): moving between them is nothing the CRM can be asked to show.
 */
export function equivalentInCrm(toCrm: (stage: Stage) => Record<string, unknown>, a: Stage, b: Stage): boolean {
  if (a === b) return true;
  const x = toCrm(a);
  const y = toCrm(b);
  const shared = Object.keys(x).filter((key) => key in y);
  return shared.length > 0 && shared.every((key) => String(x[key]) === String(y[key]));
}
