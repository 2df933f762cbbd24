import { TERMINAL_STAGES, transition, type Command, type TerminalStage } from '../../../src/core';
import { T0, anOpportunityIn, daysAfter, deepFrozen, oneOfEachCommand } from './builders';

type Expected = { ok: true } | { ok: false; rule: 'R16' | 'R17' };

function expectedFor(stage: TerminalStage, command: Command): Expected {
  if (command.kind === 'favorite' || command.kind === 'unfavorite') return { ok: true };
  if (command.kind === 'registerDeal') return stage === 'won' ? { ok: true } : { ok: false, rule: 'R17' };
  return { ok: false, rule: 'R16' };
}

const cases = TERMINAL_STAGES.flatMap((stage) =>
  oneOfEachCommand().map((command) => ({ stage, kind: command.kind, command, expected: expectedFor(stage, command) })),
);

describe('terminal opportunities', () => {
  it.each(cases)('R16: $kind on a $stage opportunity -> $expected', ({ stage, command, expected }) => {
    const current = deepFrozen(anOpportunityIn(stage));
    const result = transition(current, command, daysAfter(T0, 30));
    if (expected.ok) {
      expect(result.ok).toBe(true);
      expect(result.ok && result.value.opportunity.stage).toBe(stage);
    } else {
      expect(!result.ok && result.error.rule).toBe(expected.rule);
    }
  });

  it.each(TERMINAL_STAGES)('R1, R16: a %s opportunity can be marked and unmarked as favorite, nothing else changes', (stage) => {
    const current = deepFrozen(anOpportunityIn(stage));
    const marked = transition(current, { kind: 'favorite' }, T0);
    if (!marked.ok) throw marked.error;
    expect(marked.value.opportunity).toEqual({ ...current, favorite: true });
    expect(marked.value.events.map((e) => e.type)).toEqual(['favorited']);
    const unmarked = transition(marked.value.opportunity, { kind: 'unfavorite' }, T0);
    expect(unmarked.ok && unmarked.value.opportunity).toEqual(current);
  });

  it('R16: the refusal names the stage field', () => {
    const result = transition(anOpportunityIn('lost'), { kind: 'edit', changes: { notes: 'late' } }, T0);
    expect(!result.ok && result.error.fields).toEqual(['stage']);
    expect(!result.ok && result.error.message).toMatch(/^R16: a lost opportunity is final/);
  });
});
