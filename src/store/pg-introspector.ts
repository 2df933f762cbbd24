/**
 * What Kysely's Migrator asks PostgreSQL before it migrates: does the migration tables' schema
 * exist, do those tables exist. Kysely's own introspector answers by reading every schema of the
 * database and resolving each one by name (`has_schema_privilege`, `pg_get_serial_sequence`), so a
 * schema that another store or application drops at that moment fails the migration with
 * `schema "..." does not exist`. This one reads the store's own schema (the connection's
 * `current_schema()`, set by search_path) and nothing else. It reports names only: the Migrator
 * needs no more, and the store uses no other introspection.
 */
import { PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

export class StoreSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const result = await sql<{ name: string }>`SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = current_schema()`.execute(this.db);
    return result.rows.map((row) => ({ name: row.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const result = await sql<{ name: string; schema: string; kind: string }>`
      SELECT c.relname AS name, ns.nspname AS schema, c.relkind AS kind
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
      WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'v', 'p')
      ORDER BY c.relname`.execute(this.db);
    return result.rows.map((row) => ({ name: row.name, schema: row.schema, isView: row.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** Kysely's PostgreSQL dialect with the introspector above. */
export class StorePostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new StoreSchemaIntrospector(db);
  }
}
