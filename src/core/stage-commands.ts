/** R12, R13, R15, R17: the commands that move a deal from stage to stage. */
import type { AcceptChanges, Command } from './commands';
import type { Transition } from './events';
import { isExpiryDue, EXPIRY_WINDOW_DAYS } from './expiry';
import { violation, isNonBlank } from './field-checks';
import type { Opportunity, Stage } from './model';
import { err, ok, type Result } from './result';
import type { RuleViolation } from './rules';
import { checkStageMove } from './stage-transitions';
import { validateAcceptChanges } from './validate';

type Outcome = Result<Transition, RuleViolation>;
type CommandOf<K extends Command['kind']> = Extract<Command, { kind: K }>;

/** A copy of the deal in its new stage; the input is never touched. */
function moved(opportunity: Opportunity, stage: Stage, now: Date): Opportunity {
  return { ...structuredClone(opportunity), stage, stageChangedAt: now.toISOString() };
}

function pickAcceptChanges(changes: AcceptChanges): AcceptChanges {
  const picked: AcceptChanges = {};
  if (changes.estimatedValue !== undefined) picked.estimatedValue = structuredClone(changes.estimatedValue);
  if (changes.estimatedCloseDate !== undefined) picked.estimatedCloseDate = changes.estimatedCloseDate;
  if (changes.notes !== undefined) picked.notes = changes.notes;
  if (changes.crmId !== undefined) picked.crmId = changes.crmId;
  if (changes.campaignId !== undefined) picked.campaignId = changes.campaignId;
  if (changes.team !== undefined) picked.team = structuredClone(changes.team);
  return picked;
}

/** R12: accepting a received referral names the deal and may set its details. */
export function accept(opportunity: Opportunity, command: CommandOf<'accept'>, now: Date): Outcome {
  const refused = checkStageMove(opportunity.stage, 'accepted');
  if (refused) return err(refused);
  const [invalid] = validateAcceptChanges(command.dealName, command.changes);
  if (invalid) return err(invalid);
  const next = { ...moved(opportunity, 'accepted', now), ...pickAcceptChanges(command.changes), dealName: command.dealName };
  return ok({ opportunity: next, events: [{ type: 'accepted', opportunityId: opportunity.id, at: now.toISOString() }] });
}

/** R12, R18: declining needs a reason, and the sender is told. */
export function decline(opportunity: Opportunity, command: CommandOf<'decline'>, now: Date): Outcome {
  const refused = checkStageMove(opportunity.stage, 'declined');
  if (refused) return err(refused);
  if (!isNonBlank(command.reason)) return err(violation('R12', 'declining requires a reason', 'reason'));
  const next = { ...moved(opportunity, 'declined', now), declineReason: command.reason, declineNotes: command.notes };
  const notify = { reason: 'declined', recipients: 'sender', sender: structuredClone(opportunity.sender) } as const;
  const event = { type: 'declined', opportunityId: opportunity.id, at: now.toISOString(), reason: command.reason, notify } as const;
  return ok({ opportunity: next, events: [event] });
}

/** R13, R18: a referral expires only after 14 days in `received`; the sender is told. */
export function expire(opportunity: Opportunity, now: Date): Outcome {
  const refused = checkStageMove(opportunity.stage, 'expired');
  if (refused) return err(refused);
  if (!isExpiryDue(opportunity, now)) {
    return err(violation('R13', `a referral expires only ${EXPIRY_WINDOW_DAYS} days after it was received`, 'receivedAt'));
  }
  const notify = { reason: 'expired', recipients: 'sender', sender: structuredClone(opportunity.sender) } as const;
  const event = { type: 'expired', opportunityId: opportunity.id, at: now.toISOString(), notify } as const;
  return ok({ opportunity: moved(opportunity, 'expired', now), events: [event] });
}

/** R14, R17: an accepted deal is won, possibly with its deal registration. */
export function win(opportunity: Opportunity, command: CommandOf<'win'>, now: Date): Outcome {
  const refused = checkStageMove(opportunity.stage, 'won');
  if (refused) return err(refused);
  const at = now.toISOString();
  const next = moved(opportunity, 'won', now);
  if (command.dealRegistration === null) return ok({ opportunity: next, events: [{ type: 'won', opportunityId: next.id, at }] });
  next.dealRegistration = { ...structuredClone(command.dealRegistration), registeredAt: at };
  const registered = { type: 'deal-registered', opportunityId: next.id, at, registrationId: command.dealRegistration.registrationId } as const;
  return ok({ opportunity: next, events: [{ type: 'won', opportunityId: next.id, at }, registered] });
}

/** R14: an accepted deal is lost; closing notes are kept. */
export function lose(opportunity: Opportunity, command: CommandOf<'lose'>, now: Date): Outcome {
  const refused = checkStageMove(opportunity.stage, 'lost');
  if (refused) return err(refused);
  const next = moved(opportunity, 'lost', now);
  if (command.notes !== null) next.notes = command.notes;
  return ok({ opportunity: next, events: [{ type: 'lost', opportunityId: next.id, at: now.toISOString() }] });
}

/** R17: registration details are kept on a won deal; they never reopen it. */
export function registerDeal(opportunity: Opportunity, command: CommandOf<'registerDeal'>, now: Date): Outcome {
  if (opportunity.stage !== 'won') {
    return err(violation('R17', `only a won deal takes deal registration details (this one is ${opportunity.stage})`, 'stage'));
  }
  const at = now.toISOString();
  const next = { ...structuredClone(opportunity), dealRegistration: { ...structuredClone(command.registration), registeredAt: at } };
  const event = { type: 'deal-registered', opportunityId: next.id, at, registrationId: command.registration.registrationId } as const;
  return ok({ opportunity: next, events: [event] });
}

/** R1: the favorite mark may change in any stage, terminal ones included (R16). */
export function setFavorite(opportunity: Opportunity, favorite: boolean, now: Date): Outcome {
  const next = { ...structuredClone(opportunity), favorite };
  if (opportunity.favorite === favorite) return ok({ opportunity: next, events: [] });
  const type = favorite ? 'favorited' : 'unfavorited';
  return ok({ opportunity: next, events: [{ type, opportunityId: next.id, at: now.toISOString() }] });
}
