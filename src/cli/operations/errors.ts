/**
 * Failures of the user-facing operations shared by the CLI and the admin API, and one place that
 * turns any failure into what both show: a message, an exit code, an HTTP status and a body.
 */
import { isRuleViolation } from '../../core/rules';
import { StaleVersionError, isSyncError } from '../../errors';

export interface InputIssue {
  /** JSON path of the offending value (`customer.location.country`, `team[0].email`), or `(root)`. */
  path: string;
  message: string;
}

/** The input did not have the expected shape (before any co-sell rule is looked at). */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly issues: readonly InputIssue[];
  constructor(what: string, issues: readonly InputIssue[]) {
    super(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(entity: string, id: string) {
    super(`${entity} ${id} not found`);
  }
}

export type FailureKind = 'validation' | 'rule' | 'stale_version' | 'not_found' | 'error';

export interface Failure {
  kind: FailureKind;
  message: string;
  httpStatus: 400 | 404 | 409 | 500;
  body: Record<string, unknown>;
}

/**
 * `action` says what was attempted (`accept opportunity opp-1`), so a refusal reads
 * `refused by R16: accept opportunity opp-1: a won opportunity is final; ...`.
 */
export function describeFailure(error: unknown, action: string): Failure {
  if (error instanceof InputError) {
    return { kind: 'validation', message: error.message, httpStatus: 400, body: { error: 'validation', message: error.message, issues: error.issues } };
  }
  if (isRuleViolation(error)) {
    const reason = error.message.startsWith(`${error.rule}: `) ? error.message.slice(error.rule.length + 2) : error.message;
    const message = `refused by ${error.rule}: ${action}: ${reason}`;
    return { kind: 'rule', message, httpStatus: 409, body: { error: 'rule', rule: error.rule, fields: error.fields, message } };
  }
  if (error instanceof StaleVersionError) {
    return {
      kind: 'stale_version',
      message: error.message,
      httpStatus: 409,
      body: { error: 'stale_version', message: error.message, expected: error.expected, actual: error.actual },
    };
  }
  if (error instanceof NotFoundError) {
    return { kind: 'not_found', message: error.message, httpStatus: 404, body: { error: 'not_found', message: error.message } };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = isSyncError(error) ? error.code : 'internal';
  return { kind: 'error', message: `${action} failed: ${message}`, httpStatus: 500, body: { error: code, message: `${action} failed` } };
}
