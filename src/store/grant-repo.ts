/** Delegated grants and their sealed token caches (src/ports/grant.ts). */
import type { GrantStatus, StoredGrant } from '../ports/grant';
import { iso } from './rows';
import type { Db, GrantsTable } from './schema';

const toGrant = (row: GrantsTable): StoredGrant => ({
  name: row.name,
  grantId: row.grant_id,
  account: row.account,
  cache: row.cache,
  signedInAt: row.signed_in_at,
  updatedAt: row.updated_at,
  status: row.status === 'expired' ? 'expired' : 'active',
  reason: row.reason,
  statusAt: row.status_at,
});

export async function getGrant(db: Db, name: string): Promise<StoredGrant | null> {
  const row = await db.selectFrom('grants').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toGrant(row) : null;
}

export async function listGrants(db: Db): Promise<StoredGrant[]> {
  return (await db.selectFrom('grants').selectAll().orderBy('name').execute()).map(toGrant);
}

export async function saveGrantCache(
  db: Db,
  params: { name: string; grantId: string; account: string | null; cache: string; signedIn: boolean },
  now: Date,
): Promise<boolean> {
  const at = iso(now);
  if (params.signedIn) {
    const row = { grant_id: params.grantId, account: params.account, cache: params.cache, signed_in_at: at, updated_at: at, status: 'active', reason: null, status_at: at };
    await db
      .insertInto('grants')
      .values({ name: params.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row))
      .execute();
    return true;
  }
  const result = await db
    .updateTable('grants')
    .set({ cache: params.cache, updated_at: at })
    .where('name', '=', params.name)
    .where('grant_id', '=', params.grantId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setGrantStatus(db: Db, params: { name: string; grantId: string; status: GrantStatus; reason: string | null }, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('grants')
    .set({ status: params.status, reason: params.reason, status_at: iso(now) })
    .where('name', '=', params.name)
    .where('grant_id', '=', params.grantId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
