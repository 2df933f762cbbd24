/**
 * Opportunity operations shared by the CLI and the admin API. Every change goes through
 * `store.applyCommand`, so the core decides and the event log records who asked.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from '../../core/commands';
import type { Clock } from '../../core/clock';
import { DIRECTIONS, OPPORTUNITY_TYPES, STAGES, asOpportunityId, type Stage, type OpportunityType } from '../../core/model';
import type { ChangeSource, OpportunityEvent, OpportunityFilter, OpportunityView, Page, StateStore, StoredOpportunity } from '../../store/types';
import { requireKnownPartners, type PartnerCheck } from '../../partner-center/partner-check';
import { InputError, NotFoundError } from './errors';
import { inboundSchema, outboundSchema, parseInput } from './input-schemas';

export interface OperationContext {
  store: StateStore;
  clock: Clock;
  source: ChangeSource;
  /**
   * R8 partner lookup, when Partner Center is configured: an invitation of a partner it does not
   * know is refused; one it cannot answer for goes ahead and is checked again before it is sent.
   */
  partners?: PartnerCheck;
}

const VIEWS = ['all', 'inbound', 'outbound', 'favorites', 'archived', 'active'] as const satisfies readonly OpportunityView[];

/** Raw list parameters (CLI flags or query string), all strings. */
export interface ListParams {
  view?: string | undefined;
  stage?: string | readonly string[] | undefined;
  type?: string | readonly string[] | undefined;
  direction?: string | undefined;
  search?: string | undefined;
  limit?: string | number | undefined;
  cursor?: string | undefined;
}

function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? [value] : [...value];
  return parts.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}

function oneOf<T extends string>(list: readonly T[], values: string[], path: string): T[] {
  const bad = values.filter((v) => !(list as readonly string[]).includes(v));
  if (bad.length > 0) throw new InputError('list filter', [{ path, message: `unknown ${path} ${bad.join(', ')}; expected one of ${list.join(', ')}` }]);
  return values as T[];
}

export function toFilter(params: ListParams): OpportunityFilter {
  const filter: OpportunityFilter = {};
  if (params.view !== undefined) filter.view = oneOf(VIEWS, [params.view], 'view')[0] ?? 'all';
  const stages = oneOf<Stage>(STAGES, splitList(params.stage), 'stage');
  if (stages.length > 0) filter.stage = stages;
  const types = oneOf<OpportunityType>(OPPORTUNITY_TYPES, splitList(params.type), 'type');
  if (types.length > 0) filter.type = types;
  if (params.direction !== undefined) filter.direction = oneOf(DIRECTIONS, [params.direction], 'direction')[0] ?? 'inbound';
  if (params.search !== undefined && params.search !== '') filter.search = params.search;
  if (params.cursor !== undefined && params.cursor !== '') filter.cursor = params.cursor;
  if (params.limit !== undefined) {
    const limit = Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new InputError('list filter', [{ path: 'limit', message: 'expected a whole number from 1 to 500' }]);
    }
    filter.limit = limit;
  }
  return filter;
}

export function listOpportunities(ctx: OperationContext, params: ListParams): Promise<Page<StoredOpportunity>> {
  return ctx.store.listOpportunities(toFilter(params));
}

export async function getOpportunity(ctx: OperationContext, id: string): Promise<StoredOpportunity> {
  const stored = await ctx.store.getOpportunity(asOpportunityId(id));
  if (stored === null) throw new NotFoundError('opportunity', id);
  return stored;
}

export async function showOpportunity(ctx: OperationContext, id: string): Promise<{ stored: StoredOpportunity; events: OpportunityEvent[] }> {
  const stored = await getOpportunity(ctx, id);
  return { stored, events: await ctx.store.listEvents(stored.opportunity.id) };
}

/** Runs one command on an existing opportunity (404 first, then the core's verdict). */
export async function runCommand(
  ctx: OperationContext,
  params: { id: string; command: Command; expectedVersion?: number | undefined },
): Promise<StoredOpportunity> {
  const stored = await getOpportunity(ctx, params.id);
  if (ctx.partners && params.command.kind === 'invitePartner' && params.command.invitation.invitee.kind === 'partner') {
    await requireKnownPartners(ctx.partners, [params.command.invitation.invitee.partnerId]);
  }
  return ctx.store.applyCommand({
    id: stored.opportunity.id,
    command: params.command,
    source: ctx.source,
    now: ctx.clock.now(),
    ...(params.expectedVersion === undefined ? {} : { expectedVersion: params.expectedVersion }),
  });
}

/** A new outbound opportunity from a JSON document (shape checked here, rules by the core). */
export async function createOutbound(ctx: OperationContext, json: unknown): Promise<StoredOpportunity> {
  const { id, ...input } = parseInput(outboundSchema, json, 'outbound opportunity');
  const oppId = asOpportunityId(id ?? randomUUID());
  if (ctx.partners) {
    await requireKnownPartners(ctx.partners, input.partnerInvitations.flatMap((i) => (i.invitee.kind === 'partner' ? [i.invitee.partnerId] : [])));
  }
  return ctx.store.applyCommand({ id: oppId, command: { kind: 'createOutbound', id: oppId, input }, source: ctx.source, now: ctx.clock.now() });
}

/** A referral received from Microsoft or a partner. */
export function receiveInbound(ctx: OperationContext, json: unknown): Promise<StoredOpportunity> {
  const { id, receivedAt, ...input } = parseInput(inboundSchema, json, 'inbound referral');
  const oppId = asOpportunityId(id ?? randomUUID());
  const now = ctx.clock.now();
  // R13: an imported referral keeps the time it was received on the sender's side.
  const received = receivedAt === undefined ? now : new Date(receivedAt);
  if (received.getTime() > now.getTime()) {
    throw new InputError('inbound referral', [{ path: 'receivedAt', message: `${receivedAt ?? ''} is in the future` }]);
  }
  return ctx.store.applyCommand({ id: oppId, command: { kind: 'receiveInbound', id: oppId, input }, source: ctx.source, now: received });
}
