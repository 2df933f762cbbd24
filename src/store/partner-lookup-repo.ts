/** Partner Center's answers about partner ids (R8), one row per partner, replaced on each lookup. */
import type { Db, PartnerLookupsTable } from './schema';
import type { PartnerLookup } from './types';

const toLookup = (row: PartnerLookupsTable): PartnerLookup => ({
  partnerId: row.partner_id,
  known: Number(row.known) === 1,
  name: row.name,
  checkedAt: row.checked_at,
  expiresAt: row.expires_at,
});

export async function getPartnerLookup(db: Db, partnerId: string): Promise<PartnerLookup | null> {
  const row = await db.selectFrom('partner_lookups').selectAll().where('partner_id', '=', partnerId).executeTakeFirst();
  return row ? toLookup(row) : null;
}

export async function savePartnerLookup(db: Db, entry: PartnerLookup): Promise<void> {
  const values = { known: entry.known ? 1 : 0, name: entry.name, checked_at: entry.checkedAt, expires_at: entry.expiresAt };
  await db
    .insertInto('partner_lookups')
    .values({ partner_id: entry.partnerId, ...values })
    .onConflict((oc) => oc.column('partner_id').doUpdateSet(values))
    .execute();
}
