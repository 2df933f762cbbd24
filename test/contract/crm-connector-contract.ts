/**
 * The behaviour every CrmConnector must show, whatever the CRM (style.md §2.14). A connector
 * test file calls `crmConnectorContract(name, setup)` with a harness that talks to its simulator.
 */
import { isConnectorError } from '../../src/errors';
import type { ChangePage, CrmConnector, CrmRecord, WriteResult } from '../../src/ports/connector';

export interface ContractHarness {
  connector: CrmConnector;
  /** provider field names */
  fields: { name: string; amount: string; closeDate: string; stage: string; externalId: string };
  openStages: [string, string]; // two valid open stage values (provider values)
  /** create records directly in the simulator, as a CRM user would; returns ids */
  seed(records: Array<Record<string, unknown>>): Promise<string[]>;
  update(id: string, fields: Record<string, unknown>): Promise<void>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<Record<string, unknown> | null>;
  count(): Promise<number>;
  injectFault(fault: 'rate_limit' | 'server_error' | 'reset' | 'expire_session', times: number): Promise<void>;
  /** make the next write of this record fail validation with this message */
  failValidation(match: { field: string; equals: unknown }, message: string): Promise<void>;
  close(): Promise<void>;
  /** The connector's read page size, when it has one: the resume test seeds enough for several pages. */
  pageSize?: number;
  /** Fields a record created through the connector needs to take part in the sync (e.g. a participation flag). */
  requiredOnCreate?: Record<string, unknown>;
  /**
   * Lets the CRM's clock (and the connector's) run on by `ms`: a Salesforce org reports a delete
   * through getDeleted only once the minute it happened in has passed.
   */
  elapse?(ms: number): Promise<void>;
}

interface ReadOutcome {
  pages: ChangePage[];
  records: CrmRecord[];
  deletedIds: string[];
  cursor: string | null;
}

async function readAll(connector: CrmConnector, cursor: string | null, fields: readonly string[]): Promise<ReadOutcome> {
  const pages: ChangePage[] = [];
  for await (const page of connector.readChanges({ cursor, fields })) pages.push(page);
  return {
    pages,
    records: pages.flatMap((p) => p.records),
    deletedIds: pages.flatMap((p) => p.deletedIds),
    cursor: pages.length > 0 ? (pages[pages.length - 1]?.cursor ?? cursor) : cursor,
  };
}

const idsOf = (records: CrmRecord[]): string[] => records.map((r) => r.id);
const unique = <T>(xs: T[]): boolean => new Set(xs).size === xs.length;

