/**
 * Table tests of the pure merge planner (architecture.md, sync protocol 2, 3 and 6): every field
 * owner against every kind of change, on open and terminal opportunities, and every stage decision
 * of S1-S3 (cosell-rules.md).
 */
import type { CosellField } from '../../../src/core/fields';
import type { Opportunity, Stage } from '../../../src/core/model';
import type { FieldOwner, FieldPolicy } from '../../../src/sync/merge/fields';
import { crmIsNewer, parseTime } from '../../../src/sync/merge/fields';
import { planMerge, type MergeInput, type MergePlan, type PendingConflict } from '../../../src/sync/merge/plan';
import { aReceivedOpportunity, aTeamMember, anAcceptedInboundOpportunity, anAcceptedOpportunity, anExpiredOpportunity, apply, aDeclinedOpportunity, T0 } from '../core/builders';

const OWNERS: FieldOwner[] = ['crm', 'cosell', 'latest', 'manual'];
const SHOWN_SYNCED = { Sync_Status__c: 'Synced', Sync_Conflict__c: false };
const statusFields = (s: { message: string | null; conflict: boolean }): Record<string, unknown> => ({ Sync_Status__c: s.message, Sync_Conflict__c: s.conflict });

/** The co-sell field change time and the CRM modification time for `latest`. */
const EARLY = '2026-03-02T10:00:00.000Z';
const LATE = '2026-03-03T10:00:00.000Z';

interface Case {
  opp: Opportunity;
  owner: FieldOwner;
  base?: Record<string, unknown>;
  held?: Record<string, unknown>;
  crmNotes: unknown;
  crmStage?: Stage | null;
  declineReason?: string | null;
  terminalConflicts?: 'flag' | 'enforce';
  illegalMoves?: 'accept-then-apply' | 'conflict';
  crmModifiedAt?: string | null;
  cosellChangedAt?: string | null;
  pending?: PendingConflict[];
  fields?: Map<CosellField, FieldPolicy>;
}

function planFor(c: Case): MergePlan {
  const stage = c.crmStage === undefined ? (c.opp.stage === 'received' ? 'received' : c.opp.stage) : c.crmStage;
  const input: MergeInput = {
    externalId: '006000000000001',
    base: c.base ?? { notes: 'base', stage, declineReason: c.opp.declineReason, $status: SHOWN_SYNCED },
    held: c.held ?? {},
    opportunity: c.opp,
    crm: { values: { notes: c.crmNotes }, wantedStage: stage, declineReason: c.declineReason ?? c.opp.declineReason },
    crmStatus: SHOWN_SYNCED,
    fields: c.fields ?? new Map<CosellField, FieldPolicy>([['notes', { direction: 'both', owner: c.owner }]]),
    policy: { terminalConflicts: c.terminalConflicts ?? 'flag', illegalMoves: c.illegalMoves ?? 'accept-then-apply' },
    times: { crmModifiedAt: c.crmModifiedAt ?? LATE, cosellChangedAt: { notes: c.cosellChangedAt ?? EARLY } },
    pending: c.pending ?? [],
    statusFields,
    now: T0,
  };
  return planMerge(input);
}

const withNotes = (opp: Opportunity, notes: string | null): Opportunity => ({ ...opp, notes });
const openDeal = (notes: string | null): Opportunity => withNotes(anAcceptedOpportunity(), notes);
/** A referral the CRM can accept (R12: it names the deal and a team). */
const receivedDeal = (): Opportunity => withNotes(aReceivedOpportunity({ dealName: 'Contoso demo', team: [aTeamMember()] }), 'base');
const wonDeal = (notes: string | null): Opportunity => withNotes(apply(anAcceptedOpportunity(), { kind: 'win', dealRegistration: null }), notes);

/** What the plan does, in short: the commands, the conflicts (kind/rule/outcome/status), base and held notes, push. */
function summary(plan: MergePlan) {
  return {
    commands: plan.steps.flatMap((s) => (s.kind === 'command' ? [s.command.kind === 'edit' ? `edit ${JSON.stringify(s.command.changes)}` : s.command.kind] : [])),
    conflicts: plan.steps.flatMap((s) => (s.kind === 'conflict' ? [`${s.conflict.kind}:${s.conflict.field} ${s.conflict.rule} -> ${s.conflict.outcome} (${s.conflict.status})`] : [])),
    baseNotes: plan.base.notes,
    heldNotes: plan.held.notes,
    notes: plan.opportunity.notes,
    push: plan.push,
  };
}

