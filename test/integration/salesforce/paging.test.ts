import { startSim, connectTo, opportunity } from './harness';
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { ChangePage } from '../../../src/ports/connector';
import { decodeCursor } from '../../../connectors/salesforce/cursor';

const FIELDS = ['Name', 'Amount', 'StageName', 'CoSell_Id__c'];

describe('salesforce readChanges paging on (SystemModstamp, Id)', () => {
  let sim: SalesforceSimulator;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  it.each([2000, 200])('reads 2,500 records sharing one SystemModstamp exactly once (page size %i)', async (pageSize) => {
    sim.pinModstamp('2026-03-01T12:00:00Z');
    const ids = sim.seed(Array.from({ length: 2500 }, () => opportunity()));
    sim.pinModstamp(null);
    const connector = connectTo(sim, { pageSize });
    const pages: ChangePage[] = [];
    for await (const page of connector.readChanges({ cursor: null, fields: FIELDS })) pages.push(page);
    const seen = pages.flatMap((p) => p.records.map((r) => r.id));
    expect(seen).toHaveLength(2500);
    expect(new Set(seen).size).toBe(2500);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(pages.filter((p) => p.records.length > 0)).toHaveLength(Math.ceil(2500 / pageSize));
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.version.split('#')[0])))).toEqual(new Set(['2026-03-01T12:00:00.000+0000']));
    // Every page cursor sits inside the shared stamp; resuming from it reads exactly the rest.
    let before = 0;
    for (const page of pages.filter((p) => p.records.length > 0).slice(0, 3)) {
      before += page.records.length;
      const rest: string[] = [];
      for await (const next of connector.readChanges({ cursor: page.cursor, fields: FIELDS })) rest.push(...next.records.map((r) => r.id));
      expect(rest).toEqual(seen.slice(before));
    }
  });

  it('resumes mid-stamp from each page cursor without loss or duplicates', async () => {
    sim.pinModstamp('2026-03-01T12:00:00Z');
    const ids = sim.seed(Array.from({ length: 1000 }, () => opportunity()));
    sim.pinModstamp(null);
    const connector = connectTo(sim, { pageSize: 200 });
    const seen: string[] = [];
    let cursor: string | null = null;
    // Stop after every single page and resume from its cursor, as a restarted daemon would.
    for (let round = 0; round < 20; round += 1) {
      let got = false;
      for await (const page of connector.readChanges({ cursor, fields: FIELDS })) {
        seen.push(...page.records.map((r) => r.id));
        cursor = page.cursor;
        got = page.records.length > 0;
        break;
      }
      if (!got) break;
    }
    expect(seen).toHaveLength(1000);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('keeps in each page cursor the records of its overlap window, and only those', async () => {
    sim.pinModstamp('2026-03-01T12:00:00Z');
    const early = sim.seed(Array.from({ length: 300 }, () => opportunity()));
    sim.pinModstamp('2026-03-01T13:00:00Z');
    const late = sim.seed(Array.from({ length: 300 }, () => opportunity()));
    sim.pinModstamp(null);
    const connector = connectTo(sim, { pageSize: 200 });
    const windows: string[][] = [];
    for await (const page of connector.readChanges({ cursor: null, fields: FIELDS })) {
      if (page.records.length > 0) windows.push(Object.keys((JSON.parse(page.cursor) as { seen: Record<string, string> }).seen).sort());
    }
    // Pages of 200: the first lies in the early second and keeps it; the second ends an hour later,
    // so the early records leave the window; the third stays in the late second and adds to it.
    expect(windows).toEqual([early.slice(0, 200).sort(), late.slice(0, 100).sort(), [...late].sort()]);
  });

  it('reads only participating records', async () => {
    const [inId] = sim.seed([opportunity(), opportunity({ CoSell_Sync__c: false })]);
    const connector = connectTo(sim);
    const seen: string[] = [];
    for await (const page of connector.readChanges({ cursor: null, fields: FIELDS })) seen.push(...page.records.map((r) => r.id));
    expect(seen).toEqual([inId]);
  });

  it('turns an expired deleted-records window into a full reconciliation pass', async () => {
    const ids = sim.seed([opportunity(), opportunity(), opportunity()]);
    let offsetMs = 0;
    const connector = connectTo(sim, { now: () => Date.now() + offsetMs });
    let cursor: string | null = null;
    for await (const page of connector.readChanges({ cursor: null, fields: FIELDS })) cursor = page.cursor;
    sim.remove(ids[0] ?? '');
    // Two minutes on, the org purges its deleted-records log: the cursor's window is no longer
    // covered (earliestDateAvailable is reported in whole minutes).
    offsetMs = 120_000;
    sim.setClock({ offsetMs });
    sim.purgeDeletedBefore(Date.now() + offsetMs);
    const pages: ChangePage[] = [];
    for await (const page of connector.readChanges({ cursor, fields: FIELDS })) pages.push(page);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((p) => p.fullResync)).toBe(true);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id)))).toEqual(new Set([ids[1], ids[2]]));
    // After the pass the cursor is incremental again.
    const after: ChangePage[] = [];
    for await (const page of connector.readChanges({ cursor: pages[pages.length - 1]?.cursor ?? null, fields: FIELDS })) after.push(page);
    expect(after.some((p) => p.fullResync)).toBe(false);
  });

  it('falls back to a full pass when getDeleted refuses a start older than the org keeps', async () => {
    const ids = sim.seed([opportunity(), opportunity()]);
    const connector = connectTo(sim);
    let cursor: string | null = null;
    for await (const page of connector.readChanges({ cursor: null, fields: FIELDS })) cursor = page.cursor;
    sim.setClock({ offsetMs: 31 * 86_400_000 });
    const pages: ChangePage[] = [];
    for await (const page of connector.readChanges({ cursor, fields: FIELDS })) pages.push(page);
    expect(pages.every((p) => p.fullResync)).toBe(true);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id)))).toEqual(new Set(ids));
  });

  const readAll = async (connector: ReturnType<typeof connectTo>, cursor: string | null): Promise<{ ids: string[]; cursor: string | null }> => {
    const ids: string[] = [];
    let last = cursor;
    for await (const page of connector.readChanges({ cursor, fields: FIELDS })) {
      ids.push(...page.records.map((r) => r.id));
      last = page.cursor;
    }
    return { ids, cursor: last };
  };

  it('with settleMs, a record committed late with a stamp older than the cursor is still read, and nothing is read twice', async () => {
    const connector = connectTo(sim, { settleMs: 5000 });
    const now = Date.now();
    sim.pinModstamp(now - 20_000);
    const [older = ''] = sim.seed([opportunity()]);
    sim.pinModstamp(now - 3000);
    const [newest = ''] = sim.seed([opportunity()]);
    sim.pinModstamp(null);
    const first = await readAll(connector, null);
    expect(first.ids).toEqual([older, newest]);
    // A transaction that began before `newest` was stamped commits only now: its stamp is behind the cursor.
    sim.pinModstamp(now - 4000);
    const [late = ''] = sim.seed([opportunity()]);
    sim.pinModstamp(null);
    const second = await readAll(connector, first.cursor);
    expect(second.ids).toEqual([late]);
    // Read again: the overlap holds only records already read.
    const third = await readAll(connector, second.cursor);
    expect(third.ids).toEqual([]);
    // A record of the overlap changed again (new stamp) is read again.
    sim.update(newest, { Amount: 5 });
    expect((await readAll(connector, third.cursor)).ids).toEqual([newest]);
  });

  it('once the org clock is settleMs (and a second) past the records read, the next read no longer starts behind them', async () => {
    // A whole minute ahead of the org's start, so its deleted-records log covers every cursor.
    const base = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    let now = base;
    const at = (ms: number): void => {
      now = ms;
      sim.setClock({ now: ms });
    };
    const connector = connectTo(sim, { settleMs: 5000, now: () => now });
    at(base);
    const [burst = ''] = sim.seed([opportunity()]);
    const first = await readAll(connector, null);
    expect(first.ids).toEqual([burst]);
    // getDeleted ignores seconds: the org covers up to base only, 2 s later.
    at(base + 2000);
    const second = await readAll(connector, first.cursor);
    expect(second.ids).toEqual([]);
    expect(decodeCursor(second.cursor ?? '').settled).toBe(new Date(base - 6000).toISOString());
    // A minute on, the org covers base + 60 s: records stamped up to 6 s before that can no longer commit behind it.
    at(base + 70_000);
    const third = await readAll(connector, second.cursor);
    expect(third.ids).toEqual([]);
    expect(decodeCursor(third.cursor ?? '').settled).toBe(new Date(base + 54_000).toISOString());
    // A record stamped before `settled` (a commit later than settleMs allows) is behind where reads
    // now start; one stamped after it is read, and the burst is not read again.
    sim.pinModstamp(base + 53_000);
    const [tooLate = ''] = sim.seed([opportunity()]);
    sim.pinModstamp(base + 55_000);
    const [inWindow = ''] = sim.seed([opportunity()]);
    sim.pinModstamp(null);
    at(base + 71_000);
    const fourth = await readAll(connector, third.cursor);
    expect(fourth.ids).toEqual([inWindow]);
    // From the cursor before, the read still started settleMs behind the burst and found both.
    const fromSecond = await readAll(connector, second.cursor);
    expect(new Set(fromSecond.ids)).toEqual(new Set([tooLate, inWindow]));
  });

  it('without settleMs (0), the same late record is never read: the case the overlap exists for', async () => {
    const connector = connectTo(sim, { settleMs: 0 });
    const now = Date.now();
    sim.pinModstamp(now - 3000);
    sim.seed([opportunity()]);
    sim.pinModstamp(null);
    const first = await readAll(connector, null);
    sim.pinModstamp(now - 4000);
    sim.seed([opportunity()]);
    sim.pinModstamp(null);
    expect((await readAll(connector, first.cursor)).ids).toEqual([]);
  });

  it('validates settleMs', () => {
    expect(() => connectTo(sim, { settleMs: -1 })).toThrow(/settleMs must be a whole number of milliseconds within 0..3600000, got -1/);
    expect(() => connectTo(sim, { settleMs: 1.5 })).toThrow(/settleMs/);
  });

  it('rejects a malformed cursor with a state error', async () => {
    const connector = connectTo(sim);
    const iterate = async (): Promise<void> => {
      for await (const _page of connector.readChanges({ cursor: '{"v":1,"stamp":"x"}', fields: FIELDS })) void _page;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'state' });
  });
});
