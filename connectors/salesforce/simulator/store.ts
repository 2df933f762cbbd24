/**
 * The in-memory org: records per object, the deleted-records log, the clock and SystemModstamp.
 * Stamps never go backwards, and a test hook can pin them so that many records share one stamp.
 */
import { makeId } from './ids';
import { findObject, STAGES, type SfObject } from './schema';
import type { StoredRecord } from './soql/evaluate';
import { checkRequired, normaliseInput, runRules, type SfRecordError, type ValidationRule } from './validate';

export type SaveResult = { ok: true; id: string; created: boolean } | { ok: false; errors: SfRecordError[]; status?: number; ids?: string[] };

const DAY = 86_400_000;

export class SimStore {
  private readonly tables = new Map<string, Map<string, StoredRecord>>();
  private readonly counters = new Map<string, number>();
  /** `${object}.${field}` → lower-cased value → ids, for unique / external-id fields (keeps 10k-record loads linear). */
  private readonly index = new Map<string, Map<string, Set<string>>>();
  readonly deleted: Array<{ id: string; object: string; deletedDate: number }> = [];
  /** Deleted records, still visible to queryAll with IsDeleted = true. */
  private readonly recycleBin = new Map<string, StoredRecord[]>();
  readonly rules: ValidationRule[] = [];
  private nextRuleId = 1;
  /** The next this-many record saves fail with UNABLE_TO_LOCK_ROW (another transaction holds the row). */
  rowLocks = 0;
  clockOffsetMs = 0;
  fixedNow: number | null = null;
  pinnedStamp: number | null = null;
  private lastStamp = 0;
  /** Deleted records older than this are no longer reported (getDeleted's earliestDateAvailable). */
  deletedLogStart: number;
  deletedRetentionMs = 15 * DAY;
  /** See SalesforceSimulatorOptions.checkLookups. */
  checkLookups = false;
  /** See SalesforceSimulatorOptions.wholeSecondStamps. */
  wholeSecondStamps = false;
  /** See SalesforceSimulatorOptions.ignoreReplicationSeconds. */
  ignoreReplicationSeconds = false;

  constructor() {
    this.deletedLogStart = Math.floor(this.now() / 1000) * 1000;
  }

  now(): number {
    return this.fixedNow ?? Date.now() + this.clockOffsetMs;
  }

  /**
   * With `wholeSecondStamps` (a real org's behaviour): the whole second of the org's clock at the
   * time of the write, so many records share a second and a burst of writes never runs the stamps
   * ahead of the clock. Otherwise strictly increasing by at least 1 ms per write, so every write is
   * a distinct position in (SystemModstamp, Id) order. Never goes backwards; `pinnedStamp` fixes
   * one stamp for every write.
   */
  private stamp(): number {
    if (this.pinnedStamp !== null) return this.pinnedStamp;
    this.lastStamp = this.wholeSecondStamps ? Math.max(this.lastStamp, Math.floor(this.now() / 1000) * 1000) : Math.max(this.lastStamp + 1, this.now());
    return this.lastStamp;
  }

  table(obj: SfObject): Map<string, StoredRecord> {
    let t = this.tables.get(obj.name);
    if (!t) {
      t = new Map();
      this.tables.set(obj.name, t);
    }
    return t;
  }

  lookup = (object: string, id: string): StoredRecord | undefined => {
    const obj = findObject(object);
    return obj ? this.table(obj).get(id.length === 15 ? this.expandId(obj, id) : id) : undefined;
  };

  private expandId(obj: SfObject, id15: string): string {
    for (const id of this.table(obj).keys()) if (id.startsWith(id15)) return id;
    return id15;
  }

  get(obj: SfObject, id: string): StoredRecord | undefined {
    return this.lookup(obj.name, id);
  }

  addRule(rule: Omit<ValidationRule, 'id'>): number {
    const id = this.nextRuleId++;
    this.rules.push({ ...rule, id });
    return id;
  }

  private derive(obj: SfObject, rec: StoredRecord, changed: Record<string, unknown>): void {
    if (obj.name !== 'Opportunity' || !('StageName' in changed)) return;
    const stage = STAGES.get(String(rec['StageName']));
    rec['IsClosed'] = stage?.closed ?? false;
    rec['IsWon'] = stage?.won ?? false;
    if (!('Probability' in changed) && stage) rec['Probability'] = stage.probability;
  }

