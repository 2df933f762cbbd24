/**
 * One index on links by opportunity instead of two. 001 made (connector, opportunity_id) unique and
 * indexed opportunity_id alone as well; every insert of a link then updated two indexes keyed by a
 * random opportunity id, which is most of what a backfill writes to the store. A unique index on
 * (opportunity_id, connector) enforces the same rule (one link per opportunity and connector) and
 * serves the lookups by opportunity alone as well as by opportunity and connector.
 *
 * PostgreSQL drops the constraint and the index in place. SQLite cannot drop a table constraint,
 * so the table is rebuilt (the documented create-copy-drop-rename sequence), inside the migration's
 * transaction: a store either has the old table or the new one.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../schema';

const COLUMNS = sql.raw('connector, external_id, opportunity_id, base, crm_version, opportunity_version, held, synced_at');

async function rebuildSqlite(db: Kysely<unknown>, unique: 'new' | 'old'): Promise<void> {
  await db.schema
    .createTable('links_rebuilt')
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('opportunity_id', 'text', (c) => c.notNull())
    .addColumn('base', 'text', (c) => c.notNull())
    .addColumn('crm_version', 'text')
    .addColumn('opportunity_version', 'integer', (c) => c.notNull())
    .addColumn('held', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('links_pk', ['connector', 'external_id'])
    .$call((t) => (unique === 'old' ? t.addUniqueConstraint('links_connector_opportunity_uq', ['connector', 'opportunity_id']) : t))
    .execute();
  await sql`INSERT INTO links_rebuilt (${COLUMNS}) SELECT ${COLUMNS} FROM links`.execute(db);
  await db.schema.dropTable('links').execute();
  await db.schema.alterTable('links_rebuilt').renameTo('links').execute();
}

export function linksByOpportunityMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres') {
        await db.schema.alterTable('links').dropConstraint('links_connector_opportunity_uq').execute();
        await db.schema.dropIndex('links_opportunity_idx').execute();
      } else {
        await rebuildSqlite(db, 'new');
      }
      await db.schema.createIndex('links_opportunity_connector_uq').on('links').columns(['opportunity_id', 'connector']).unique().execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('links_opportunity_connector_uq').execute();
      if (dialect === 'postgres') {
        await db.schema.alterTable('links').addUniqueConstraint('links_connector_opportunity_uq', ['connector', 'opportunity_id']).execute();
      } else {
        await rebuildSqlite(db, 'old');
      }
      await db.schema.createIndex('links_opportunity_idx').on('links').column('opportunity_id').execute();
    },
  };
}
