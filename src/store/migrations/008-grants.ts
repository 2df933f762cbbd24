/**
 * Delegated grants: one row per grant name (e.g. `partner-center`) holding the sealed MSAL token
 * cache (ciphertext only), who signed in, and whether the grant expired or was revoked, so that
 * `status` and every worker see it.
 */
import type { Kysely, Migration } from 'kysely';

export const grantsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('grants')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('account', 'text')
      .addColumn('cache', 'text', (c) => c.notNull())
      .addColumn('signed_in_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      /** `active` or `expired`. */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('status_at', 'text')
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('grants').ifExists().execute();
  },
};
