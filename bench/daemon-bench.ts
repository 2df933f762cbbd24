/**
 * The benchmark as users run the daemon: the simulators in a process of their own with a latency
 * per request, and `cosell-sync sync --once` / `cosell-sync start` run from the built entry point
 * on a SQLite store, each pass a process whose wall time and peak RSS are measured.
 *
 * Phases: backfill N Salesforce deals through the core to Dynamics (and the status written back),
 * the echo pass (reads our own writes back, writes nothing), an idle pass; the same from Dynamics
 * to Salesforce; a steady phase of random edits in both CRMs under `start`, with the delay from an
 * edit in one CRM to the value visible in the other.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { perRecordBaseline, type BaselineFigures } from './baseline';
import { runMeasured, startMeasured } from './measure-process';
import { startSimProcess, type SimClient } from './sim-client';
import type { SimStarted, SteadyFigures } from './sim-protocol';

export interface DaemonBenchOptions {
  records: number;
  latencyMs: number;
  edits: number;
  /** The steady phase's schedule: every connector runs every pollSeconds. */
  pollSeconds: number;
  /** Seconds over which the steady phase's edits are spread. */
  spreadSeconds: number;
  /** Records the per-record baseline runs (scaled to N); 0 skips it. */
  baselineSample: number;
  /** When set, each `sync --once` pass writes a V8 CPU profile here (pass-<phase>-<n>.cpuprofile). */
  profileDir?: string | null;
  /** Node.js flags of each daemon process (`--node-arg --max-old-space-size=192`). */
  nodeArgs?: readonly string[];
  /** Leave the store and the configuration in their temporary folder (printed) instead of removing them. */
  keepStore?: boolean;
  root: string;
}

export interface ConnectorPass {
  connector: string;
  pulled: number;
  applied: number;
  pushed: number;
  deadLetters: number;
  conflicts: number;
  apiCalls: number;
  durationMs: number;
  error: string | null;
}

export interface PassFigures {
  phase: string;
  pass: number;
  /** Wall time of the process, start-up and store migration check included. */
  ms: number;
  peakRssMb: number | null;
  /** MB the process wrote (store and output), from /proc/<pid>/io. */
  writtenMb: number | null;
  connectors: ConnectorPass[];
  /** Requests the simulators served during the pass (token requests apart). */
  served: { salesforce: number; dynamics: number };
  /** CPU the simulator process used during the pass. */
  simulatorCpuMs: number;
}

export interface PhaseTotal {
  phase: string;
  passes: number;
  ms: number;
  peakRssMb: number | null;
  served: number;
  simulatorCpuMs: number;
}

