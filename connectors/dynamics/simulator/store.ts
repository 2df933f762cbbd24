/**
 * In-memory tables. Every write takes the next organisation-wide version number (Dataverse's
 * rowversion backs `versionnumber` and the ETag), deletes leave a tombstone for change tracking,
 * and an undo journal gives changesets their all-or-nothing behaviour.
 */
import { randomUUID } from 'node:crypto';
import { TABLES, type TableDef } from './schema';

export type Row = Record<string, unknown>;

export class SimTable {
  readonly rows = new Map<string, Row>();
  /** id -> version at which it was deleted. */
  readonly tombstones = new Map<string, number>();
  private readonly altIndex = new Map<string, Map<string, string>>();
  private sortedIds: string[] | null = null;

  constructor(readonly def: TableDef) {
    for (const k of def.alternateKeys) this.altIndex.set(k, new Map());
  }

  findByAltKey(column: string, value: string): Row | undefined {
    const id = this.altIndex.get(column)?.get(value);
    return id === undefined ? undefined : this.rows.get(id);
  }

  /** Ids in key order (initial loads and paging walk this). */
  orderedIds(): string[] {
    this.sortedIds ??= [...this.rows.keys()].sort();
    return this.sortedIds;
  }

  put(row: Row): void {
    const id = String(row[this.def.key]);
    const before = this.rows.get(id);
    if (before === undefined) this.sortedIds = null;
    for (const [column, index] of this.altIndex) {
      const old = before?.[column];
      if (typeof old === 'string' && index.get(old) === id) index.delete(old);
      const now = row[column];
      if (typeof now === 'string' && now !== '') index.set(now, id);
    }
    this.rows.set(id, row);
    this.tombstones.delete(id);
  }

  drop(id: string, version: number | null): void {
    const before = this.rows.get(id);
    if (before === undefined) return;
    for (const [column, index] of this.altIndex) {
      const old = before[column];
      if (typeof old === 'string') index.delete(old);
    }
    this.rows.delete(id);
    this.sortedIds = null;
    if (version !== null) this.tombstones.set(id, version);
  }
}

export class SimStore {
  readonly tables = new Map<string, SimTable>();
  /** Real organisations' row versions are large (tens of millions and beyond); so are these. */
  private version = 7_718_117_300;
  private journal: Array<() => void> | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {
    for (const def of TABLES) this.tables.set(def.entitySet, new SimTable(def));
  }

  table(entitySet: string): SimTable | undefined {
    return this.tables.get(entitySet);
  }

  currentVersion(): number {
    return this.version;
  }

  /** Moves the version clock on without writing (delta-token expiry marks a point in it). */
  tick(): number {
    return ++this.version;
  }

  /** Creates or replaces a row; stamps version and timestamps. Returns the stored row. */
  write(entitySet: string, values: Row, existing?: Row): Row {
    const table = this.mustTable(entitySet);
    const stamp = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const id = existing ? String(existing[table.def.key]) : typeof values[table.def.key] === 'string' ? String(values[table.def.key]) : randomUUID();
    const row: Row = {
      ...(existing ?? { createdon: stamp }),
      ...values,
      [table.def.key]: id,
      versionnumber: ++this.version,
      modifiedon: stamp,
    };
    this.remember(table, id);
    table.put(row);
    return row;
  }

  remove(entitySet: string, id: string): boolean {
    const table = this.mustTable(entitySet);
    if (!table.rows.has(id)) return false;
    this.remember(table, id);
    table.drop(id, ++this.version);
    return true;
  }

  /** Runs `fn`; if it throws, every row it touched goes back to how it was. */
  atomically<T>(fn: () => T): T {
    const outer = this.journal;
    const journal: Array<() => void> = [];
    this.journal = journal;
    try {
      return fn();
    } catch (error) {
      for (const undo of journal.reverse()) undo();
      journal.length = 0;
      throw error;
    } finally {
      this.journal = outer;
      if (outer) outer.push(...journal);
    }
  }

  private remember(table: SimTable, id: string): void {
    if (!this.journal) return;
    const before = table.rows.get(id);
    const tombstone = table.tombstones.get(id);
    this.journal.push(() => {
      if (before) table.put(before);
      else table.drop(id, null);
      if (tombstone !== undefined) table.tombstones.set(id, tombstone);
    });
  }

  private mustTable(entitySet: string): SimTable {
    const table = this.tables.get(entitySet);
    if (!table) throw new Error(`no table ${entitySet}`);
    return table;
  }
}
