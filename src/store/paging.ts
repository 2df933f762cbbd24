/**
 * listOpportunities: views, filters and keyset paging on (created_at, id). The cursor is the
 * position of the last row returned, so rows inserted while a client pages never shift a page
 * (no duplicates, no misses), unlike OFFSET paging.
 */
import { sql } from 'kysely';
import { TERMINAL_STAGES, type Stage } from '../core';
import { StateError } from '../errors';
import { toStoredOpportunity } from './rows';
import type { Db } from './schema';
import type { OpportunityFilter, OpportunityView, Page, StoredOpportunity } from './types';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const TERMINAL: Stage[] = [...TERMINAL_STAGES];

interface Position {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the typed error below
  }
  throw new StateError('invalid page cursor');
}

/** `%`, `_` and the escape character itself match literally in a search. */
const likePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type Query = ReturnType<typeof baseQuery>;
const baseQuery = (db: Db) => db.selectFrom('opportunities').selectAll();

function applyView(query: Query, view: OpportunityView): Query {
  switch (view) {
    case 'inbound':
      return query.where('direction', '=', 'inbound').where('stage', 'not in', TERMINAL);
    case 'outbound':
      return query.where('direction', '=', 'outbound').where('stage', 'not in', TERMINAL);
    case 'favorites':
      return query.where('favorite', '=', 1);
    case 'archived':
      return query.where('stage', 'in', TERMINAL);
    case 'active':
      return query.where('stage', 'not in', TERMINAL);
    case 'all':
      return query;
  }
}

function applyFilters(query: Query, filter: OpportunityFilter): Query {
  let q = applyView(query, filter.view ?? 'all');
  if (filter.stage !== undefined) q = filter.stage.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('stage', 'in', filter.stage);
  if (filter.type !== undefined) q = filter.type.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('type', 'in', filter.type);
  if (filter.direction !== undefined) q = q.where('direction', '=', filter.direction);
  if (filter.search !== undefined && filter.search.trim() !== '') {
    const pattern = likePattern(filter.search.trim());
    q = q.where(sql<boolean>`(lower(deal_name) like ${pattern} escape '\\' or lower(customer_name) like ${pattern} escape '\\')`);
  }
  if (filter.cursor !== undefined && filter.cursor !== null) {
    const after = decodeCursor(filter.cursor);
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
    );
  }
  return q;
}

export async function listOpportunities(db: Db, filter: OpportunityFilter): Promise<Page<StoredOpportunity>> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const rows = await applyFilters(baseQuery(db), filter)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null;
  return { items: pageRows.map(toStoredOpportunity), nextCursor };
}
