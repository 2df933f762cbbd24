/**
 * Opportunity state rules (Dataverse opportunity table): statecode is not set on create; a Won or
 * Lost row is read-only until reopened; reopening is a PATCH of statecode 0 (statuscode 1 by
 * default) and nothing else; closing goes through WinOpportunity / LoseOpportunity.
 */
import { CODES, fail, type SimContext } from './context';
import type { TableDef } from './schema';
import type { Row } from './store';

const STATE_COLUMNS = new Set(['statecode', 'statuscode']);
const STATUS_STATE: Record<number, number> = { 1: 0, 2: 0, 3: 1, 4: 2, 5: 2 };
const DEFAULT_STATUS: Record<number, number> = { 0: 1, 1: 3, 2: 4 };

export function applyStateRules(def: TableDef, values: Row, existing: Row | undefined): Row {
  if (def.logicalName !== 'opportunity') return values;
  const out = { ...values };
  if (!existing) {
    delete out.statecode;
    out.statecode = 0;
    out.statuscode = typeof values.statuscode === 'number' && STATUS_STATE[values.statuscode] === 0 ? values.statuscode : 1;
    return out;
  }
  const closed = existing.statecode === 1 || existing.statecode === 2;
  const touchesOthers = Object.keys(values).some((k) => !STATE_COLUMNS.has(k));
  const reopening = closed && values.statecode === 0;
  if (closed && !reopening && Object.keys(values).length > 0) {
    throw fail(400, CODES.invalidArgument, 'The opportunity is closed (Won or Lost) and cannot be edited. Reopen it (statecode 0) first.');
  }
  if (reopening && touchesOthers) {
    throw fail(400, CODES.invalidArgument, 'Reopen the opportunity (statecode 0) on its own before changing other columns.');
  }
  if (!closed && 'statecode' in values && values.statecode !== 0) {
    throw fail(400, CODES.invalidArgument, 'Use the WinOpportunity or LoseOpportunity message to close an opportunity.');
  }
  const state = typeof out.statecode === 'number' ? out.statecode : Number(existing.statecode ?? 0);
  if ('statecode' in values && !('statuscode' in values)) out.statuscode = DEFAULT_STATUS[state] ?? 1;
  if (typeof out.statuscode === 'number' && STATUS_STATE[out.statuscode] !== state) {
    throw fail(400, CODES.validation, `A validation error occurred. statuscode ${out.statuscode} is not valid for statecode ${state}.`);
  }
  return out;
}

/** Admin-configured rules: a matching record is refused the way a plug-in refuses it. */
export function applyValidationRules(ctx: SimContext, def: TableDef, merged: Row): void {
  if (def.logicalName !== 'opportunity') return;
  for (const rule of ctx.rules) {
    if (merged[rule.field] === rule.equals) throw fail(400, rule.code, rule.message);
  }
}

export function checkRequired(def: TableDef, merged: Row): void {
  for (const attr of def.attributes) {
    if (!attr.required) continue;
    const v = merged[attr.logicalName];
    if (v === undefined || v === null || v === '') {
      throw fail(400, CODES.validation, `A validation error occurred. A value for the required attribute '${attr.logicalName}' was not provided.`);
    }
  }
}
