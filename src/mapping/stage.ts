/**
 * The stage mapping, both ways. CRM -> co-sell: the first `fromCrm` rule whose conditions all hold
 * gives the wanted stage (the core decides whether it is a legal move). Co-sell -> CRM: the values of
 * `toCrm`, unless the CRM already holds an equivalent stage (same rule), which is then kept.
 */
import type { Stage } from '../core/model';
import { getCrmValue } from './crm-names';
import type { CrmScalar, StageSpec } from './schema';

export interface StageRead {
  wantedStage: Stage | null;
  /** The CRM's decline reason, as the co-sell value (null when empty or not mapped). */
  declineReason: string | null;
  errors: string[];
}

const sameScalar = (a: unknown, b: unknown): boolean =>
  (a === null || a === undefined) && (b === null || b === undefined) ? true : a !== null && a !== undefined && String(a) === String(b);

/** Index of the first rule matching the record, or -1. */
export function matchStageRule(spec: StageSpec, record: Record<string, unknown>): number {
  return spec.fromCrm.findIndex((rule) =>
    Object.entries(rule.when).every(([field, expected]) => {
      const actual = getCrmValue(record, field);
      return Array.isArray(expected) ? expected.some((e) => sameScalar(e, actual)) : sameScalar(expected, actual);
    }),
  );
}

export function readStage(spec: StageSpec, record: Record<string, unknown>): StageRead {
  const errors: string[] = [];
  const reasonField = spec.declineReason?.field;
  const rawReason = reasonField === undefined ? null : getCrmValue(record, reasonField);
  const hasReason = rawReason !== null && rawReason !== undefined && rawReason !== '';
  let declineReason: string | null = null;
  if (hasReason && spec.declineReason !== undefined) {
    const entry = Object.entries(spec.declineReason.values).find(([, crm]) => sameScalar(crm, rawReason));
    if (entry !== undefined) declineReason = entry[0];
    else if (typeof rawReason === 'string') declineReason = rawReason;
    else errors.push(`decline reason ${String(rawReason)} has no entry in stage.declineReason.values`);
  }
  // A partial record (the stage fields not read) asks for no stage.
  if (spec.fields.every((f) => getCrmValue(record, f) === undefined)) return { wantedStage: null, declineReason, errors };
  const index = matchStageRule(spec, record);
  const rule = spec.fromCrm[index];
  if (rule === undefined) {
    const shown = spec.fields.map((f) => `${f}=${String(getCrmValue(record, f) ?? null)}`).join(', ');
    errors.push(`CRM stage (${shown}) matches no stage.fromCrm rule`);
    return { wantedStage: null, declineReason, errors };
  }
  const wantedStage = hasReason && rule.withDeclineReason !== undefined ? rule.withDeclineReason : rule.stage;
  return { wantedStage, declineReason, errors };
}

/** CRM values to write for `stage`; empty when the CRM already holds an equivalent stage. */
export function writeStage(spec: StageSpec, stage: Stage, current: Record<string, unknown> | null | undefined): Record<string, CrmScalar> {
  const target = spec.toCrm[stage];
  if (target === undefined) return {};
  if (current !== null && current !== undefined) {
    const now = matchStageRule(spec, current);
    if (now >= 0 && now === matchStageRule(spec, { ...current, ...target })) return {};
  }
  return { ...target };
}