describe('merge planner: owner x change on an open (accepted) opportunity', () => {
  it.each(OWNERS)('owner %s: a CRM-only change is taken into co-sell, no conflict', (owner) => {
    expect(summary(planFor({ opp: openDeal('base'), owner, crmNotes: 'crm' }))).toEqual({
      commands: ['edit {"notes":"crm"}'], conflicts: [], baseNotes: 'crm', heldNotes: undefined, notes: 'crm', push: false,
    });
  });

  it.each(OWNERS)('owner %s: a co-sell-only change is pushed to the CRM, no conflict', (owner) => {
    expect(summary(planFor({ opp: openDeal('cosell'), owner, crmNotes: 'base' }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'base', heldNotes: undefined, notes: 'cosell', push: true,
    });
  });

  it.each(OWNERS)('owner %s: both sides changed to the same value: agreed, the base moves, nothing written', (owner) => {
    expect(summary(planFor({ opp: openDeal('same'), owner, crmNotes: 'same' }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'same', heldNotes: undefined, notes: 'same', push: false,
    });
  });

  const bothDifferent: Array<[string, Partial<Case>, ReturnType<typeof summary>]> = [
    ['crm', { owner: 'crm' }, { commands: ['edit {"notes":"crm"}'], conflicts: ['field:notes crm -> took-crm (resolved)'], baseNotes: 'crm', heldNotes: undefined, notes: 'crm', push: true }],
    ['cosell', { owner: 'cosell' }, { commands: [], conflicts: ['field:notes cosell -> kept-cosell (resolved)'], baseNotes: 'crm', heldNotes: undefined, notes: 'cosell', push: true }],
    ['latest, CRM modified after the co-sell field changed', { owner: 'latest', crmModifiedAt: LATE, cosellChangedAt: EARLY },
      { commands: ['edit {"notes":"crm"}'], conflicts: ['field:notes latest -> took-crm (resolved)'], baseNotes: 'crm', heldNotes: undefined, notes: 'crm', push: true }],
    ['latest, co-sell field changed after the CRM record', { owner: 'latest', crmModifiedAt: EARLY, cosellChangedAt: LATE },
      { commands: [], conflicts: ['field:notes latest -> kept-cosell (resolved)'], baseNotes: 'crm', heldNotes: undefined, notes: 'cosell', push: true }],
    ['latest, same instant (tie goes to the CRM)', { owner: 'latest', crmModifiedAt: EARLY, cosellChangedAt: EARLY },
      { commands: ['edit {"notes":"crm"}'], conflicts: ['field:notes latest -> took-crm (resolved)'], baseNotes: 'crm', heldNotes: undefined, notes: 'crm', push: true }],
    ['manual', { owner: 'manual' }, { commands: [], conflicts: ['field:notes manual -> pending (pending)'], baseNotes: 'base', heldNotes: 'crm', notes: 'cosell', push: true }],
  ];
  it.each(bothDifferent)('owner %s: both sides changed to different values', (_name, c, expected) => {
    expect(summary(planFor({ opp: openDeal('cosell'), crmNotes: 'crm', owner: 'crm', ...c }))).toEqual(expected);
  });

  it.each(OWNERS)('owner %s: a held field whose CRM value has not moved stays held, and nothing new is recorded', (owner) => {
    expect(summary(planFor({ opp: openDeal('cosell'), owner, crmNotes: 'crm', held: { notes: 'crm' } }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'base', heldNotes: 'crm', notes: 'cosell', push: true,
    });
  });

  it.each(OWNERS)('owner %s: a held field the CRM user set to the co-sell value is released', (owner) => {
    expect(summary(planFor({ opp: openDeal('cosell'), owner, crmNotes: 'cosell', held: { notes: 'crm' } }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'cosell', heldNotes: undefined, notes: 'cosell', push: false,
    });
  });
});

describe('merge planner: owner x change on a terminal (won) opportunity (S1)', () => {
  it.each(OWNERS.flatMap((owner) => (['flag', 'enforce'] as const).map((policy) => [owner, policy] as const)))(
    'owner %s, policy %s: a CRM-only change is a terminal conflict and never reaches co-sell',
    (owner, policy) => {
      const plan = planFor({ opp: wonDeal('base'), owner, crmNotes: 'crm', terminalConflicts: policy });
      expect(summary(plan)).toEqual({
        commands: [], conflicts: [`terminal:notes S1/${policy} -> ${policy === 'flag' ? 'flagged' : 'enforced'} (pending)`],
        baseNotes: policy === 'flag' ? 'base' : 'crm', heldNotes: policy === 'flag' ? 'crm' : undefined, notes: 'base', push: true,
      });
    },
  );

  it.each(OWNERS.flatMap((owner) => (['flag', 'enforce'] as const).map((policy) => [owner, policy] as const)))(
    'owner %s, policy %s: both sides changed to different values: a terminal conflict, co-sell keeps its value',
    (owner, policy) => {
      const plan = planFor({ opp: wonDeal('cosell'), owner, crmNotes: 'crm', terminalConflicts: policy });
      expect(summary(plan)).toEqual({
        commands: [], conflicts: [`terminal:notes S1/${policy} -> ${policy === 'flag' ? 'flagged' : 'enforced'} (pending)`],
        baseNotes: policy === 'flag' ? 'base' : 'crm', heldNotes: policy === 'flag' ? 'crm' : undefined, notes: 'cosell', push: true,
      });
    },
  );

  it.each(OWNERS)('owner %s: a co-sell value the CRM does not show yet is pushed', (owner) => {
    expect(summary(planFor({ opp: wonDeal('cosell'), owner, crmNotes: 'base' }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'base', heldNotes: undefined, notes: 'cosell', push: true,
    });
  });

  it.each(OWNERS)('owner %s: both sides the same: agreed, nothing written', (owner) => {
    expect(summary(planFor({ opp: wonDeal('same'), owner, crmNotes: 'same' }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'same', heldNotes: undefined, notes: 'same', push: false,
    });
  });

  it.each(OWNERS)('owner %s: a held field whose CRM value has not moved records nothing new', (owner) => {
    expect(summary(planFor({ opp: wonDeal('cosell'), owner, crmNotes: 'crm', held: { notes: 'crm' } }))).toEqual({
      commands: [], conflicts: [], baseNotes: 'base', heldNotes: 'crm', notes: 'cosell', push: true,
    });
  });
});

describe('merge planner: a value held before the deal closed (R12, manual)', () => {
  it('enforce: a CRM change of it once the deal is terminal is enforced: the co-sell value is written over it, and nothing stays held', () => {
    const plan = planFor({ opp: wonDeal('cosell'), owner: 'crm', crmNotes: 'crm again', held: { notes: 'crm' }, terminalConflicts: 'enforce' });
    expect(summary(plan)).toMatchObject({ conflicts: ['terminal:notes S1/enforce -> enforced (pending)'], heldNotes: undefined, notes: 'cosell', push: true });
  });
});

describe('merge planner: stage decisions (S1-S3)', () => {
  const stageSummary = (plan: MergePlan) => ({
    ...summary(plan),
    stage: plan.opportunity.stage,
    baseStage: plan.base.stage,
    heldStage: plan.held.stage,
  });
  const base = (stage: Stage | null, declineReason: string | null = null) => ({ notes: 'base', stage, declineReason, $status: SHOWN_SYNCED });

  it.each(['flag', 'enforce'] as const)('S1 (%s): the CRM reopens a won deal: a terminal conflict, the deal stays won', (policy) => {
    const plan = planFor({ opp: wonDeal('base'), owner: 'crm', crmNotes: 'base', crmStage: 'accepted', base: base('won'), terminalConflicts: policy });
    expect(stageSummary(plan)).toMatchObject({
      commands: [], conflicts: [`terminal:stage S1/${policy} -> ${policy === 'flag' ? 'flagged' : 'enforced'} (pending)`], stage: 'won',
      baseStage: policy === 'flag' ? 'won' : 'accepted', heldStage: policy === 'flag' ? 'accepted' : undefined, push: true,
    });
  });

  it.each(['flag', 'enforce'] as const)('S2 (%s): the CRM wins an expired referral: the first outcome stands, the other is kept on the conflict', (policy) => {
    const opp = withNotes(anExpiredOpportunity(), 'base');
    const plan = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'won', base: base('expired'), terminalConflicts: policy });
    expect(stageSummary(plan)).toMatchObject({ commands: [], conflicts: [`terminal-outcome:stage S2/${policy} -> ${policy === 'flag' ? 'flagged' : 'enforced'} (pending)`], stage: 'expired' });
    const conflict = plan.steps.find((s) => s.kind === 'conflict');
    expect(conflict?.kind === 'conflict' && conflict.conflict.crmValue).toBe('won');
  });

  it('S1 flag: a held decline reason the CRM puts back to the co-sell value is released and its pending conflict settled; one still different stays held', () => {
    const opp = wonDeal('base');
    const pending: PendingConflict[] = [{ id: 7, kind: 'terminal', field: 'declineReason', outcome: 'flagged' }];
    const back = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'won', declineReason: null, base: base('won'), held: { declineReason: 'Not a fit' }, pending });
    expect(back.held).toEqual({});
    expect(back.steps).toEqual([{ kind: 'resolve', conflictId: 7, resolution: 'settled: the CRM put declineReason back to the co-sell value' }]);
    const still = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'won', declineReason: 'Not a fit', base: base('won'), held: { declineReason: 'Not a fit' }, pending });
    expect(still.held).toEqual({ declineReason: 'Not a fit' });
    expect(still.steps).toEqual([]);
  });

  it('S2: a CRM close as lost of a declined referral is a terminal-outcome conflict', () => {
    const opp = withNotes(aDeclinedOpportunity(), 'base');
    const plan = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'lost', base: base('declined', opp.declineReason) });
    expect(stageSummary(plan)).toMatchObject({ conflicts: ['terminal-outcome:stage S2/flag -> flagged (pending)'], stage: 'declined', heldStage: 'lost' });
  });

  it('S3 accept-then-apply: a received referral marked won in the CRM is accepted then won', () => {
    const opp = receivedDeal();
    const plan = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'won', base: base('received'), illegalMoves: 'accept-then-apply' });
    expect(stageSummary(plan)).toMatchObject({ commands: ['accept', 'win'], conflicts: [], stage: 'won', baseStage: 'won' });
  });

  it('S3 conflict: a received referral marked won in the CRM is refused, held and recorded', () => {
    const opp = receivedDeal();
    const plan = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'won', base: base('received'), illegalMoves: 'conflict' });
    expect(stageSummary(plan)).toMatchObject({ commands: [], conflicts: ['illegal-transition:stage S3 -> flagged (pending)'], stage: 'received', heldStage: 'won' });
  });

  it('S3 accept-then-apply: an accepted deal declined in the CRM is recorded as lost, with a conflict saying so', () => {
    const plan = planFor({ opp: openDeal('base'), owner: 'crm', crmNotes: 'base', crmStage: 'declined', declineReason: 'Not a fit', base: base('accepted') });
    expect(stageSummary(plan)).toMatchObject({ commands: ['lose'], conflicts: ['illegal-transition:stage S3 -> recorded-as-lost (pending)'], stage: 'lost', baseStage: 'declined' });
  });

  it('S3 conflict: an accepted deal declined in the CRM is refused and held', () => {
    const plan = planFor({ opp: openDeal('base'), owner: 'crm', crmNotes: 'base', crmStage: 'declined', declineReason: 'Not a fit', base: base('accepted'), illegalMoves: 'conflict' });
    expect(stageSummary(plan)).toMatchObject({ commands: [], conflicts: ['illegal-transition:stage S3 -> flagged (pending)'], stage: 'accepted', heldStage: 'declined' });
  });

  it('an accepted deal won in the CRM is won in co-sell', () => {
    const plan = planFor({ opp: openDeal('base'), owner: 'crm', crmNotes: 'base', crmStage: 'won', base: base('accepted') });
    expect(stageSummary(plan)).toMatchObject({ commands: ['win'], conflicts: [], stage: 'won', baseStage: 'won', push: false });
  });

  it('an accepted deal moved back to received in the CRM is refused (R15)', () => {
    const plan = planFor({ opp: withNotes(anAcceptedInboundOpportunity(), 'base'), owner: 'crm', crmNotes: 'base', crmStage: 'received', base: base('accepted') });
    expect(stageSummary(plan)).toMatchObject({ commands: [], conflicts: ['illegal-transition:stage R15 -> flagged (pending)'], heldStage: 'received' });
  });

  it('R12: a received referral accepted in the CRM is accepted with the CRM record id as its CRM ID', () => {
    const opp = receivedDeal();
    const plan = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'accepted', base: base('received') });
    expect(stageSummary(plan)).toMatchObject({ commands: ['accept'], stage: 'accepted', baseStage: 'accepted' });
    expect(plan.opportunity.crmId).toBe('006000000000001');
  });

  it('R12: a CRM edit of a received referral waits for the accept, held and recorded; the accept then applies it and settles the conflict', () => {
    const opp = receivedDeal();
    const waiting = planFor({ opp, owner: 'crm', crmNotes: 'crm', base: base('received') });
    expect(stageSummary(waiting)).toMatchObject({ commands: [], conflicts: ['refused:notes R12 -> deferred-until-accept (pending)'], heldNotes: 'crm', notes: 'base' });
    const accepted = planFor({
      opp, owner: 'crm', crmNotes: 'crm', crmStage: 'accepted', base: waiting.base, held: waiting.held,
      pending: [{ id: 7, kind: 'refused', field: 'notes', outcome: 'deferred-until-accept' }],
    });
    expect(stageSummary(accepted)).toMatchObject({ commands: ['accept'], notes: 'crm', heldNotes: undefined, baseNotes: 'crm', stage: 'accepted' });
    expect(accepted.steps).toContainEqual({ kind: 'resolve', conflictId: 7, resolution: 'applied on accept' });
  });

  it('R12: a referral declined in the CRM with a reason is declined; without one the decline is refused and held', () => {
    const opp = receivedDeal();
    const declined = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'declined', declineReason: 'Not our market', base: base('received') });
    expect(stageSummary(declined)).toMatchObject({ commands: ['decline'], stage: 'declined' });
    const noReason = planFor({ opp, owner: 'crm', crmNotes: 'base', crmStage: 'declined', declineReason: null, base: base('received') });
    expect(stageSummary(noReason)).toMatchObject({ commands: [], conflicts: ['illegal-transition:stage R12 -> flagged (pending)'], heldStage: 'declined' });
  });

  it('a stage move that went through after an earlier refusal settles the refusal', () => {
    const plan = planFor({
      opp: openDeal('base'), owner: 'crm', crmNotes: 'base', crmStage: 'won', base: base('accepted'), held: { stage: 'received' },
      pending: [{ id: 3, kind: 'illegal-transition', field: 'stage', outcome: 'flagged' }],
    });
    expect(stageSummary(plan)).toMatchObject({ commands: ['win'], heldStage: undefined });
    expect(plan.steps).toContainEqual({ kind: 'resolve', conflictId: 3, resolution: 'applied: won' });
  });
});

