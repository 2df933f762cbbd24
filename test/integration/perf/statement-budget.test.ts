/**
 * The statement budget: a page of pulled records is read and written in a fixed number of SQL
 * statements, however many records it holds, and so is a batch of pushes; a full sync of 500
 * records costs hardly more statements than one of 50. Counted by the store itself (SQLite:
 * the statement cache's counts; PostgreSQL: the Kysely log hook, one per query sent), over real
 * HTTP to both simulators, on SQLite and on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { benchInstances } from '../../../bench/bench-instances';
import { benchSfRecord } from '../../../bench/records';
import { startDynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { startSalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { systemClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/log';
import { createStore } from '../../../src/store';
import type { StateStore } from '../../../src/store/types';
import { createSyncEngine } from '../../../src/sync/engine';
import * as mergePlan from '../../../src/sync/merge/plan';
import { Client } from 'pg';
import { freshPostgresSchema } from '../../helpers/postgres-schema';

const merges = jest.spyOn(mergePlan, 'planMerge');

type Dialect = 'sqlite' | 'postgres';

interface PassCost {
  /** Statements of the whole pass (every connector: pull, feed, push). */
  executed: number;
  /** Statements from the run's start to the end of its first pulled page, per connector. */
  firstPage: Record<string, number>;
  prepared: number;
  /** Linked records the merge planner ran for, per connector. */
  merged: Record<string, number>;
}

interface SyncCost {
  records: number;
  full: PassCost;
  echo: PassCost;
  /** Link bases the echo pass wrote, per connector (a trigger counts them). */
  echoBaseWrites: Record<string, number>;
}

interface OpenStore {
  store: StateStore;
  drop: () => Promise<void>;
  /** Runs SQL on a connection of its own, beside the store's (SQLite in WAL mode lets it in). */
  raw: (sqlText: string) => Promise<Array<Record<string, unknown>>>;
}

async function openStore(dialect: Dialect, dir: string): Promise<OpenStore> {
  if (dialect === 'sqlite') {
    const file = path.join(dir, 'budget.db');
    const raw = async (sqlText: string): Promise<Array<Record<string, unknown>>> => {
      const db = new Database(file);
      try {
        return sqlText.trimStart().startsWith('SELECT') ? (db.prepare(sqlText).all() as Array<Record<string, unknown>>) : (db.exec(sqlText), []);
      } finally {
        db.close();
      }
    };
    return { store: await createStore({ kind: 'sqlite', path: file }), drop: async () => undefined, raw };
  }
  const pg = await freshPostgresSchema('budget');
  const raw = async (sqlText: string): Promise<Array<Record<string, unknown>>> => {
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${pg.schema}"`);
      const result = await client.query<Record<string, unknown>>(sqlText);
      return Array.isArray(result) ? [] : result.rows;
    } finally {
      await client.end();
    }
  };
  return { store: await createStore({ kind: 'postgres', url: pg.url, schema: pg.schema, poolSize: 2 }), drop: pg.drop, raw };
}

/** Counts, per connector, the link rows whose base an UPDATE (an upsert's included) sets. */
const BASE_WRITES_TRIGGER: Record<Dialect, string> = {
  sqlite: `CREATE TABLE base_writes (connector TEXT NOT NULL);
    CREATE TRIGGER links_base_written AFTER UPDATE OF base ON links BEGIN INSERT INTO base_writes VALUES (NEW.connector); END;`,
  postgres: `CREATE TABLE base_writes (connector TEXT NOT NULL);
    CREATE FUNCTION base_written() RETURNS trigger AS $$ BEGIN INSERT INTO base_writes VALUES (NEW.connector); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER links_base_written AFTER UPDATE OF base ON links FOR EACH ROW EXECUTE FUNCTION base_written();`,
};

async function countBaseWrites(raw: OpenStore['raw']): Promise<Record<string, number>> {
  const rows = await raw('SELECT connector, COUNT(*) AS n FROM base_writes GROUP BY connector');
  return Object.fromEntries(rows.map((r) => [String(r.connector), Number(r.n)]));
}

