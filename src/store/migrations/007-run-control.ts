/**
 * Run control: whether a connector instance is paused (read by every worker before a run starts),
 * and the log of operator actions (pause, resume, resyncs) with who did them.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../schema';

export function runControlMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('run_control')
        .addColumn('connector', 'text', (c) => c.primaryKey())
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('changed_by', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .execute();
      const actions = db.schema.createTable('operator_actions');
      await (dialect === 'postgres'
        ? actions.addColumn('id', 'serial', (c) => c.primaryKey())
        : actions.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('details', 'text')
        .execute();
      await db.schema.createIndex('operator_actions_connector_idx').on('operator_actions').columns(['connector', 'id']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('operator_actions').ifExists().execute();
      await db.schema.dropTable('run_control').ifExists().execute();
    },
  };
}