export interface DaemonBenchFigures {
  records: number;
  latencyMs: number;
  passes: PassFigures[];
  phases: PhaseTotal[];
  steady: (SteadyFigures & { pollSeconds: number; peakRssMb: number | null }) | null;
  storeMb: number;
  /** Bytes of each table and index in the store (SQLite's dbstat), largest first. */
  storeTables: Array<{ name: string; mb: number; bytesPerDeal: number }>;
  linked: { salesforce: number; dynamics: number };
  baseline: BaselineFigures | null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function configYaml(sim: SimStarted, root: string, storePath: string, port: number, pollSeconds: number): string {
  const mapping = (kind: string): string => JSON.stringify(path.join(root, 'config', 'mappings', `${kind}.yaml`));
  const every = `'*/${pollSeconds} * * * * *'`;
  return `version: 1
store: { driver: sqlite, path: ${JSON.stringify(storePath)} }
connectors:
  - name: salesforce
    kind: salesforce
    loginUrl: ${sim.salesforceUrl}
    auth: { flow: client_credentials, clientId: bench-client, clientSecret: '\${BENCH_SF_SECRET}' }
    participation: [{ field: CoSell_Sync__c, op: eq, value: true }]
    schedule: ${every}
    mapping: ${mapping('salesforce')}
    options: { pageSize: 2000, batchSize: 200, publish: all }
  - name: dynamics
    kind: dynamics
    url: ${sim.dynamics.url}
    auth: { tenantId: ${sim.dynamics.tenantId}, clientId: ${sim.dynamics.clientId}, clientSecret: '\${BENCH_DYN_SECRET}', authority: ${sim.dynamics.authority} }
    participation: [{ field: cosell_sync, op: eq, value: true }]
    schedule: ${every}
    mapping: ${mapping('dynamics')}
    options: { pageSize: 5000, batchSize: 1000, publish: all }
reconciliation: { terminalConflicts: flag, illegalCrmMoves: accept-then-apply }
logging: { level: warn, format: json }
http: { port: ${port}, host: 127.0.0.1, adminToken: '\${BENCH_ADMIN_TOKEN}' }
`;
}

/** The run summaries printed by `sync --once --json` (the last JSON array on stdout). */
function parseSummaries(stdout: string): ConnectorPass[] {
  const start = stdout.lastIndexOf('\n[\n') >= 0 ? stdout.lastIndexOf('\n[\n') + 1 : stdout.indexOf('[');
  if (start < 0) throw new Error(`no run summary in the output: ${stdout.slice(-500)}`);
  const rows = JSON.parse(stdout.slice(start)) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    connector: String(r['connector']), pulled: Number(r['pulled']), applied: Number(r['applied']), pushed: Number(r['pushed']),
    deadLetters: Number(r['deadLetters']), conflicts: Number(r['conflicts']), apiCalls: Number(r['apiCalls']), durationMs: Number(r['durationMs']),
    error: typeof r['error'] === 'string' ? r['error'] : null,
  }));
}

/** The store's bytes by table and index, read with SQLite's dbstat table (the WAL checkpointed first). */
function storeTables(storePath: string, deals: number): DaemonBenchFigures['storeTables'] {
  const db = new Database(storePath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as Array<{ name: string; bytes: number }>;
    return rows.filter((r) => r.bytes >= 1024 * 1024).map((r) => ({ name: r.name, mb: Math.round(r.bytes / 1024 / 1024), bytesPerDeal: Math.round(r.bytes / Math.max(1, deals)) }));
  } finally {
    db.close();
  }
}