/** Runs a full sync of `n` Salesforce records to Dynamics and back, then the echo pass; returns the statements each cost. */
async function syncCost(dialect: Dialect, n: number): Promise<SyncCost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-budget-'));
  const sf = await startSalesforceSimulator();
  const dyn = await startDynamicsSimulator();
  const { store, drop, raw } = await openStore(dialect, dir);
  const instances = benchInstances(sf.url, dyn);
  try {
    sf.seed(Array.from({ length: n }, (_, i) => benchSfRecord(i)));
    const engine = createSyncEngine({ store, instances, clock: systemClock, logger: silentLogger, policy: { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' } });
    const pass = async (): Promise<PassCost> => {
      const before = store.statementCounts();
      const firstPage: Record<string, number> = {};
      const merged: Record<string, number> = {};
      for (const instance of instances) {
        const start = store.statementCounts().executed;
        const onProgress = (): void => {
          firstPage[instance.name] ??= store.statementCounts().executed - start;
        };
        const mergesBefore = merges.mock.calls.length;
        const summary = await engine.runOnce({ connector: instance.name, onProgress });
        merged[instance.name] = merges.mock.calls.length - mergesBefore;
        expect(summary.error).toBeNull();
        expect(summary.deadLetters).toBe(0);
      }
      const after = store.statementCounts();
      return { executed: after.executed - before.executed, firstPage, merged, prepared: after.prepared - before.prepared };
    };
    const full = await pass();
    await raw(BASE_WRITES_TRIGGER[dialect]);
    const echo = await pass();
    const echoBaseWrites = await countBaseWrites(raw);
    // The work was done: every record linked on both sides.
    expect((await store.listLinks({ connector: 'salesforce' })).length).toBe(n);
    expect((await store.listLinks({ connector: 'dynamics' })).length).toBe(n);
    return { records: n, full, echo, echoBaseWrites };
  } finally {
    for (const instance of instances) await instance.connector.close();
    await store.close();
    await drop();
    await sf.close();
    await dyn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The most statements one pulled page may cost, from the run's start (run rows, cursors) to its commit. */
const PAGE_BUDGET = 40;
/** What one more record may add to a full sync: a share of a push batch's fixed statements, never a statement of its own. */
const PER_RECORD_MARGIN = 0.15;
/** Distinct statement texts a full sync may compile (SQLite) or send (PostgreSQL). */
const TEXTS_BUDGET = 60;

describe.each<Dialect>(['sqlite', 'postgres'])('statements on %s', (dialect) => {
  let small: SyncCost;
  let large: SyncCost;

  beforeAll(async () => {
    small = await syncCost(dialect, 50);
    large = await syncCost(dialect, 500);
  }, 240_000);

  it('applies a pulled page of 50 or 500 records in the same fixed number of statements', () => {
    // Salesforce pages hold 2,000 records here: each pull is one page.
    const page = large.full.firstPage.salesforce ?? Infinity;
    expect(page).toBeGreaterThan(0);
    expect(page).toBeLessThanOrEqual(PAGE_BUDGET);
    expect(page).toBe(small.full.firstPage.salesforce);
    // The echo pages: every record read back, none written (reads go 500 keys a statement, so 500 records may take a few more than 50).
    for (const connector of ['salesforce', 'dynamics']) {
      expect(small.echo.firstPage[connector]).toBeLessThanOrEqual(PAGE_BUDGET);
      expect(large.echo.firstPage[connector]).toBeLessThanOrEqual(PAGE_BUDGET);
    }
  });

  it('a full sync of 500 costs per record less than one statement more than a sync of 50', () => {
    const extra = (large.full.executed - small.full.executed) / (large.records - small.records);
    expect(small.full.executed).toBeGreaterThan(0);
    expect(extra).toBeLessThanOrEqual(PER_RECORD_MARGIN);
  });

  it('the echo pass of 500 costs no statement per record', () => {
    const extra = (large.echo.executed - small.echo.executed) / (large.records - small.records);
    expect(extra).toBeLessThanOrEqual(PER_RECORD_MARGIN);
  });

  it('the echo pass merges no record that reads back as its link base', () => {
    // Salesforce reads back the co-sell id and status written to it: our own write, not merged.
    expect(large.echo.merged.salesforce).toBe(0);
    // Dynamics reads back the records we created, their own ids (mapped to crmId) included: the
    // base of a create holds the id the create returned, so these are our own writes too.
    expect(large.echo.merged.dynamics).toBe(0);
  });

  it('the echo pass writes no base of a link whose record reads back as it (only its CRM version)', () => {
    expect(large.echoBaseWrites.salesforce ?? 0).toBe(0);
    expect(large.echoBaseWrites.dynamics ?? 0).toBe(0);
  });

  it('sends a bounded set of statement texts, whatever the number of records', () => {
    // Multi-row statements of another row count are other texts (a page of 50 and one of 500 differ by a few), never one per record.
    expect(small.full.prepared).toBeGreaterThan(0);
    expect(large.full.prepared).toBeLessThanOrEqual(TEXTS_BUDGET);
    expect(large.echo.prepared).toBeLessThanOrEqual(TEXTS_BUDGET);
  });
});
