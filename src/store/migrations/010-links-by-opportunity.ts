/**
 * One index on links by opportunity instead of two. 001 made (connector, opportunity_id) unique and
 * indexed opportunity_id alone as well; every insert of a link then updated two indexes keyed by a
 * random opportunity id, which is most of what a backfill writes to the store. A unique index on
 * (opportunity_id, connector) enforces the same rule (one link per opportunity and connector) and
 * serves the lookups by opportunity alone as well as by opportunity and connector.
 *
 * PostgreSQL drops the constraint and the index in place (Kysely runs a PostgreSQL migration in a
 * transaction). SQLite cannot drop a table constraint, so the table is rebuilt (the documented
 * create-copy-drop-rename sequence) in a transaction of its own, since Kysely runs SQLite
 * migrations without one: a store stopped or failing half-way keeps the old table.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../schema';

const COLUMNS = sql.raw('connector, external_id, opportunity_id, base, crm_version, opportunity_version, held, synced_at');

async function inSqliteTransaction(db: Kysely<unknown>, work: () => Promise<void>): Promise<void> {
  await sql`BEGIN IMMEDIATE`.execute(db);
  try {
    await work();
    await sql`COMMIT`.execute(db);
  } catch (error) {
    await sql`ROLLBACK`.execute(db);
    throw error;
  }
}

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
      const index = (): Promise<void> => db.schema.createIndex('links_opportunity_connector_uq').on('links').columns(['opportunity_id', 'connector']).unique().execute();
      if (dialect === 'postgres') {
        await db.schema.alterTable('links').dropConstraint('links_connector_opportunity_uq').execute();
        await db.schema.dropIndex('links_opportunity_idx').execute();
        await index();
      } else {
        await inSqliteTransaction(db, async () => {
          await rebuildSqlite(db, 'new');
          await index();
        });
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      const index = (): Promise<void> => db.schema.createIndex('links_opportunity_idx').on('links').column('opportunity_id').execute();
      if (dialect === 'postgres') {
        await db.schema.dropIndex('links_opportunity_connector_uq').execute();
        await db.schema.alterTable('links').addUniqueConstraint('links_connector_opportunity_uq', ['connector', 'opportunity_id']).execute();
        await index();
      } else {
        // The rebuild drops the old table's indexes with it.
        await inSqliteTransaction(db, async () => {
          await rebuildSqlite(db, 'old');
          await index();
        });
      }
    },
  };
}
