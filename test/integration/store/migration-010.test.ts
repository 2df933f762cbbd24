/**
 * Migration 010 on a store holding links: the rows survive, one link per opportunity and connector
 * is still enforced, by-opportunity lookups use the new index, and `down` restores 009's schema.
 * SQLite (the table rebuilt) and PostgreSQL (constraint and index dropped in place).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { migrationProvider } from '../../../src/store/migrations';
import { openPostgres } from '../../../src/store/postgres';
import { openSqlite } from '../../../src/store/sqlite';
import type { StoreDriver } from '../../../src/store/driver';
import type { Database } from '../../../src/store/schema';
import { freshPostgresSchema } from '../../helpers/postgres-schema';

function migrator(driver: StoreDriver): Migrator {
  return new Migrator({
    db: driver.db,
    provider: migrationProvider(driver.dialect),
    ...(driver.migrationTableSchema === undefined ? {} : { migrationTableSchema: driver.migrationTableSchema }),
  });
}

async function migrateTo(driver: StoreDriver, target: string): Promise<void> {
  const { error } = await driver.serialize(() => migrator(driver).migrateTo(target));
  if (error !== undefined) throw error as Error;
}

const link = (connector: string, externalId: string, opportunityId: string): Database['links'] => ({
  connector, external_id: externalId, opportunity_id: opportunityId, base: `{"dealName":"${externalId}"}`,
  crm_version: 'v1', opportunity_version: 1, held: '{}', synced_at: '2026-12-05T10:00:00.000Z',
} as unknown as Database['links']);

async function insert(db: Kysely<Database>, row: Database['links']): Promise<void> {
  await db.insertInto('links').values(row).execute();
}

/**
 * The message an insert is refused with ('' when it is not). Read off the error rather than
 * matched with `rejects.toThrow`: better-sqlite3's native part keeps the error class of the first
 * test file its jest worker loaded it in, so in later files its errors are not `instanceof Error`.
 */
async function refusal(write: Promise<void>): Promise<string> {
  try {
    await write;
    return '';
  } catch (error) {
    return String((error as { message?: unknown }).message);
  }
}

async function indexNames(driver: StoreDriver): Promise<string[]> {
  if (driver.dialect === 'sqlite') {
    const rows = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'links'`.execute(driver.db);
    return rows.rows.map((r) => r.name).sort();
  }
  const rows = await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'links' AND schemaname = current_schema()`.execute(driver.db);
  return rows.rows.map((r) => r.name).sort();
}

function suite(name: string, open: () => Promise<{ driver: StoreDriver; drop: () => Promise<void> }>): void {
  describe(`migration 010 (${name})`, () => {
    let driver: StoreDriver;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      ({ driver, drop } = await open());
      await migrateTo(driver, '009-partner-lookups');
      await insert(driver.db, link('salesforce', 'sf-1', 'opp-1'));
      await insert(driver.db, link('dynamics', 'dyn-1', 'opp-1'));
      await insert(driver.db, link('salesforce', 'sf-2', 'opp-2'));
    });
    afterEach(async () => {
      await driver.close();
      await drop();
    });

    it('keeps every link and one index on links by opportunity, unique with the connector', async () => {
      const before = await indexNames(driver);
      expect(before).toEqual(expect.arrayContaining(['links_opportunity_idx']));
      await migrateTo(driver, '010-links-by-opportunity');
      const rows = await driver.db.selectFrom('links').selectAll().orderBy('external_id').execute();
      expect(rows.map((r) => [r.connector, r.external_id, r.opportunity_id, r.base, r.crm_version])).toEqual([
        ['dynamics', 'dyn-1', 'opp-1', '{"dealName":"dyn-1"}', 'v1'],
        ['salesforce', 'sf-1', 'opp-1', '{"dealName":"sf-1"}', 'v1'],
        ['salesforce', 'sf-2', 'opp-2', '{"dealName":"sf-2"}', 'v1'],
      ]);
      const after = await indexNames(driver);
      expect(after).toContain('links_opportunity_connector_uq');
      expect(after).not.toContain('links_opportunity_idx');
      // Left: the primary key's index and the new one.
      expect(after).toHaveLength(2);
    });

    it('still refuses a second link of one opportunity on one connector, and allows it on another', async () => {
      await migrateTo(driver, '010-links-by-opportunity');
      expect(await refusal(insert(driver.db, link('salesforce', 'sf-3', 'opp-1')))).toMatch(/unique|duplicate/i);
      await insert(driver.db, link('dynamics', 'dyn-2', 'opp-2'));
      // The primary key still holds too.
      expect(await refusal(insert(driver.db, link('salesforce', 'sf-1', 'opp-9')))).toMatch(/unique|duplicate/i);
      const count = await driver.db.selectFrom('links').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(4);
    });

    if (name === 'SQLite') {
      it('serves a lookup by opportunity alone from the new index', async () => {
        await migrateTo(driver, '010-links-by-opportunity');
        const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN SELECT * FROM links WHERE opportunity_id = ${'opp-1'}`.execute(driver.db);
        expect(plan.rows.map((r) => r.detail).join(' ')).toMatch(/USING INDEX links_opportunity_connector_uq/);
      });
    }

    if (name === 'SQLite') {
      it('fails as a whole: a rebuild refused half-way leaves the old table, its rows and its indexes', async () => {
        // A table referencing links makes DROP TABLE links fail, after the copy into the new table.
        await sql`CREATE TABLE link_refs (c text, e text, FOREIGN KEY (c, e) REFERENCES links (connector, external_id))`.execute(driver.db);
        await sql`INSERT INTO link_refs VALUES ('salesforce', 'sf-1')`.execute(driver.db);
        expect(await refusal(migrateTo(driver, '010-links-by-opportunity'))).toMatch(/FOREIGN KEY/i);
        const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'links%'`.execute(driver.db);
        expect(tables.rows.map((r) => r.name)).toEqual(['links']);
        expect(await indexNames(driver)).toEqual(expect.arrayContaining(['links_opportunity_idx']));
        const count = await driver.db.selectFrom('links').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(count.n)).toBe(3);
        await sql`DROP TABLE link_refs`.execute(driver.db);
        await migrateTo(driver, '010-links-by-opportunity');
        expect(await indexNames(driver)).toContain('links_opportunity_connector_uq');
      });
    }

    it('goes back down to the schema of 009, links kept', async () => {
      await migrateTo(driver, '010-links-by-opportunity');
      await migrateTo(driver, '009-partner-lookups');
      const after = await indexNames(driver);
      expect(after).toContain('links_opportunity_idx');
      expect(after).not.toContain('links_opportunity_connector_uq');
      expect(await refusal(insert(driver.db, link('salesforce', 'sf-3', 'opp-2')))).toMatch(/unique|duplicate/i);
      const count = await driver.db.selectFrom('links').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(3);
    });
  });
}

suite('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-m010-'));
  const driver = openSqlite(path.join(dir, 'store.db'));
  return { driver, drop: async () => rmSync(dir, { recursive: true, force: true }) };
});

suite('PostgreSQL', async () => {
  const { url, schema, drop } = await freshPostgresSchema('m010');
  return { driver: await openPostgres({ url, schema, poolSize: 2 }), drop };
});
