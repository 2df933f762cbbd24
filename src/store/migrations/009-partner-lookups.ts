/**
 * Partner Center's answers about partners invited to a deal (R8): whether a partner id names a
 * partner Partner Center knows, with its name, kept until `expires_at` so that an invitation
 * does not cost a lookup each time.
 */
import type { Kysely, Migration } from 'kysely';

export const partnerLookupsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('partner_lookups')
      .addColumn('partner_id', 'text', (c) => c.primaryKey())
      .addColumn('known', 'integer', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('checked_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('partner_lookups').ifExists().execute();
  },
};
