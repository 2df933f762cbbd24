/**
 * WinOpportunity / LoseOpportunity (Dataverse Web API actions): create the opportunityclose
 * activity, then set the opportunity's statecode/statuscode (and actual value / close date).
 */
import { CODES, fail, noContent, type SimContext, type SimRequest, type SimResponse } from './context';
import { valuesFromBody } from './records';
import { tableBySet } from './schema';

const ACTIONS: Record<string, { state: number; statuses: number[]; fallback: number }> = {
  WinOpportunity: { state: 1, statuses: [3], fallback: 3 },
  LoseOpportunity: { state: 2, statuses: [4, 5], fallback: 4 },
};

export function handleAction(ctx: SimContext, req: SimRequest): SimResponse | null {
  const action = ACTIONS[req.path];
  if (!action || req.method !== 'POST') return null;
  let body: { Status?: unknown; OpportunityClose?: unknown };
  try {
    body = JSON.parse(req.body) as typeof body;
  } catch {
    throw fail(400, CODES.invalidArgument, 'The request body is not valid JSON.');
  }
  const status = body.Status === -1 || body.Status === undefined ? action.fallback : body.Status;
  if (typeof status !== 'number' || !action.statuses.includes(status)) {
    throw fail(400, CODES.invalidArgument, `${String(status)} is not a valid status code for state code ${action.state} on opportunity.`);
  }
  const close = body.OpportunityClose;
  const closeDef = tableBySet('opportunitycloses');
  if (close === null || typeof close !== 'object' || !closeDef) throw fail(400, CODES.invalidArgument, 'OpportunityClose is required.');
  const closeValues = valuesFromBody(ctx, closeDef, close as Record<string, unknown>, true);
  const oppId = closeValues._opportunityid_value;
  const opp = typeof oppId === 'string' ? ctx.store.table('opportunities')?.rows.get(oppId) : undefined;
  if (!opp) throw fail(400, CODES.invalidArgument, 'OpportunityClose must reference an existing opportunity through opportunityid@odata.bind.');
  if (opp.statecode !== 0) throw fail(400, CODES.invalidArgument, 'The opportunity is already closed.');
  return ctx.store.atomically(() => {
    ctx.store.write('opportunitycloses', closeValues);
    const update: Record<string, unknown> = { statecode: action.state, statuscode: status };
    if (typeof closeValues.actualrevenue === 'number') update.actualvalue = closeValues.actualrevenue;
    update.actualclosedate = typeof closeValues.actualend === 'string' ? closeValues.actualend : ctx.now().toISOString().slice(0, 10);
    ctx.store.write('opportunities', update, opp);
    return noContent();
  });
}
