/**
 * `npm run bench` (built to dist/bench/run.js): API calls and throughput of both connectors and of
 * the sync engine against the bundled simulators over real HTTP. See bench/README.md.
 *
 *   node dist/bench/run.js [--records N] [--only connectors|engine]
 */
import { dynamicsBench, salesforceBench, type PhaseFigures } from './connector-bench';
import { engineBench, type EngineRunFigures } from './engine-bench';

function parseArgs(argv: readonly string[]): { records: number; only: string | null } {
  let records = Number(process.env.COSELL_BENCH_RECORDS ?? 10_000);
  let only: string | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--records') records = Number(argv[++i]);
    else if (argv[i] === '--only') only = argv[++i] ?? null;
    else throw new Error(`unknown argument ${String(argv[i])} (usage: run.js [--records N] [--only connectors|engine])`);
  }
  if (!Number.isInteger(records) || records < 1) throw new Error('--records must be a positive integer');
  return { records, only };
}

function table(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function connectorTable(rows: PhaseFigures[]): string {
  return table(
    ['CONNECTOR', 'PHASE', 'RECORDS', 'OK', 'FAILED', 'API CALLS', 'SERVED', 'FLOOR', 'CALLS/FLOOR', 'MS', 'RECORDS/S'],
    rows.map((r) => [
      r.connector, r.phase, r.records, r.ok, r.failed, r.apiCalls, r.served, r.floor,
      r.floor === null ? null : (r.served / r.floor).toFixed(2), r.durationMs, r.recordsPerSecond,
    ]),
  );
}

function engineTable(rows: EngineRunFigures[]): string {
  return table(
    ['PASS', 'CONNECTOR', 'PULLED', 'APPLIED', 'PUSHED', 'CONFLICTS', 'DEAD LETTERS', 'API CALLS', 'SERVED', 'MS', 'RECORDS/S'],
    rows.map((r) => [r.pass, r.connector, r.pulled, r.applied, r.pushed, r.conflicts, r.deadLetters, r.apiCalls, r.served, r.durationMs, r.recordsPerSecond]),
  );
}

async function main(): Promise<void> {
  const { records, only } = parseArgs(process.argv.slice(2));
  const out = process.stdout;
  const result: { records: number; node: string; connectors: PhaseFigures[]; engine: EngineRunFigures[] } = { records, node: process.version, connectors: [], engine: [] };
  out.write(`cosell-sync benchmark: ${records} records, Node ${process.version}, simulators on 127.0.0.1\n\n`);
  if (only === null || only === 'connectors') {
    result.connectors = [...(await salesforceBench(records)), ...(await dynamicsBench(records))];
    out.write(`Connector level (FLOOR: Salesforce ceil(n/2000) reads, ceil(n/200) writes; Dynamics ceil(n/5000) reads, ceil(n/1000) writes)\n`);
    out.write(`${connectorTable(result.connectors)}\n\n`);
  }
  if (only === null || only === 'engine') {
    result.engine = await engineBench(records);
    out.write(`Engine level (Salesforce -> store -> Dynamics, SQLite store)\n${engineTable(result.engine)}\n\n`);
  }
  out.write(`${JSON.stringify({ benchmark: 'cosell-sync', ...result })}\n`);
  const failed = result.connectors.some((r) => r.failed > 0) || result.engine.some((r) => r.error !== null || r.deadLetters > 0);
  if (failed) {
    process.stderr.write('some records failed: the figures above are not a clean run\n');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
