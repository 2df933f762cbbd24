/**
 * Whole-input validation. Each function returns every violation found (empty when valid), so the
 * sync engine can report all the gaps of one CRM record at once; `transition` refuses with the first.
 */
import type { AcceptChanges, EditChanges, InboundInput, OutboundInput } from './commands';
import { violation, isNonBlank, isOneOf } from './field-checks';
import { HELP_TYPES, type HelpType, type Opportunity, type Sender } from './model';
import type { RuleViolation } from './rules';
import { microsoftContactViolations, microsoftInvited } from './type-rules';
import { duplicatePartnerViolations, validatePartnerInvitation } from './validate-invitation';
import {
  validateCustomer,
  validateDate,
  validateDealName,
  validateMoney,
  validateSolutions,
  validateTeam,
} from './validate-parts';

function validateHelpType(value: HelpType, path = 'microsoftHelpType'): RuleViolation[] {
  return isOneOf(HELP_TYPES, value) ? [] : [violation('R6', `help type must be one of ${HELP_TYPES.join(', ')}`, path)];
}

/** R2-R6, R8, R10: everything a new outbound deal needs. */
export function validateOutboundInput(input: OutboundInput): RuleViolation[] {
  const found = [
    ...validateCustomer(input.customer),
    ...validateDealName(input.dealName),
    ...validateMoney(input.estimatedValue, 'estimatedValue'),
    ...validateDate(input.estimatedCloseDate, 'estimatedCloseDate'),
    ...validateTeam(input.team, { required: true }),
    ...validateSolutions(input.solutions, { required: true }),
    ...validateHelpType(input.microsoftHelpType),
  ];
  if (input.microsoftHelpType !== 'none' && input.customer) found.push(...microsoftContactViolations(input.customer));
  const invitations = input.partnerInvitations ?? [];
  invitations.forEach((invitation, i) => found.push(...validatePartnerInvitation(invitation, `partnerInvitations[${i}]`)));
  found.push(...duplicatePartnerViolations(invitations, 'partnerInvitations'));
  return found;
}

/** R18: the sender must be known, since a decline or an expiry notifies it. */
function validateSender(sender: Sender | null | undefined): RuleViolation[] {
  if (sender === null || sender === undefined) return [violation('R18', 'the sender of an inbound opportunity is required', 'sender')];
  const found: RuleViolation[] = [];
  if (!isNonBlank(sender.name)) found.push(violation('R18', 'sender name is required', 'sender.name'));
  if (sender.kind === 'partner' && !isNonBlank(sender.partnerId)) {
    found.push(violation('R18', 'sender partner id is required', 'sender.partnerId'));
  }
  return found;
}

/** R6: an inbound deal is co-sell or p2p; Microsoft-sent or Microsoft-helped deals are co-sell. */
function validateInboundType(input: InboundInput): RuleViolation[] {
  if (input.type !== 'co-sell' && input.type !== 'p2p') {
    return [violation('R6', 'an inbound opportunity is co-sell or p2p', 'type')];
  }
  if (input.type === 'p2p' && input.sender?.kind === 'microsoft') {
    return [violation('R6', 'an opportunity sent by Microsoft is co-sell', 'type')];
  }
  if (input.type === 'p2p' && input.microsoftHelpType !== 'none') {
    return [violation('R6', 'an opportunity asking Microsoft for help is co-sell', 'type')];
  }
  return [];
}

/**
 * R2-R6, R18 for a received referral. The deal name is set when accepting (R12), and the sender
 * may leave our team and solutions empty; entries that are present must still be complete.
 */
export function validateInboundInput(input: InboundInput): RuleViolation[] {
  return [
    ...validateSender(input.sender),
    ...validateInboundType(input),
    ...validateCustomer(input.customer),
    ...validateMoney(input.estimatedValue, 'estimatedValue'),
    ...validateDate(input.estimatedCloseDate, 'estimatedCloseDate'),
    ...validateTeam(input.team, { required: false }),
    ...validateSolutions(input.solutions, { required: false }),
    ...validateHelpType(input.microsoftHelpType),
  ];
}

/** R12: accepting names the deal; changed fields follow R3/R4. */
export function validateAcceptChanges(dealName: string, changes: AcceptChanges): RuleViolation[] {
  const found = validateDealName(dealName, 'R12');
  if (changes.estimatedValue !== undefined) found.push(...validateMoney(changes.estimatedValue, 'estimatedValue'));
  if (changes.estimatedCloseDate !== undefined) found.push(...validateDate(changes.estimatedCloseDate, 'estimatedCloseDate'));
  if (changes.team !== undefined) found.push(...validateTeam(changes.team, { required: true }));
  return found;
}

/** R2-R5, R10, R14: each changed field is held to the rule that made it required. */
export function validateEditChanges(opportunity: Opportunity, changes: EditChanges): RuleViolation[] {
  const found: RuleViolation[] = [];
  if (changes.customer !== undefined) {
    found.push(...validateCustomer(changes.customer));
    // Once we have invited Microsoft, the contact it was given cannot be taken away (R10).
    if (microsoftInvited(opportunity)) found.push(...microsoftContactViolations(changes.customer));
  }
  if (changes.dealName !== undefined) found.push(...validateDealName(changes.dealName));
  if (changes.estimatedValue !== undefined) found.push(...validateMoney(changes.estimatedValue, 'estimatedValue'));
  if (changes.estimatedCloseDate !== undefined) found.push(...validateDate(changes.estimatedCloseDate, 'estimatedCloseDate'));
  if (changes.team !== undefined) found.push(...validateTeam(changes.team, { required: true }));
  if (changes.solutions !== undefined) found.push(...validateSolutions(changes.solutions, { required: true }));
  return found;
}
