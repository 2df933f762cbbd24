/** Rule ids of cosell-rules.md; every refusal names one. */
export const RULE_IDS = [
  'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'R16', 'R17', 'R18',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** A refusal by the lifecycle engine: which rule, which fields, and why. */
export class RuleViolation extends Error {
  override readonly name = 'RuleViolation';
  readonly rule: RuleId;
  readonly fields: readonly string[];
  constructor(params: { rule: RuleId; message: string; fields?: readonly string[] }) {
    super(`${params.rule}: ${params.message}`);
    this.rule = params.rule;
    this.fields = params.fields ?? [];
  }
}

export function isRuleViolation(value: unknown): value is RuleViolation {
  return value instanceof RuleViolation;
}
