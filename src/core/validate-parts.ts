/**
 * Validators for the parts of an opportunity. Each returns every violation it finds, with field
 * paths under the given prefix, so a CRM record can be reported with all its gaps at once.
 */
import { violation, isCurrencyCode, isDateOnly, isEmail, isNonBlank, isOneOf } from './field-checks';
import { SOLUTION_KINDS, type Customer, type Money, type Solution, type TeamMember } from './model';
import type { RuleId, RuleViolation } from './rules';

const at = (prefix: string, field: string): string => (prefix === '' ? field : `${prefix}.${field}`);

/** R2: customer name and location are required; a contact needs a name and the customer's consent. */
export function validateCustomer(customer: Customer | null | undefined, prefix = 'customer'): RuleViolation[] {
  if (customer === null || customer === undefined) return [violation('R2', 'customer is required', prefix)];
  const found: RuleViolation[] = [];
  if (!isNonBlank(customer.name)) found.push(violation('R2', 'customer name is required', at(prefix, 'name')));
  if (!isNonBlank(customer.location?.country)) {
    found.push(violation('R2', 'customer location (country) is required', at(prefix, 'location.country')));
  }
  if (customer.contact !== null && customer.contact !== undefined) {
    if (!isNonBlank(customer.contact.name)) {
      found.push(violation('R2', 'a customer contact needs a name', at(prefix, 'contact.name')));
    }
    if (customer.contactConsent !== true) {
      found.push(violation('R2', "a customer contact is kept only with the customer's consent", at(prefix, 'contactConsent')));
    }
  }
  return found;
}

/** R3 (and R8 for invitation values): a non-negative amount with an ISO 4217 currency. */
export function validateMoney(money: Money | null | undefined, path: string, rule: RuleId = 'R3'): RuleViolation[] {
  if (money === null || money === undefined) return [violation(rule, 'a value with currency is required', path)];
  const found: RuleViolation[] = [];
  if (typeof money.amount !== 'number' || !Number.isFinite(money.amount) || money.amount < 0) {
    found.push(violation(rule, 'value must be a finite amount >= 0', at(path, 'amount')));
  }
  if (!isCurrencyCode(money.currency)) {
    found.push(violation(rule, 'currency must be an ISO 4217 code (three capital letters)', at(path, 'currency')));
  }
  return found;
}

export function validateDate(value: unknown, path: string, rule: RuleId = 'R3'): RuleViolation[] {
  return isDateOnly(value) ? [] : [violation(rule, 'a valid date (YYYY-MM-DD) is required', path)];
}

export function validateDealName(value: unknown, rule: RuleId = 'R3'): RuleViolation[] {
  return isNonBlank(value) ? [] : [violation(rule, 'deal name is required', 'dealName')];
}

function validateMember(member: TeamMember, path: string, rule: RuleId): RuleViolation[] {
  const found: RuleViolation[] = [];
  if (!isNonBlank(member.name)) found.push(violation(rule, 'team member name is required', `${path}.name`));
  if (!isNonBlank(member.phone)) found.push(violation(rule, 'team member phone is required', `${path}.phone`));
  if (!isNonBlank(member.email)) found.push(violation(rule, 'team member email is required', `${path}.email`));
  else if (!isEmail(member.email)) found.push(violation(rule, 'team member email is not an address', `${path}.email`));
  return found;
}

/** R4: every member has name, phone and email; `required` asks for at least one member. */
export function validateTeam(
  team: readonly TeamMember[] | null | undefined,
  options: { path?: string; rule?: RuleId; required: boolean },
): RuleViolation[] {
  const { path = 'team', rule = 'R4' } = options;
  const members = team ?? [];
  const found = members.flatMap((member, i) => validateMember(member, `${path}[${i}]`, rule));
  if (options.required && members.length === 0) found.unshift(violation(rule, 'at least one team member is required', path));
  return found;
}

function validateSolution(solution: Solution, path: string, rule: RuleId): RuleViolation[] {
  const found: RuleViolation[] = [];
  if (!isNonBlank(solution.id)) found.push(violation(rule, 'solution id is required', `${path}.id`));
  if (!isNonBlank(solution.name)) found.push(violation(rule, 'solution name is required', `${path}.name`));
  if (!isOneOf(SOLUTION_KINDS, solution.kind)) {
    found.push(violation(rule, `solution kind must be one of ${SOLUTION_KINDS.join(', ')}`, `${path}.kind`));
  }
  return found;
}

/** R5: every solution has an id, a name and a known kind; `required` asks for at least one. */
export function validateSolutions(
  solutions: readonly Solution[] | null | undefined,
  options: { path?: string; rule?: RuleId; required: boolean },
): RuleViolation[] {
  const { path = 'solutions', rule = 'R5' } = options;
  const list = solutions ?? [];
  const found = list.flatMap((solution, i) => validateSolution(solution, `${path}[${i}]`, rule));
  if (options.required && list.length === 0) found.unshift(violation(rule, 'at least one solution is required', path));
  return found;
}
