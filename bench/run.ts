/**
 * `npm run bench` (built to dist/bench/run.js): API calls and throughput of both connectors and of
 * the sync engine against the bundled simulators over real HTTP. See bench/README.md.
 *
 *   node dist/bench/run.js [--records N] [--only daemon|connectors|engine|all] [--latency MS] [--edits N]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dynamicsBench, ROOT, salesforceBench, type PhaseFigures } from './connector-bench';
import { daemonBench, type ConnectorPass, type DaemonBenchFigures } from './daemon-bench';
import { engineBench, type EngineRunFigures } from './engine-bench';

interface Args {
  records: number;
  only: 'connectors' | 'engine' | 'daemon' | 'all';
  latencyMs: number;
  edits: number;
  pollSeconds: number;
  spreadSeconds: number;
  baselineSample: number;
  profileDir: string | null;
  nodeArgs: string[];
  keepStore: boolean;
}

const USAGE = 'usage: run.js [--records N] [--only daemon|connectors|engine|all] [--latency MS] [--edits N] [--poll-seconds S] [--spread-seconds S] [--baseline-sample N] [--profile DIR] [--node-arg FLAG]... [--keep-store]';

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { records: Number(process.env.COSELL_BENCH_RECORDS ?? 10_000), only: 'daemon', latencyMs: 20, edits: 2000, pollSeconds: 5, spreadSeconds: 60, baselineSample: 500, profileDir: null, nodeArgs: [], keepStore: false };
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (${USAGE})`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--keep-store') {
      a.keepStore = true;
      continue;
    }
    const value = argv[i + 1];
    i += 1;
    if (flag === '--records') a.records = num(flag, value, 1);
    else if (flag === '--latency') a.latencyMs = num(flag, value, 0);
    else if (flag === '--edits') a.edits = num(flag, value, 0);
    else if (flag === '--poll-seconds') a.pollSeconds = num(flag, value, 1);
    else if (flag === '--spread-seconds') a.spreadSeconds = num(flag, value, 1);
    else if (flag === '--baseline-sample') a.baselineSample = num(flag, value, 0);
    else if (flag === '--profile' && value !== undefined && value !== '') a.profileDir = path.resolve(value);
    else if (flag === '--node-arg' && value !== undefined && value.startsWith('--')) a.nodeArgs.push(value);
    else if (flag === '--only' && (value === 'connectors' || value === 'engine' || value === 'daemon' || value === 'all')) a.only = value;
    else throw new Error(`unknown argument ${String(flag)} ${String(value ?? '')} (${USAGE})`);
  }
  if (!Number.isInteger(a.records) || a.records < 1) throw new Error('--records must be a positive integer');
  return a;
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

function daemonTables(d: DaemonBenchFigures): string {
  const passes = table(
    ['PHASE', 'PASS', 'MS', 'PEAK RSS MB', 'WRITTEN MB', 'CONNECTOR MS', 'PULLED', 'APPLIED', 'PUSHED', 'DEAD LETTERS', 'SERVED', 'SIM CPU MS'],
    d.passes.map((p) => [
      p.phase, p.pass, p.ms, p.peakRssMb, p.writtenMb, p.connectors.map((c) => `${c.connector} ${c.durationMs}`).join(', '),
      sum(p.connectors, 'pulled'), sum(p.connectors, 'applied'), sum(p.connectors, 'pushed'), sum(p.connectors, 'deadLetters'),
      p.served.salesforce + p.served.dynamics, p.simulatorCpuMs,
    ]),
  );
  const phases = table(
    ['PHASE', 'PASSES', 'MS', 'PEAK RSS MB', 'SERVED', 'SIM CPU MS'],
    d.phases.map((p) => [p.phase, p.passes, p.ms, p.peakRssMb, p.served, p.simulatorCpuMs]),
  );
  const lines = [`Passes (each a \`cosell-sync sync --once\` process; MS is its wall time, start-up included; WRITTEN MB what it wrote, the store's WAL and database above all)`, passes, '', 'Phases', phases, ''];
  if (d.steady) {
    const s = d.steady;
    lines.push(`Steady phase: ${s.edits} edits, ${s.propagated} propagated, ${s.timedOut} timed out; p50 ${String(s.p50Ms)} ms, p95 ${String(s.p95Ms)} ms, max ${String(s.maxMs)} ms (poll every ${s.pollSeconds} s); daemon peak RSS ${String(s.peakRssMb)} MB`);
  }
  lines.push(`Store: ${d.storeMb} MB for ${d.records * 2} deals; linked deals: Salesforce ${d.linked.salesforce}, Dynamics ${d.linked.dynamics}`);
  lines.push(`  by table and index (1 MB and over): ${d.storeTables.map((t) => `${t.name} ${t.mb} MB (${t.bytesPerDeal} B a deal)`).join(', ')}`);
  const backfill = d.phases.find((p) => p.phase === 'Salesforce -> Dynamics backfill');
  if (d.baseline && backfill) {
    const b = d.baseline;
    lines.push('', table(
      ['BACKFILL OF ' + String(d.records), 'API CALLS', 'MS', 'FAILED'],
      [['cosell-sync (Salesforce -> Dynamics)', backfill.served, backfill.ms, null], [`per-record baseline (${b.sample} run, scaled)`, b.calls, b.ms, b.failed],
        ['baseline / cosell-sync', (b.calls / Math.max(1, backfill.served)).toFixed(1) + 'x', (b.ms / Math.max(1, backfill.ms)).toFixed(1) + 'x', null]],
    ));
  }
  return lines.join('\n');
}

function sum(rows: readonly ConnectorPass[], key: 'pulled' | 'applied' | 'pushed' | 'deadLetters'): number {
  return rows.reduce((n, r) => n + r[key], 0);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { records, only } = args;
  const out = process.stdout;
  const result: { records: number; node: string; connectors: PhaseFigures[]; engine: EngineRunFigures[]; daemon: DaemonBenchFigures | null } = {
    records, node: process.version, connectors: [], engine: [], daemon: null,
  };
  out.write(`cosell-sync benchmark: ${records} records, Node ${process.version}, ${os.cpus().length} CPUs, simulators on 127.0.0.1\n\n`);
  if (only === 'daemon' || only === 'all') {
    out.write(`Daemon as users run it: simulators in their own process, ${args.latencyMs} ms per request, SQLite store${args.nodeArgs.length > 0 ? `, daemon run with ${args.nodeArgs.join(' ')}` : ''}\n`);
    result.daemon = await daemonBench({ ...args, root: ROOT }, (line) => out.write(`${line}\n`));
    out.write(`\n${daemonTables(result.daemon)}\n\n`);
  }
  if (only === 'connectors' || only === 'all') {
    result.connectors = [...(await salesforceBench(records)), ...(await dynamicsBench(records))];
    out.write(`Connector level (FLOOR: Salesforce ceil(n/2000) reads, ceil(n/200) writes; Dynamics ceil(n/5000) reads, ceil(n/1000) writes)\n`);
    out.write(`${connectorTable(result.connectors)}\n\n`);
  }
  if (only === 'engine' || only === 'all') {
    result.engine = await engineBench(records);
    out.write(`Engine level, in one process (Salesforce -> store -> Dynamics, SQLite store)\n${engineTable(result.engine)}\n\n`);
  }
  const file = path.join(ROOT, 'bench', 'results.json');
  writeFileSync(file, `${JSON.stringify({ benchmark: 'cosell-sync', at: new Date().toISOString(), ...result }, null, 2)}\n`);
  out.write(`figures written to ${file}\n`);
  const daemonFailed = result.daemon !== null && (result.daemon.passes.some((p) => p.connectors.some((c) => c.error !== null || c.deadLetters > 0)) || (result.daemon.baseline?.failed ?? 0) > 0);
  const failed = daemonFailed || result.connectors.some((r) => r.failed > 0) || result.engine.some((r) => r.error !== null || r.deadLetters > 0);
  if (failed) {
    process.stderr.write('some records failed: the figures above are not a clean run\n');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