describe('merge planner: field equality and change times', () => {
  it('a field policy`s `equivalent` decides "unchanged": a CRM value equivalent to the base is no edit', () => {
    const money = (amount: number) => ({ amount, currency: 'USD' });
    const rounded = (a: unknown, b: unknown) => Math.round((a as { amount: number }).amount) === Math.round((b as { amount: number }).amount);
    const opp = { ...anAcceptedOpportunity(), estimatedValue: money(100.4) };
    const fields = new Map<CosellField, FieldPolicy>([['estimatedValue', { direction: 'both', owner: 'crm', equivalent: rounded }]]);
    const input = (crm: number, baseAmount: number): MergeInput => ({
      externalId: 'x', base: { estimatedValue: money(baseAmount), stage: 'accepted', $status: SHOWN_SYNCED }, held: {}, opportunity: opp,
      crm: { values: { estimatedValue: money(crm) }, wantedStage: 'accepted', declineReason: null }, crmStatus: SHOWN_SYNCED,
      fields, policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' }, times: { crmModifiedAt: null, cosellChangedAt: {} },
      pending: [], statusFields, now: T0,
    });
    expect(planMerge(input(100, 100.4)).decisions).toEqual([]);
    expect(planMerge(input(100, 100)).decisions).toEqual([]);
    expect(planMerge({ ...input(250, 100), fields: new Map([['estimatedValue', { direction: 'both', owner: 'crm' }]]) }).decisions).toEqual([
      { field: 'estimatedValue', action: 'take-crm', value: money(250), conflict: true, rule: 'crm' },
    ]);
  });

  it('a Dataverse version number is not a time: `latest` never reads it as a date', () => {
    expect(parseTime('1008')).toBeNull();
    expect(parseTime('3108')).toBeNull();
    expect(parseTime('W/"1008"')).toBeNull();
    expect(parseTime('2026-03-03T10:00:00Z')).toBe(Date.parse('2026-03-03T10:00:00Z'));
    expect(parseTime('2026-03-03T10:00:00.000+0000')).toBe(Date.parse('2026-03-03T10:00:00Z'));
  });

  it('latest: the CRM wins at or after the co-sell field`s change, loses before it; an unknown time goes to the CRM', () => {
    const times = (crm: string | null, cosell: string | null) => ({ crmModifiedAt: crm, cosellChangedAt: { notes: cosell } });
    expect(crmIsNewer(times(LATE, EARLY), 'notes')).toBe(true);
    expect(crmIsNewer(times(EARLY, LATE), 'notes')).toBe(false);
    expect(crmIsNewer(times(EARLY, EARLY), 'notes')).toBe(true);
    expect(crmIsNewer(times(null, LATE), 'notes')).toBe(true);
    expect(crmIsNewer(times('1008', LATE), 'notes')).toBe(true);
  });
});
