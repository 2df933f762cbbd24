/**
 * The co-sell lifecycle as a pure state machine: `transition(current, command, now)` returns the
 * new opportunity and its events, or the rule that refuses the command. No I/O, no clock reads;
 * the input opportunity is never mutated.
 */
import type { Command } from './commands';
import { createOutbound, receiveInbound } from './create';
import { edit } from './edit';
import type { Transition } from './events';
import { violation } from './field-checks';
import { inviteMicrosoft, invitePartner, microsoftResponse } from './invite';
import { isTerminal, type Opportunity } from './model';
import { err, type Result } from './result';
import type { RuleViolation } from './rules';
import { accept, decline, expire, lose, registerDeal, setFavorite, win } from './stage-commands';
import { terminalViolation } from './stage-transitions';

export type { DomainEvent, Transition } from './events';

type Outcome = Result<Transition, RuleViolation>;

function create(command: Command, now: Date): Outcome {
  if (command.kind === 'createOutbound') return createOutbound(command.id, command.input, now);
  if (command.kind === 'receiveInbound') return receiveInbound(command.id, command.input, now);
  return err(violation('R15', `${command.kind} needs an existing opportunity`, 'id'));
}

/** Commands on a live (non-terminal) opportunity. */
function change(current: Opportunity, command: Command, now: Date): Outcome {
  switch (command.kind) {
    case 'createOutbound':
    case 'receiveInbound':
      return err(violation('R15', `opportunity ${current.id} already exists; it cannot start over`, 'id'));
    case 'accept':
      return accept(current, command, now);
    case 'decline':
      return decline(current, command, now);
    case 'edit':
      return edit(current, command.changes, now);
    case 'inviteMicrosoft':
      return inviteMicrosoft(current, command, now);
    case 'invitePartner':
      return invitePartner(current, command, now);
    case 'win':
      return win(current, command, now);
    case 'lose':
      return lose(current, command, now);
    case 'expire':
      return expire(current, now);
    case 'registerDeal':
      return registerDeal(current, command, now);
    case 'microsoftResponse':
      return microsoftResponse(current, command, now);
    case 'favorite':
    case 'unfavorite':
      return setFavorite(current, command.kind === 'favorite', now);
  }
}

/**
 * Apply one command. `createOutbound`/`receiveInbound` need `current === null`, every other command
 * an opportunity. Terminal opportunities refuse everything (R16) except the favorite mark (R1) and
 * deal registration on a won deal (R17).
 */
export function transition(current: Opportunity | null, command: Command, now: Date): Outcome {
  if (current === null) return create(command, now);
  const exempt = command.kind === 'favorite' || command.kind === 'unfavorite' || command.kind === 'registerDeal';
  if (isTerminal(current.stage) && !exempt) return err(terminalViolation(current.stage));
  return change(current, command, now);
}
