/** Small field predicates shared by the validators. Pure, no throwing. */
import { RuleViolation, type RuleId } from './rules';

export function violation(rule: RuleId, message: string, ...fields: string[]): RuleViolation {
  return new RuleViolation({ rule, message, fields });
}

export function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

const CURRENCY = /^[A-Z]{3}$/;
export function isCurrencyCode(value: unknown): boolean {
  return typeof value === 'string' && CURRENCY.test(value);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `YYYY-MM-DD` naming a real calendar day (rejects 2026-02-30). */
export function isDateOnly(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_ONLY.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Deliberately loose: one `@`, no spaces. Deliverability is the mail system's business. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;
export function isEmail(value: unknown): boolean {
  return typeof value === 'string' && EMAIL.test(value.trim());
}

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
