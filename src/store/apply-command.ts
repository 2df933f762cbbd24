/**
 * applyCommand: read, run the core transition, write with optimistic concurrency. Must run inside a
 * transaction (the caller opens it): the row update and its event row commit together or not at all.
 */
import { sql } from 'kysely';
import { transition, type Command, type Opportunity, type OpportunityId } from '../core';
import { StaleVersionError, StateError } from '../errors';
import { iso, isUniqueViolation, opportunityColumns, toJson, toStoredOpportunity } from './rows';
import type { Db, Dialect, OpportunityEventsTable } from './schema';
import type { ChangeSource, StoredOpportunity } from './types';

export interface ApplyParams {
  id: OpportunityId;
  command: Command;
  source: ChangeSource;
  now: Date;
  expectedVersion?: number;
  details?: Record<string, unknown>;
}

export const isCreate = (command: Command): command is Extract<Command, { id: OpportunityId }> =>
  command.kind === 'createOutbound' || command.kind === 'receiveInbound';

function stale(id: string, expected: number, actual: number): StaleVersionError {
  return new StaleVersionError({ entity: 'opportunity', id, expected, actual });
}

async function currentVersion(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('opportunities').select('version').where('id', '=', id).executeTakeFirst();
  return row === undefined ? 0 : Number(row.version);
}

type EventParams = ApplyParams & {
  version: number;
  before: Opportunity | null;
  after: Opportunity;
  eventTypes: string[];
  /** `before` and `after` as JSON when the caller already has them (the opportunity rows' own text). */
  json?: { before?: string; after?: string };
};

/** The event row of one applied command. */
export function eventRow(params: EventParams): Omit<OpportunityEventsTable, 'seq'> {
  return {
    opportunity_id: params.id,
    version: params.version,
    kind: isCreate(params.command) ? 'created' : params.command.kind,
    source_kind: params.source.kind,
    source_name: params.source.name,
    at: iso(params.now),
    before: params.before === null ? null : (params.json?.before ?? toJson(params.before)),
    after: params.json?.after ?? toJson(params.after),
    details: toJson({ ...params.details, events: params.eventTypes }),
  };
}

async function appendEvent(db: Db, params: EventParams): Promise<void> {
  await db.insertInto('opportunity_events').values(eventRow(params)).execute();
}

async function insertNew(db: Db, params: ApplyParams, opportunity: Opportunity): Promise<void> {
  try {
    await db
      .insertInto('opportunities')
      .values({ id: params.id, version: 1, updated_at: iso(params.now), ...opportunityColumns(opportunity) })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StateError(`opportunity ${params.id} already exists`, error);
    throw error;
  }
}

async function updateExisting(db: Db, params: ApplyParams, opportunity: Opportunity, fromVersion: number): Promise<void> {
  // The version guard is the concurrency control: a writer that read an older version updates no row.
  const result = await db
    .updateTable('opportunities')
    .set({ ...opportunityColumns(opportunity), version: fromVersion + 1, updated_at: iso(params.now) })
    .where('id', '=', params.id)
    .where('version', '=', fromVersion)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw stale(params.id, fromVersion, await currentVersion(db, params.id));
}

/**
 * PostgreSQL hands out `seq` values at insert but transactions commit in any order, so a reader of
 * the change feed (eventsSince) could pass a seq whose transaction commits later and miss it. One
 * transaction-scoped advisory lock per schema makes event writers commit in seq order. It is taken
 * first, before any row lock, so that it cannot deadlock with the version guard. SQLite has one
 * writer at a time anyway.
 */
export async function lockEventFeed(db: Db, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.opportunity_events'))`.execute(db);
}

/** What a command makes of the stored opportunity (null: it changes nothing, nothing is written). Throws what the core refuses. */
export function planCommand(stored: StoredOpportunity | null, params: ApplyParams): { opportunity: Opportunity; eventTypes: string[] } | null {
  const { id, command } = params;
  if (isCreate(command) && command.id !== id) throw new StateError(`command id ${command.id} does not match ${id}`);
  if (stored !== null && isCreate(command)) throw new StateError(`opportunity ${id} already exists`);
  if (stored === null && !isCreate(command)) throw new StateError(`opportunity ${id} not found`);
  const version = stored?.version ?? 0;
  if (params.expectedVersion !== undefined && params.expectedVersion !== version) {
    throw stale(id, params.expectedVersion, version);
  }
  const result = transition(stored?.opportunity ?? null, command, params.now);
  if (!result.ok) throw result.error;
  const { opportunity, events } = result.value;
  // A command that changes nothing (favorite on a favorite) writes nothing and keeps the version.
  if (stored !== null && events.length === 0 && toJson(opportunity) === toJson(stored.opportunity)) return null;
  return { opportunity, eventTypes: events.map((event) => event.type) };
}

export async function applyCommandIn(db: Db, params: ApplyParams, dialect: Dialect): Promise<StoredOpportunity> {
  const { id, command } = params;
  if (isCreate(command) && command.id !== id) throw new StateError(`command id ${command.id} does not match ${id}`);
  await lockEventFeed(db, dialect);
  const row = await db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirst();
  const stored = row === undefined ? null : toStoredOpportunity(row);
  const planned = planCommand(stored, params);
  if (planned === null && stored !== null) return stored;
  if (planned === null) throw new StateError(`opportunity ${id} not found`);
  const { opportunity, eventTypes } = planned;
  const version = stored?.version ?? 0;
  if (stored === null) await insertNew(db, params, opportunity);
  else await updateExisting(db, params, opportunity, version);
  await appendEvent(db, { ...params, version: version + 1, before: stored?.opportunity ?? null, after: opportunity, eventTypes, json: row === undefined ? {} : { before: row.data } });
  return { opportunity, version: version + 1, updatedAt: iso(params.now) };
}
