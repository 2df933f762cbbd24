/** Links (CRM record <-> opportunity, with the agreed base) and per-connector pull cursors. */
import { sql } from 'kysely';
import type { OpportunityId } from '../core';
import { fromJson, iso, toJson } from './rows';
import type { Db, LinksTable } from './schema';
import type { CursorState, Link, LinkVersion } from './types';

function toLink(row: LinksTable): Link {
  return {
    connector: row.connector,
    externalId: row.external_id,
    opportunityId: row.opportunity_id as OpportunityId,
    base: fromJson<Record<string, unknown>>(row.base),
    crmVersion: row.crm_version,
    opportunityVersion: Number(row.opportunity_version),
    held: fromJson<Record<string, unknown>>(row.held),
    syncedAt: row.synced_at,
  };
}

export async function getLink(db: Db, connector: string, externalId: string): Promise<Link | null> {
  const row = await db
    .selectFrom('links')
    .selectAll()
    .where('connector', '=', connector)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return row === undefined ? null : toLink(row);
}

export async function getLinkByOpportunity(db: Db, connector: string, opportunityId: OpportunityId): Promise<Link | null> {
  const row = await db
    .selectFrom('links')
    .selectAll()
    .where('connector', '=', connector)
    .where('opportunity_id', '=', opportunityId)
    .executeTakeFirst();
  return row === undefined ? null : toLink(row);
}

export async function listLinks(db: Db, filter: { connector?: string; opportunityId?: OpportunityId }): Promise<Link[]> {
  let query = db.selectFrom('links').selectAll();
  if (filter.connector !== undefined) query = query.where('connector', '=', filter.connector);
  if (filter.opportunityId !== undefined) query = query.where('opportunity_id', '=', filter.opportunityId);
  const rows = await query.orderBy('connector').orderBy('external_id').execute();
  return rows.map(toLink);
}

/** The CRM record ids a connector has links for, without their bases (a full pass's check for missing records). */
export async function listLinkedIds(db: Db, connector: string): Promise<string[]> {
  const rows = await db.selectFrom('links').select('external_id').where('connector', '=', connector).orderBy('external_id').execute();
  return rows.map((row) => row.external_id);
}

/** Insert or replace by (connector, external id). Linking a second record to the same opportunity fails (unique). */
export async function saveLink(db: Db, link: Link): Promise<void> {
  const values = {
    opportunity_id: link.opportunityId,
    base: toJson(link.base),
    crm_version: link.crmVersion,
    opportunity_version: link.opportunityVersion,
    held: toJson(link.held),
    synced_at: iso(link.syncedAt),
  };
  await db
    .insertInto('links')
    .values({ connector: link.connector, external_id: link.externalId, ...values })
    .onConflict((oc) => oc.columns(['connector', 'external_id']).doUpdateSet(values))
    .execute();
}

export async function deleteLink(db: Db, connector: string, externalId: string): Promise<void> {
  await db.deleteFrom('links').where('connector', '=', connector).where('external_id', '=', externalId).execute();
}

export async function getCursor(db: Db, connector: string): Promise<CursorState | null> {
  const row = await db.selectFrom('cursors').selectAll().where('connector', '=', connector).executeTakeFirst();
  return row === undefined ? null : { connector: row.connector, cursor: row.cursor, updatedAt: row.updated_at };
}

export async function setCursor(db: Db, connector: string, cursor: string | null, now: Date): Promise<void> {
  const values = { cursor, updated_at: iso(now) };
  await db
    .insertInto('cursors')
    .values({ connector, ...values })
    .onConflict((oc) => oc.column('connector').doUpdateSet(values))
    .execute();
}

/** Rows written per multi-row statement (well under SQLite's and PostgreSQL's bound-parameter limits). */
export const ROWS_PER_STATEMENT = 500;

export function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The links of one connector whose `column` is one of `values`, in one statement per chunk of values. */
async function linksWhereIn(db: Db, connector: string, column: 'external_id' | 'opportunity_id', values: readonly string[]): Promise<Link[]> {
  const out: Link[] = [];
  for (const part of chunks(values)) {
    const rows = await db.selectFrom('links').selectAll().where('connector', '=', connector).where(column, 'in', part).execute();
    out.push(...rows.map(toLink));
  }
  return out;
}

/** The links of these CRM records of one connector. */
export const linksByExternalIds = (db: Db, connector: string, externalIds: readonly string[]): Promise<Link[]> => linksWhereIn(db, connector, 'external_id', externalIds);

/** The links of these opportunities on one connector. */
export const linksByOpportunityIds = (db: Db, connector: string, opportunityIds: readonly string[]): Promise<Link[]> => linksWhereIn(db, connector, 'opportunity_id', opportunityIds);

/** saveLink for many links: one multi-row upsert per chunk. A (connector, external id) must appear once. */
export async function saveLinks(db: Db, links: readonly Link[]): Promise<void> {
  for (const part of chunks(links)) {
    await db
      .insertInto('links')
      .values(part.map((link) => ({
        connector: link.connector,
        external_id: link.externalId,
        opportunity_id: link.opportunityId,
        base: toJson(link.base),
        crm_version: link.crmVersion,
        opportunity_version: link.opportunityVersion,
        held: toJson(link.held),
        synced_at: iso(link.syncedAt),
      })))
      .onConflict((oc) =>
        oc.columns(['connector', 'external_id']).doUpdateSet({
          opportunity_id: sql`excluded.opportunity_id`,
          base: sql`excluded.base`,
          crm_version: sql`excluded.crm_version`,
          opportunity_version: sql`excluded.opportunity_version`,
          held: sql`excluded.held`,
          synced_at: sql`excluded.synced_at`,
        }),
      )
      .execute();
  }
}

/**
 * The CRM versions of existing links, bases untouched: one UPDATE ... FROM (VALUES ...) per chunk
 * (SQLite 3.33+ and PostgreSQL name a VALUES list's columns column1, column2, ...).
 */
export async function setLinkVersions(db: Db, versions: readonly LinkVersion[]): Promise<void> {
  for (const part of chunks(versions)) {
    const rows = sql.join(part.map((v) => sql`(${v.connector}, ${v.externalId}, ${v.crmVersion}, ${iso(v.syncedAt)})`));
    await sql`UPDATE links SET crm_version = v.column3, synced_at = v.column4 FROM (VALUES ${rows}) AS v
      WHERE links.connector = v.column1 AND links.external_id = v.column2`.execute(db);
  }
}
