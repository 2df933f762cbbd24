/**
 * The checks of a chaos run shared by its jest tests (test/integration/chaos.test.ts in CI,
 * test/chaos/chaos.test.ts for the long runs): the faults were injected, and nothing was lost,
 * duplicated or left waiting.
 */
import { chaosFailures, runChaos, type ChaosOptions } from './chaos-run';

/** The seed to replay (COSELL_CHAOS_SEED), if any. */
export function chaosSeed(): { seed?: number } {
  const raw = process.env.COSELL_CHAOS_SEED;
  return raw === undefined ? {} : { seed: Number(raw) };
}

export async function expectChaosPasses(options: ChaosOptions): Promise<void> {
  const records = options.records;
  const lines: string[] = [];
  const result = await runChaos({ ...options, log: (line) => lines.push(line) });
  process.stdout.write(`chaos figures ${JSON.stringify({ ...result, tail: undefined, report: { ...result.report, mismatches: result.report.mismatches.length } })}\n`);
  // The faults were injected: otherwise this proves nothing.
  expect(result.terminated).toMatch(/^cosell-sync/);
  expect(result.faults['dynamics outage 503'] ?? 0).toBeGreaterThan(0);
  expect((result.faults['salesforce 429'] ?? 0) + (result.faults['dynamics 429'] ?? 0)).toBeGreaterThan(0);
  expect(result.edits.sf).toBeGreaterThan(0);
  expect(result.edits.dyn).toBeGreaterThan(0);
  expect({ failures: chaosFailures(result), deadLetters: result.deadLetters }).toEqual({ failures: [], deadLetters: [] });
  expect(result.lost).toEqual({ sf: 0, dyn: 0, missingInSf: 0, missingInDyn: 0, editsLost: 0 });
  expect(Object.values(result.duplicated).every((v) => v === 0)).toBe(true);
  expect(result.report.opportunities).toBe(2 * records);
  expect({ sf: result.report.sfRecords, dyn: result.report.dynRecords }).toEqual({ sf: 2 * records, dyn: 2 * records });
  expect({ deadLetters: result.report.deadLetters, pendingConflicts: result.report.pendingConflicts, outbox: result.report.outbox }).toEqual({ deadLetters: 0, pendingConflicts: 0, outbox: 0 });
}
