/**
 * The initial schema. Column types are portable (text, integer); the only dialect switch is the
 * auto-increment key: `integer primary key autoincrement` on SQLite, `serial` on PostgreSQL.
 */
import { sql, type CreateTableBuilder, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../schema';

type Table = CreateTableBuilder<string, never>;

function withSerialId(table: Table, dialect: Dialect, column: string): Table {
  return dialect === 'postgres'
    ? table.addColumn(column, 'serial', (c) => c.primaryKey())
    : table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
}

async function createOpportunities(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('opportunities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('favorite', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deal_name', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text')
    .addColumn('stage_changed_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  // Paging is keyset on (created_at, id); views filter on stage/direction/favorite; the R13 sweep
  // looks for `received` rows by received_at.
  await db.schema.createIndex('opportunities_created_idx').on('opportunities').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('opportunities_stage_idx').on('opportunities').columns(['stage', 'received_at']).execute();
  await db.schema.createIndex('opportunities_direction_idx').on('opportunities').columns(['direction', 'stage']).execute();
  await db.schema.createIndex('opportunities_favorite_idx').on('opportunities').columns(['favorite']).execute();

  await withSerialId(db.schema.createTable('opportunity_events'), dialect, 'seq')
    .addColumn('opportunity_id', 'text', (c) => c.notNull().references('opportunities.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .execute();
  await db.schema
    .createIndex('opportunity_events_opp_idx')
    .on('opportunity_events')
    .columns(['opportunity_id', 'version'])
    .unique()
    .execute();
}

async function createLinks(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('links')
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('opportunity_id', 'text', (c) => c.notNull())
    .addColumn('base', 'text', (c) => c.notNull())
    .addColumn('crm_version', 'text')
    .addColumn('opportunity_version', 'integer', (c) => c.notNull())
    .addColumn('held', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('links_pk', ['connector', 'external_id'])
    .addUniqueConstraint('links_connector_opportunity_uq', ['connector', 'opportunity_id'])
    .execute();
  await db.schema.createIndex('links_opportunity_idx').on('links').column('opportunity_id').execute();
  await db.schema
    .createTable('cursors')
    .addColumn('connector', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

async function createConflicts(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await withSerialId(db.schema.createTable('conflicts'), dialect, 'id')
    .addColumn('opportunity_id', 'text', (c) => c.notNull())
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('base', 'text', (c) => c.notNull())
    .addColumn('crm_value', 'text', (c) => c.notNull())
    .addColumn('cosell_value', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .execute();
  await db.schema.createIndex('conflicts_status_idx').on('conflicts').columns(['status', 'id']).execute();
  await db.schema.createIndex('conflicts_opportunity_idx').on('conflicts').column('opportunity_id').execute();
}

async function createQueues(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await withSerialId(db.schema.createTable('outbox'), dialect, 'id')
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('opportunity_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('outbox_pending_uq', ['connector', 'opportunity_id'])
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['connector', 'next_attempt_at']).execute();

  await withSerialId(db.schema.createTable('dead_letters'), dialect, 'id')
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('opportunity_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  // A partial unique index (both dialects support them): one open dead letter per record.
  await db.schema
    .createIndex('dead_letters_open_uq')
    .on('dead_letters')
    .columns(['connector', 'direction', 'record_key'])
    .unique()
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pulled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('applied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pushed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('conflicts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dead_letters', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('api_calls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('sync_runs_connector_idx').on('sync_runs').columns(['connector', 'started_at']).execute();
}

export function initialMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await createOpportunities(db, dialect);
      await createLinks(db);
      await createConflicts(db, dialect);
      await createQueues(db, dialect);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['sync_runs', 'dead_letters', 'outbox', 'conflicts', 'cursors', 'links', 'opportunity_events', 'opportunities']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
