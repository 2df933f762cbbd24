/**
 * Notifications sent once: one row per (kind, subject, recipient). A worker claims a row before it
 * sends (the primary key makes the claim exclusive across processes) and marks it sent after; a
 * failed send releases the claim with the error so a later tick tries again.
 */
import type { Kysely, Migration } from 'kysely';

export const notificationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('notifications')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      /** `claimed` (a send is under way), `sent`, `failed` (free to claim again), `in-doubt` (see notification-log.ts). */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('claim_token', 'text')
      .addColumn('claimed_at', 'text')
      .addColumn('sent_at', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('notifications_pk', ['kind', 'subject', 'recipient'])
      .execute();
    await db.schema.createIndex('notifications_status_idx').on('notifications').columns(['status', 'claimed_at']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('notifications').ifExists().execute();
  },
};
