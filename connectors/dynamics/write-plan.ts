/**
 * Turns one write operation into the requests of its `$batch` unit:
 *  - create: upsert on the alternate key, `PATCH opportunities(cosell_cosellid='<key>')`, so a
 *    replayed create updates the row it made instead of duplicating it ("Upsert a table row");
 *  - update: `PATCH opportunities(<id>)` with `If-Match: W/"<version>"` (or `*`, which keeps the
 *    upsert from re-creating a deleted row); a 412 means someone changed the row since it was read;
 *  - statecode 1/2 (Won/Lost): reopen (statecode 0, guarded by If-Match), the column PATCH if any,
 *    then WinOpportunity / LoseOpportunity with an opportunityclose: Dataverse refuses closing an
 *    opportunity through a statecode update, and a closed row is read-only, so reopening first
 *    makes Won->Lost and a close after edits work too;
 *  - statecode 0: the same reopen PATCH (a no-op on an open row) before the columns, because a
 *    closed row accepts a statecode 0/statuscode 1 PATCH alone and nothing else until reopened;
 *  - a statuscode without a statecode implies its state (1, 2 open; 3 won; 4, 5 lost).
 * Several requests go in one changeset, so they apply all or nothing.
 */
import type { WriteOperation } from '../../src/ports/connector';
import type { BatchRequest, BatchUnit } from './batch';
import { toWriteBody, type WriteBodyContext } from './fields';
import { identifier, quote } from './odata';
import { OPPORTUNITY_KEY } from './options';

export interface PlanContext extends WriteBodyContext {
  entitySet: string;
  alternateKey: string;
}

const RETURN_VERSION = { Prefer: 'return=representation' };
const CLOSE_ACTIONS: Record<number, { action: string; defaultStatus: number; subject: string }> = {
  1: { action: 'WinOpportunity', defaultStatus: 3, subject: 'Won' },
  2: { action: 'LoseOpportunity', defaultStatus: 4, subject: 'Lost' },
};

/** Default statecode of each standard opportunity statuscode. */
const STATE_OF_STATUS: Record<number, number> = { 1: 0, 2: 0, 3: 1, 4: 2, 5: 2 };

export interface Plan {
  unit: BatchUnit;
  /** The unit ends with an action that returns no row, so the final version is unknown. */
  closes: boolean;
}

export function alternateKeyPath(ctx: PlanContext, key: string): string {
  return `${ctx.entitySet}(${identifier(ctx.alternateKey)}=${encodeURIComponent(quote(key))})`;
}

function closeRequest(ctx: PlanContext, state: number, fields: Record<string, unknown>, target: string): BatchRequest | null {
  const close = CLOSE_ACTIONS[state];
  if (!close) return null;
  const opportunityClose: Record<string, unknown> = { subject: close.subject, 'opportunityid@odata.bind': `/${target}` };
  const revenue = fields.actualvalue ?? fields.estimatedvalue;
  if (typeof revenue === 'number') opportunityClose.actualrevenue = revenue;
  if (typeof fields.actualclosedate === 'string') opportunityClose.actualend = fields.actualclosedate;
  const status = typeof fields.statuscode === 'number' ? fields.statuscode : close.defaultStatus;
  return { method: 'POST', url: close.action, headers: {}, body: { Status: status, OpportunityClose: opportunityClose } };
}

export function planWrite(op: WriteOperation, ctx: PlanContext): Plan {
  const select = `?$select=${OPPORTUNITY_KEY},versionnumber`;
  const body = toWriteBody(op.fields, ctx);
  const status = typeof op.fields.statuscode === 'number' ? op.fields.statuscode : null;
  const state = typeof op.fields.statecode === 'number' ? op.fields.statecode : status === null ? null : (STATE_OF_STATUS[status] ?? null);
  if (op.kind === 'create') {
    // An open row may be created with its status reason (e.g. 2 On Hold); closing needs the action.
    if (status !== null && (state === null || state === 0)) body.statuscode = status;
    const target = alternateKeyPath(ctx, op.externalKey);
    const upsert: BatchRequest = { method: 'PATCH', url: `${target}${select}`, headers: RETURN_VERSION, body };
    const close = state === null ? null : closeRequest(ctx, state, op.fields, target);
    return { unit: { requests: close ? [upsert, close] : [upsert] }, closes: close !== null };
  }
  const target = `${ctx.entitySet}(${op.id})`;
  const guard = { 'If-Match': op.expectedVersion === null ? '*' : `W/"${op.expectedVersion}"` };
  const hasColumns = Object.keys(body).length > 0;
  if (state === null) {
    // A status reason of an unknown (custom) state: sent as is, Dataverse checks it.
    if (status !== null) body.statuscode = status;
    return { unit: { requests: [{ method: 'PATCH', url: `${target}${select}`, headers: { ...guard, ...RETURN_VERSION }, body }] }, closes: false };
  }
  const close = closeRequest(ctx, state, op.fields, target);
  const reopenBody: Record<string, unknown> = { statecode: 0 };
  if (!close && typeof op.fields.statuscode === 'number') reopenBody.statuscode = op.fields.statuscode;
  const last = !hasColumns && !close;
  const requests: BatchRequest[] = [
    { method: 'PATCH', url: last ? `${target}${select}` : target, headers: last ? { ...guard, ...RETURN_VERSION } : guard, body: reopenBody },
  ];
  if (hasColumns) {
    requests.push({
      method: 'PATCH',
      url: close ? target : `${target}${select}`,
      headers: close ? { 'If-Match': '*' } : { 'If-Match': '*', ...RETURN_VERSION },
      body,
    });
  }
  if (close) requests.push(close);
  return { unit: { requests }, closes: close !== null };
}