  private finish(obj: SfObject, merged: StoredRecord, changed: Record<string, unknown>): SfRecordError | null {
    if (this.rowLocks > 0) {
      this.rowLocks -= 1;
      return { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record or 1 records', fields: [] };
    }
    this.derive(obj, merged, changed);
    return checkRequired(obj, merged) ?? this.checkReferences(obj, changed) ?? this.checkUnique(obj, merged) ?? runRules(this.rules, obj, merged);
  }

  /**
   * With `checkLookups`: a lookup must hold an id of its target object (MALFORMED_ID) that exists
   * (INVALID_CROSS_REFERENCE_KEY), as a real org requires.
   */
  private checkReferences(obj: SfObject, changed: Record<string, unknown>): SfRecordError | null {
    if (!this.checkLookups) return null;
    for (const f of obj.fields) {
      const value = changed[f.name];
      const target = f.type === 'reference' && f.referenceTo ? findObject(f.referenceTo) : undefined;
      if (!target || value === null || value === undefined) continue;
      const id = String(value);
      if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id) || !id.startsWith(target.keyPrefix)) {
        return { statusCode: 'MALFORMED_ID', message: `${f.label}: id value of incorrect type: ${id}`, fields: [f.name] };
      }
      if (!this.lookup(target.name, id)) {
        return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `invalid cross reference id`, fields: [f.name] };
      }
    }
    return null;
  }

  private indexed(obj: SfObject, field: string, value: unknown): Set<string> {
    const key = `${obj.name}.${field}`;
    let byValue = this.index.get(key);
    if (!byValue) {
      byValue = new Map();
      this.index.set(key, byValue);
    }
    const v = String(value).toLowerCase();
    let ids = byValue.get(v);
    if (!ids) {
      ids = new Set();
      byValue.set(v, ids);
    }
    return ids;
  }

  /** Stores (or with `rec` null removes) a record and keeps the unique-field index in step. */
  private put(obj: SfObject, id: string, rec: StoredRecord | null): void {
    const previous = this.table(obj).get(id);
    for (const f of obj.fields) {
      if (!f.unique && !f.externalId) continue;
      if (previous && typeof previous[f.name] === 'string') this.indexed(obj, f.name, previous[f.name]).delete(id);
      if (rec && typeof rec[f.name] === 'string') this.indexed(obj, f.name, rec[f.name]).add(id);
    }
    if (rec) this.table(obj).set(id, rec);
    else this.table(obj).delete(id);
  }

  private checkUnique(obj: SfObject, rec: StoredRecord): SfRecordError | null {
    for (const f of obj.fields) {
      const v = rec[f.name];
      if (!f.unique || typeof v !== 'string') continue;
      const other = [...this.indexed(obj, f.name, v)].find((id) => id !== rec.Id);
      if (other) return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: ${f.name} duplicates value on record with id: ${other}`, fields: [f.name] };
    }
    return null;
  }

  create(obj: SfObject, input: Record<string, unknown>): SaveResult {
    const norm = normaliseInput(obj, input, true);
    if ('error' in norm) return { ok: false, errors: [norm.error] };
    const n = (this.counters.get(obj.name) ?? 0) + 1;
    const id = makeId(obj.keyPrefix, n);
    const at = this.stamp();
    const base: StoredRecord = { Id: id, IsDeleted: false, CreatedDate: at, LastModifiedDate: at, SystemModstamp: at };
    for (const f of obj.fields) if (f.type === 'boolean' && !(f.name in base)) base[f.name] = false;
    const rec: StoredRecord = { ...base, ...norm.values };
    const err = this.finish(obj, rec, { ...norm.values, StageName: rec['StageName'] });
    if (err) return { ok: false, errors: [err] };
    this.counters.set(obj.name, n);
    this.put(obj, id, rec);
    return { ok: true, id, created: true };
  }

  update(obj: SfObject, id: string, input: Record<string, unknown>): SaveResult {
    const current = this.get(obj, id);
    if (!current) return this.missing(obj, id);
    const norm = normaliseInput(obj, input, false);
    if ('error' in norm) return { ok: false, errors: [norm.error] };
    const at = this.stamp();
    const rec: StoredRecord = { ...current, ...norm.values, LastModifiedDate: at, SystemModstamp: at };
    const err = this.finish(obj, rec, norm.values);
    if (err) return { ok: false, errors: [err] };
    this.put(obj, rec.Id, rec);
    return { ok: true, id: rec.Id, created: false };
  }

  upsert(obj: SfObject, extField: string, extValue: string, input: Record<string, unknown>): SaveResult {
    const f = obj.byLower.get(extField.toLowerCase());
    if (!f?.externalId && f?.name !== 'Id') {
      return { ok: false, status: 404, errors: [{ statusCode: 'NOT_FOUND', message: `Provided external ID field does not exist or is not accessible: ${extField}`, fields: [] }] };
    }
    const matches = f.name === 'Id' ? [this.get(obj, extValue)].filter((r) => r !== undefined) : [...this.indexed(obj, f.name, extValue)].map((id) => this.table(obj).get(id)).filter((r) => r !== undefined);
    if (matches.length > 1) {
      return { ok: false, status: 300, ids: matches.map((m) => m.Id), errors: [{ statusCode: 'DUPLICATES_DETECTED', message: `More than one record found for external id field ${f.name}`, fields: [] }] };
    }
    const { [f.name]: _ignored, ...rest } = Object.fromEntries(Object.entries(input).map(([k, v]) => [obj.byLower.get(k.toLowerCase())?.name ?? k, v]));
    const match = matches[0];
    if (match) return this.update(obj, match.Id, rest);
    return this.create(obj, { ...rest, [f.name]: extValue });
  }

  remove(obj: SfObject, id: string): SaveResult {
    const current = this.get(obj, id);
    if (!current) return this.missing(obj, id);
    this.put(obj, current.Id, null);
    const bin = this.recycleBin.get(obj.name) ?? [];
    bin.push({ ...current, IsDeleted: true, SystemModstamp: this.stamp() });
    this.recycleBin.set(obj.name, bin);
    this.deleted.push({ id: current.Id, object: obj.name, deletedDate: this.now() });
    return { ok: true, id: current.Id, created: false };
  }

  private missing(obj: SfObject, id: string): SaveResult {
    const wasDeleted = this.deleted.some((d) => d.object === obj.name && d.id.startsWith(id.slice(0, 15)));
    return wasDeleted
      ? { ok: false, status: 404, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] }
      : { ok: false, status: 404, errors: [{ statusCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] }] };
  }

  /** A copy of the tables, for allOrNone rollbacks (collections with allOrNone: true). */
  checkpoint(): { tables: Map<string, Map<string, StoredRecord>>; counters: Map<string, number> } {
    return { tables: new Map([...this.tables].map(([k, t]) => [k, new Map(t)])), counters: new Map(this.counters) };
  }

  rollback(cp: { tables: Map<string, Map<string, StoredRecord>>; counters: Map<string, number> }): void {
    for (const [name, table] of this.tables) {
      const obj = findObject(name);
      const before = cp.tables.get(name) ?? new Map<string, StoredRecord>();
      if (!obj) continue;
      for (const id of [...table.keys()]) if (!before.has(id)) this.put(obj, id, null);
      for (const [id, rec] of before) this.put(obj, id, rec);
    }
    for (const [k, v] of cp.counters) this.counters.set(k, v);
  }

  recycled(obj: SfObject): StoredRecord[] {
    return this.recycleBin.get(obj.name) ?? [];
  }

  /** With `ignoreReplicationSeconds`, at the start of its minute, as an org reports it. */
  earliestDeletedAvailable(): number {
    const at = Math.max(this.deletedLogStart, this.now() - this.deletedRetentionMs);
    return this.ignoreReplicationSeconds ? Math.floor(at / 60_000) * 60_000 : at;
  }

  /** Test hook: forget deletes before `at`, as the org's recycle-bin purge does. */
  purgeDeletedBefore(at: number): void {
    this.deletedLogStart = at;
    for (let i = this.deleted.length - 1; i >= 0; i -= 1) if ((this.deleted[i]?.deletedDate ?? 0) < at) this.deleted.splice(i, 1);
  }
}