export async function daemonBench(o: DaemonBenchOptions, progress: (line: string) => void): Promise<DaemonBenchFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-daemon-bench-'));
  const sim: SimClient = await startSimProcess(o.latencyMs);
  const storePath = path.join(dir, 'bench.db');
  const configFile = path.join(dir, 'bench.yaml');
  writeFileSync(configFile, configYaml(sim.started, o.root, storePath, await freePort(), o.pollSeconds));
  const env = { ...process.env, BENCH_SF_SECRET: 'bench-secret', BENCH_DYN_SECRET: sim.started.dynamics.clientSecret, BENCH_ADMIN_TOKEN: 'bench-admin-token-0123456789' };
  const bin = path.join(o.root, 'dist', 'src', 'cli', 'bin.js');
  const passes: PassFigures[] = [];
  const phases: PhaseTotal[] = [];

  const onePass = async (phase: string, pass: number): Promise<PassFigures> => {
    const before = await sim.stats();
    const profile = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir, '--cpu-prof-name', `pass-${phase.replace(/[^a-z0-9]+/gi, '-')}-${String(pass)}.cpuprofile`] : [];
    const run = await runMeasured(process.execPath, [...(o.nodeArgs ?? []), ...profile, bin, 'sync', '--once', '--json', '--config', configFile], env);
    const after = await sim.stats();
    if (run.code !== 0 && run.code !== 1) throw new Error(`sync --once exited ${String(run.code)}: ${run.stderr.slice(-2000)}`);
    const figures: PassFigures = {
      phase, pass, ms: run.ms, peakRssMb: run.peakRssMb, writtenMb: run.writtenMb, connectors: parseSummaries(run.stdout),
      served: { salesforce: after.salesforceCalls - before.salesforceCalls, dynamics: after.dynamicsCalls - before.dynamicsCalls },
      simulatorCpuMs: after.cpuMs - before.cpuMs,
    };
    passes.push(figures);
    progress(`  ${phase} pass ${pass}: ${figures.ms} ms, peak RSS ${String(figures.peakRssMb)} MB, ` +
      figures.connectors.map((c) => `${c.connector} pulled ${c.pulled} applied ${c.applied} pushed ${c.pushed}${c.error ? ` error ${c.error}` : ''}`).join('; '));
    return figures;
  };

  /** Passes until one pushes nothing: those are the backfill; then the echo pass and an idle pass. */
  const direction = async (name: string): Promise<void> => {
    const work: PassFigures[] = [];
    for (let pass = 1; pass <= 6; pass += 1) {
      const f = await onePass(`${name} backfill`, pass);
      work.push(f);
      if (f.connectors.every((c) => c.pushed === 0)) break;
    }
    // The last backfill pass pushed nothing: it read back what the pass before wrote, so it is the echo pass.
    const echo = work.length > 1 ? work.pop() : undefined;
    if (echo) echo.phase = `${name} echo`;
    const idle = await onePass(`${name} idle`, 1);
    const total = (phase: string, list: PassFigures[]): PhaseTotal => ({
      phase, passes: list.length, ms: list.reduce((n, p) => n + p.ms, 0),
      peakRssMb: list.reduce<number | null>((m, p) => (p.peakRssMb === null ? m : Math.max(m ?? 0, p.peakRssMb)), null),
      served: list.reduce((n, p) => n + p.served.salesforce + p.served.dynamics, 0), simulatorCpuMs: list.reduce((n, p) => n + p.simulatorCpuMs, 0),
    });
    phases.push(total(`${name} backfill`, work));
    if (echo) phases.push(total(`${name} echo`, [echo]));
    phases.push(total(`${name} idle`, [idle]));
  };

  try {
    progress(`seeding ${o.records} Salesforce deals`);
    await sim.seed('salesforce', o.records, 0);
    await direction('Salesforce -> Dynamics');
    progress(`seeding ${o.records} Dynamics deals`);
    await sim.seed('dynamics', o.records, o.records);
    await direction('Dynamics -> Salesforce');
    let steady: DaemonBenchFigures['steady'] = null;
    if (o.edits > 0) {
      progress(`steady phase: ${o.edits} edits over ${o.spreadSeconds} s, every connector every ${o.pollSeconds} s`);
      const daemon = startMeasured(process.execPath, [...(o.nodeArgs ?? []), bin, 'start', '--config', configFile], env);
      const figures = await sim.steady(o.edits, o.spreadSeconds * 1000, 120_000);
      const stopped = await daemon.stop();
      steady = { ...figures, pollSeconds: o.pollSeconds, peakRssMb: stopped.peakRssMb };
    }
    const counts = await sim.counts();
    let baseline: BaselineFigures | null = null;
    if (o.baselineSample > 0) {
      progress(`per-record baseline: ${Math.min(o.baselineSample, o.records)} records, one read and one write request each`);
      baseline = await perRecordBaseline(sim, o.records, o.baselineSample);
    }
    return {
      baseline,
      records: o.records, latencyMs: o.latencyMs, passes, phases, steady,
      storeMb: Math.round((statSync(storePath).size + (statSync(`${storePath}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 1024 / 1024),
      storeTables: storeTables(storePath, o.records * 2),
      linked: { salesforce: counts.salesforceLinked, dynamics: counts.dynamicsLinked },
    };
  } finally {
    await sim.close();
    if (o.keepStore !== true) rmSync(dir, { recursive: true, force: true });
    else progress(`store kept in ${dir}`);
  }
}

