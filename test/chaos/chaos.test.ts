/**
 * The chaos run in CI (test/chaos/chaos-run.ts; `npm run chaos` runs it at 5,000 records): the
 * daemon on PostgreSQL behind fault-injecting proxies (429 with Retry-After, 500/503, resets,
 * answers dropped after the write, slow answers, token expiry every 5 s, a 30 s Dynamics outage,
 * one store session terminated), records edited on both sides. Nothing may be lost or duplicated.
 * COSELL_CHAOS_RECORDS changes the size, COSELL_CHAOS_SEED replays a run's fault pattern.
 */
import { chaosFailures, runChaos } from './chaos-run';

const records = Number(process.env.COSELL_CHAOS_RECORDS ?? 1000);
const seed = process.env.COSELL_CHAOS_SEED === undefined ? undefined : Number(process.env.COSELL_CHAOS_SEED);

// Generous: a loaded machine may take several times the usual minute; nothing here is timed.
jest.setTimeout(20 * 60_000);

describe('chaos: faults on both CRMs and the store while records are edited on both sides', () => {
  it(`loses and duplicates none of ${records} records each way`, async () => {
    const lines: string[] = [];
    const result = await runChaos({ records, ...(seed !== undefined ? { seed } : {}), quietLimitMs: 10 * 60_000, log: (line) => lines.push(line) });
    process.stdout.write(`chaos figures ${JSON.stringify({ ...result, tail: undefined, report: { ...result.report, mismatches: result.report.mismatches.length } })}\n`);
    // The faults were injected: otherwise this proves nothing.
    expect(result.terminated).toMatch(/^cosell-sync/);
    expect(result.faults['dynamics outage 503'] ?? 0).toBeGreaterThan(0);
    expect((result.faults['salesforce 429'] ?? 0) + (result.faults['dynamics 429'] ?? 0)).toBeGreaterThan(0);
    expect(result.edits.sf).toBeGreaterThan(0);
    expect(result.edits.dyn).toBeGreaterThan(0);
    expect(chaosFailures(result)).toEqual([]);
    expect(result.lost).toEqual({ sf: 0, dyn: 0, missingInSf: 0, missingInDyn: 0, editsLost: 0 });
    expect(Object.values(result.duplicated).every((v) => v === 0)).toBe(true);
    expect(result.report.opportunities).toBe(2 * records);
    expect({ sf: result.report.sfRecords, dyn: result.report.dynRecords }).toEqual({ sf: 2 * records, dyn: 2 * records });
    expect({ deadLetters: result.report.deadLetters, pendingConflicts: result.report.pendingConflicts, outbox: result.report.outbox }).toEqual({ deadLetters: 0, pendingConflicts: 0, outbox: 0 });
  });
});