function expectOk(result: WriteResult | undefined): Extract<WriteResult, { ok: true }> {
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result && !result.ok ? { code: result.error.code, message: result.error.message } : result)}`);
  return result;
}

export function crmConnectorContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`CrmConnector contract: ${name}`, () => {
    let h: ContractHarness;
    let fields: string[];
    const deal = (n: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      [h.fields.name]: n,
      [h.fields.amount]: 1000,
      [h.fields.closeDate]: '2026-12-31',
      [h.fields.stage]: h.openStages[0],
      ...extra,
    });

    beforeEach(async () => {
      h = await setup();
      fields = [h.fields.name, h.fields.amount, h.fields.closeDate, h.fields.stage, h.fields.externalId];
    });
    afterEach(async () => {
      await h.close();
    });

    it('reads every record once on the initial load, flagged as a full pass', async () => {
      const ids = await h.seed([deal('Alpha'), deal('Beta'), deal('Gamma'), deal("O'Brien's \\ \"deal\"")]);
      const out = await readAll(h.connector, null, fields);
      expect(idsOf(out.records).sort()).toEqual([...ids].sort());
      expect(out.pages.every((p) => p.fullResync)).toBe(true);
      const obrien = out.records.find((r) => r.fields[h.fields.name] === "O'Brien's \\ \"deal\"");
      expect(obrien).toBeDefined();
      expect(out.records.every((r) => r.version !== '')).toBe(true);
      expect(out.cursor).not.toBeNull();
    });

    it('returns only the changed records on an incremental read', async () => {
      const ids = await h.seed([deal('A'), deal('B'), deal('C'), deal('D')]);
      const first = await readAll(h.connector, null, fields);
      await h.update(ids[1] ?? '', { [h.fields.name]: 'B2' });
      await h.update(ids[3] ?? '', { [h.fields.stage]: h.openStages[1] });
      const next = await readAll(h.connector, first.cursor, fields);
      expect(idsOf(next.records).sort()).toEqual([ids[1], ids[3]].sort());
      expect(next.records.find((r) => r.id === ids[1])?.fields[h.fields.name]).toBe('B2');
      expect(next.pages.some((p) => p.fullResync)).toBe(false);
      const again = await readAll(h.connector, next.cursor, fields);
      expect(again.records).toEqual([]);
    });

    it('reports deleted records', async () => {
      const ids = await h.seed([deal('Keep'), deal('Drop')]);
      const first = await readAll(h.connector, null, fields);
      await h.remove(ids[1] ?? '');
      await h.elapse?.(60_000);
      const next = await readAll(h.connector, first.cursor, fields);
      expect(next.deletedIds).toContain(ids[1]);
      expect(next.deletedIds).not.toContain(ids[0]);
    });

    it('resumes from a saved page cursor without loss or duplicates', async () => {
      const n = Math.min(3 * (h.pageSize ?? 10) + 7, 1000);
      const ids = await h.seed(Array.from({ length: n }, (_, i) => deal(`Resume ${i}`)));
      const seen: string[] = [];
      let saved: string | null = null;
      for await (const page of h.connector.readChanges({ cursor: null, fields })) {
        seen.push(...idsOf(page.records));
        saved = page.cursor;
        break; // the process "stops" after the first page
      }
      expect(saved).not.toBeNull();
      const rest = await readAll(h.connector, saved, fields);
      seen.push(...idsOf(rest.records));
      expect(unique(seen)).toBe(true);
      expect([...seen].sort()).toEqual([...ids].sort());
    });

    it('creates idempotently: the same external key twice gives one record', async () => {
      const before = await h.count();
      const op = { kind: 'create' as const, externalKey: '6a1f2c3d-0000-4000-8000-000000000001', fields: deal('Idempotent', h.requiredOnCreate) };
      const [first] = await h.connector.writeBatch([op]);
      const [second] = await h.connector.writeBatch([op]);
      const a = expectOk(first);
      const b = expectOk(second);
      expect(a.created).toBe(true);
      expect(b.created).toBe(false);
      expect(b.id).toBe(a.id);
      expect(await h.count()).toBe(before + 1);
      expect((await h.get(a.id))?.[h.fields.externalId]).toBe(op.externalKey);
    });

    it('lands updates', async () => {
      const [id = ''] = await h.seed([deal('Before')]);
      const [rec] = await h.connector.readRecords([id], fields);
      const [res] = await h.connector.writeBatch([{ kind: 'update', id, fields: { [h.fields.name]: 'After', [h.fields.amount]: 2500 }, expectedVersion: rec?.version ?? null }]);
      expectOk(res);
      const stored = await h.get(id);
      expect(stored?.[h.fields.name]).toBe('After');
      expect(stored?.[h.fields.amount]).toBe(2500);
    });

    it('detects a stale update and does not overwrite the newer edit', async () => {
      const [id = ''] = await h.seed([deal('Original')]);
      const [rec] = await h.connector.readRecords([id], fields);
      await h.update(id, { [h.fields.name]: 'Edited by a user' });
      const [res] = await h.connector.writeBatch([{ kind: 'update', id, fields: { [h.fields.name]: 'From co-sell' }, expectedVersion: rec?.version ?? null }]);
      expect(res?.ok).toBe(false);
      expect(res && !res.ok && res.stale).toBe(true);
      expect((await h.get(id))?.[h.fields.name]).toBe('Edited by a user');
    });

    it('reports a per-record validation failure without sinking the batch', async () => {
      const [id = ''] = await h.seed([deal('Fine')]);
      await h.failValidation({ field: h.fields.name, equals: 'Rejected deal' }, 'Deals named like this are not allowed');
      const results = await h.connector.writeBatch([
        { kind: 'create', externalKey: '6a1f2c3d-0000-4000-8000-000000000002', fields: deal('Good create', h.requiredOnCreate) },
        { kind: 'create', externalKey: '6a1f2c3d-0000-4000-8000-000000000003', fields: deal('Rejected deal', h.requiredOnCreate) },
        { kind: 'update', id, fields: { [h.fields.name]: 'Fine, updated' }, expectedVersion: null },
      ]);
      expect(results).toHaveLength(3);
      expectOk(results[0]);
      expectOk(results[2]);
      const bad = results[1];
      expect(bad?.ok).toBe(false);
      if (bad && !bad.ok) {
        expect(bad.stale).toBe(false);
        expect(bad.error.code).toBe('validation');
        expect(bad.error.message).toContain('Deals named like this are not allowed');
      }
      expect((await h.get(id))?.[h.fields.name]).toBe('Fine, updated');
    });

    it.each(['rate_limit', 'server_error', 'reset', 'expire_session'] as const)('retries a transient %s fault', async (fault) => {
      const [id = ''] = await h.seed([deal('Retry me')]);
      await h.injectFault(fault, 1);
      const [res] = await h.connector.writeBatch([{ kind: 'update', id, fields: { [h.fields.name]: `after ${fault}` }, expectedVersion: null }]);
      expectOk(res);
      await h.injectFault(fault, 1);
      const out = await readAll(h.connector, null, fields);
      expect(out.records.find((r) => r.id === id)?.fields[h.fields.name]).toBe(`after ${fault}`);
    });

    it('gives up on a persistent rate limit with a typed, retryable error', async () => {
      await h.seed([deal('Limited')]);
      await h.injectFault('rate_limit', 1000);
      let caught: unknown = null;
      try {
        await readAll(h.connector, null, fields);
      } catch (err) {
        caught = err;
      }
      expect(isConnectorError(caught)).toBe(true);
      if (isConnectorError(caught)) {
        expect(caught.code).toBe('rate_limited');
        expect(caught.retryable).toBe(true);
      }
    });

    it('describes the mapped fields with their types', async () => {
      const meta = await h.connector.describe();
      const byName = new Map(meta.fields.map((f) => [f.name, f]));
      expect(byName.get(h.fields.name)?.type).toBe('string');
      expect(['currency', 'double']).toContain(byName.get(h.fields.amount)?.type);
      expect(byName.get(h.fields.closeDate)?.type).toBe('date');
      expect(byName.get(h.fields.stage)?.type).toBe('picklist');
      expect(byName.get(h.fields.stage)?.picklistValues).toEqual(expect.arrayContaining([...h.openStages]));
      expect(byName.get(h.fields.externalId)?.type).toBe('string');
    });
  });
}
