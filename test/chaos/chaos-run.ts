/**
 * The chaos run (architecture.md, resilience): `cosell-sync start` as a child process on a fresh
 * PostgreSQL database, both CRM simulators behind fault-injecting proxies, N records seeded in
 * each CRM and edited on both sides while the daemon works. Injected on API calls: 10% 429 with
 * Retry-After, 5% 500/503, 2% connection resets, 2% answers dropped after the CRM committed the
 * write, 5% slow answers; every 5 s all access tokens expire; one 30 s outage of Dynamics (every
 * call answered 503); one store session of the daemon terminated on the server
 * (pg_terminate_backend). Then it waits for quiet (an empty outbox, and two finished runs in a row
 * per connector that applied and pushed nothing), stops the daemon, and checks the world with the crash test's
 * checker: nothing lost, nothing duplicated, every edit kept.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDynamicsSimulator } from '../../connectors/dynamics/simulator';
import { startSalesforceSimulator } from '../../connectors/salesforce/simulator';
import { spawnDaemon, type DaemonExit } from '../helpers/daemon-process';
import { startFaultProxy, type ProxyFault } from '../helpers/fault-proxy';
import { pgQuery, TEST_PG_URL } from '../helpers/postgres-schema';
import { crashDynRow, crashSfRecord, DYN, ROOT, SF, type World } from '../helpers/sim-world';
import { verifyWorld, type WorldReport } from '../helpers/verify-world';
import { random } from '../crash/crash-run';

export interface ChaosOptions {
  /** Records seeded in each CRM. */
  records: number;
  seed?: number;
  /** Length of the Dynamics outage (default 30 s). */
  outageMs?: number;
  /** Give up waiting for quiet after this long (default 15 min). */
  quietLimitMs?: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  records: number;
  /** Faults injected, by CRM and kind. */
  faults: Record<string, number>;
  /** application_name of the store session terminated on the server. */
  terminated: string | null;
  edits: { sf: number; dyn: number };
  /** Runs recorded per connector, and how many ended in each status (`running`: never reported its end, e.g. its lease was lost). */
  passes: Record<string, { runs: number; byStatus: Record<string, number> }>;
  /** From the end of the edits and the outage until quiet; and from the daemon's start. */
  secondsToQuiet: number;
  secondsTotal: number;
  quiet: boolean;
  lost: { sf: number; dyn: number; missingInSf: number; missingInDyn: number; editsLost: number };
  duplicated: { sfByCosellId: number; dynByCosellId: number; links: number; straySf: number; strayDyn: number; extraSfRecords: number; extraDynRecords: number };
  report: WorldReport;
  /** Write calls that failed as a whole (their writes waited in the outbox for a later try), by connector and error code. */
  callFailures: Record<string, number>;
  /** Open dead letters by connector, direction and code, with one reason of each (a run that ends quiet with some left says why). */
  deadLetters: Array<{ connector: string; direction: string; code: string; count: number; reason: string }>;
  daemonExit: DaemonExit | null;
  /** Last lines of the daemon's output, when something went wrong. */
  tail: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function configYaml(params: { url: string; sfUrl: string; dynUrl: string; tenantId: string; clientId: string; authority: string }): string {
  const mapping = (kind: string): string => JSON.stringify(path.join(ROOT, 'config', 'mappings', `${kind}.yaml`));
  return `version: 1
store: { driver: postgres, url: ${JSON.stringify(params.url)} }
connectors:
  - name: ${SF}
    kind: salesforce
    loginUrl: ${params.sfUrl}
    auth: { flow: client_credentials, clientId: chaos-client, clientSecret: '\${COSELL_CHAOS_SF_SECRET}' }
    participation: [{ field: CoSell_Sync__c, op: eq, value: true }]
    schedule: '*/2 * * * * *'
    mapping: ${mapping('salesforce')}
    options: { pageSize: 2000, batchSize: 200, publish: all }
  - name: ${DYN}
    kind: dynamics
    url: ${params.dynUrl}
    auth: { tenantId: ${params.tenantId}, clientId: ${params.clientId}, clientSecret: '\${COSELL_CHAOS_DYN_SECRET}', authority: ${params.authority} }
    participation: [{ field: cosell_sync, op: eq, value: true }]
    schedule: '1-59/2 * * * * *'
    mapping: ${mapping('dynamics')}
    options: { pageSize: 5000, batchSize: 500, publish: all }
reconciliation: { terminalConflicts: flag, illegalCrmMoves: accept-then-apply }
logging: { level: info, format: json }
http: { port: 0, host: 127.0.0.1 }
`;
}

interface FaultState {
  outageUntil: number;
  counts: Map<string, number>;
}

/**
 * The fault plan of one CRM's proxy: during an outage every call gets a 503; otherwise API calls
 * (`isApi`) draw one of the faults by its rate, sign-in calls pass.
 */
function faultPlan(crm: string, rnd: () => number, state: FaultState, isApi: (url: string) => boolean, errorBody: (code: string) => unknown): (req: { url: string }) => ProxyFault | null {
  const count = (kind: string): void => void state.counts.set(`${crm} ${kind}`, (state.counts.get(`${crm} ${kind}`) ?? 0) + 1);
  return (req) => {
    if (Date.now() < state.outageUntil && crm === 'dynamics') {
      count('outage 503');
      return { kind: 'respond', status: 503, body: errorBody('outage') };
    }
    if (!isApi(req.url)) return null;
    const x = rnd();
    if (x < 0.1) {
      count('429');
      return { kind: 'respond', status: 429, headers: { 'retry-after': '1' }, body: errorBody('REQUEST_LIMIT_EXCEEDED') };
    }
    if (x < 0.125) {
      count('500');
      return { kind: 'respond', status: 500, body: errorBody('UNKNOWN_EXCEPTION') };
    }
    if (x < 0.15) {
      count('503');
      return { kind: 'respond', status: 503, body: errorBody('SERVER_UNAVAILABLE') };
    }
    if (x < 0.17) {
      count('reset');
      return { kind: 'reset' };
    }
    if (x < 0.19) {
      count('dropped answer');
      return { kind: 'drop' };
    }
    if (x < 0.24) {
      count('slow');
      return { kind: 'slow', ms: 300 + Math.floor(rnd() * 2700) };
    }
    return null;
  };
}

interface RunRow {
  connector: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  applied: number;
  pushed: number;
}

/**
 * Quiet: the outbox is empty (a write waiting for its retry is work still due, though the runs
 * meanwhile push nothing) and, for each connector, the last two runs that started after `since`
 * finished ok, applying and pushing nothing.
 */
function isQuiet(runs: readonly RunRow[], since: string, outbox: number): boolean {
  return outbox === 0 && [SF, DYN].every((connector) => {
    const finished = runs.filter((r) => r.connector === connector && r.started_at > since && r.finished_at !== null);
    const last = finished.slice(-2);
    return last.length === 2 && last.every((r) => r.status === 'ok' && Number(r.applied) === 0 && Number(r.pushed) === 0);
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const seed = options.seed ?? Date.now() % 1_000_000_007;
  const rnd = random(seed);
  const log = options.log ?? ((): void => undefined);
  const n = options.records;
  const outageMs = options.outageMs ?? 30_000;
  const quietLimitMs = options.quietLimitMs ?? 15 * 60_000;
  const database = `cosell_chaos_${randomBytes(4).toString('hex')}`;
  await pgQuery(`CREATE DATABASE ${database}`);
  const url = TEST_PG_URL.replace(/\/[^/]*$/, `/${database}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-chaos-'));
  const sf = await startSalesforceSimulator();
  const dyn = await startDynamicsSimulator();
  const state: FaultState = { outageUntil: 0, counts: new Map() };
  const sfProxy = await startFaultProxy(sf.url, faultPlan('salesforce', rnd, state, (u) => u.startsWith('/services/data'), (code) => [{ errorCode: code, message: 'injected' }]));
  const dynProxy = await startFaultProxy(dyn.url, faultPlan('dynamics', rnd, state, () => true, (code) => ({ error: { code, message: 'injected' } })));
  const timers: NodeJS.Timeout[] = [];
  let daemon: ReturnType<typeof spawnDaemon> | null = null;
  try {
    const sfIds: string[] = [];
    for (let from = 0; from < n; from += 1000) {
      sfIds.push(...sf.seed(Array.from({ length: Math.min(1000, n - from) }, (_, k) => crashSfRecord(from + k))));
    }
    const dynIds: string[] = [];
    for (let from = 0; from < n; from += 1000) {
      dynIds.push(...dyn.seed(Array.from({ length: Math.min(1000, n - from) }, (_, k) => crashDynRow(from + k, dyn.currencies))));
    }
    const configPath = path.join(dir, 'cosell-sync.yaml');
    writeFileSync(configPath, configYaml({ url, sfUrl: sfProxy.url, dynUrl: dynProxy.url, tenantId: dyn.tenantId, clientId: dyn.clientId, authority: dyn.authority }));
    const world: World = {
      dir, configPath, storePath: '', sf, dyn,
      seeded: { sf: sfIds, sfOut: [], dyn: dynIds, referrals: [] },
      env: { COSELL_CHAOS_SF_SECRET: 'chaos-secret', COSELL_CHAOS_DYN_SECRET: dyn.clientSecret },
      close: () => Promise.resolve(),
    };

    const started = Date.now();
    daemon = spawnDaemon(['start', '--config', configPath], world.env);
    const d = daemon;
    log(`seed ${seed}: ${n} Salesforce records and ${n} Dynamics rows seeded; daemon started (pid ${String(d.child.pid)}) on database ${database}`);

    timers.push(setInterval(() => {
      sf.expireSessions();
      dyn.expireAccessTokens();
      state.counts.set('token expiry (both CRMs)', (state.counts.get('token expiry (both CRMs)') ?? 0) + 1);
    }, 5_000));

    // Edits on both sides while the daemon works: a Salesforce record's Name, a Dynamics row's name.
    const lastName = new Map<string, { side: 'sf' | 'dyn'; name: string }>();
    const edits = { sf: 0, dyn: 0 };
    const editRound = (): void => {
      for (let k = 0; k < 2; k += 1) {
        const sfId = sfIds[Math.floor(rnd() * sfIds.length)] as string;
        const sfName = `Chaos edit sf ${edits.sf}`;
        sf.update(sfId, { Name: sfName });
        lastName.set(sfId, { side: 'sf', name: sfName });
        edits.sf += 1;
        const dynId = dynIds[Math.floor(rnd() * dynIds.length)] as string;
        const dynName = `Chaos edit dyn ${edits.dyn}`;
        dyn.update(dynId, { name: dynName });
        lastName.set(dynId, { side: 'dyn', name: dynName });
        edits.dyn += 1;
      }
    };
    timers.push(setInterval(editRound, 500));

    const linkCount = async (): Promise<number> => {
      try {
        const [row] = await pgQuery('SELECT count(*) AS n FROM links', [], url);
        return Number(row?.n ?? 0);
      } catch {
        return 0; // not migrated yet
      }
    };
    const exitedEarly = (): boolean => d.child.exitCode !== null || d.child.signalCode !== null;
    const until = async (what: string, links: number, fallbackMs: number): Promise<void> => {
      const t0 = Date.now();
      while (!exitedEarly() && Date.now() - t0 < fallbackMs && (await linkCount()) < links) await sleep(500);
      if (exitedEarly()) throw new Error(`the daemon exited ${JSON.stringify(await d.exited)} before ${what}\n${d.text.slice(-20).join('\n')}`);
    };

    // One store session terminated once the first pulled page is committed (a quarter of the links
    // at most; or 120 s after the daemon first opened a session: a loaded machine starts slowly).
    const storeSessions = (): Promise<Array<Record<string, unknown>>> => pgQuery(
      `SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'cosell-sync%'
       ORDER BY (application_name LIKE '%lease%') DESC, (state = 'active') DESC LIMIT 1`, [database],
    );
    const opening = Date.now();
    while (!exitedEarly() && Date.now() - opening < quietLimitMs && (await storeSessions()).length === 0) await sleep(250);
    await until('the store session was terminated', 1, 120_000);
    const victim = (await storeSessions())[0];
    let terminated: string | null = null;
    if (victim) {
      await pgQuery('SELECT pg_terminate_backend($1)', [victim.pid]);
      terminated = String(victim.application_name);
      state.counts.set('postgres session terminated', 1);
      log(`terminated store session "${terminated}" at ${((Date.now() - started) / 1000).toFixed(1)} s, ${await linkCount()} links`);
    } else log('no store session of the daemon to terminate');

    // The Dynamics outage once the pushes have begun (more links than records pulled; or 120 s later).
    await until('the outage', 2 * n + 1, 120_000);
    state.outageUntil = Date.now() + outageMs;
    log(`Dynamics outage for ${outageMs / 1000} s from ${((Date.now() - started) / 1000).toFixed(1)} s, ${await linkCount()} links`);
    await sleep(outageMs + 2_000);
    const editTimer = timers.pop();
    clearInterval(editTimer);
    const chaosEnd = Date.now();
    const since = new Date(chaosEnd).toISOString();
    log(`edits stopped at ${((chaosEnd - started) / 1000).toFixed(1)} s (${edits.sf} in Salesforce, ${edits.dyn} in Dynamics), ${await linkCount()} links; waiting for quiet`);

    let quiet = false;
    let runs: RunRow[] = [];
    while (!exitedEarly() && Date.now() - chaosEnd < quietLimitMs) {
      runs = (await pgQuery('SELECT connector, started_at, finished_at, status, applied, pushed FROM sync_runs ORDER BY started_at', [], url)) as unknown as RunRow[];
      const [outbox] = await pgQuery('SELECT count(*) AS n FROM outbox', [], url);
      if (isQuiet(runs, since, Number(outbox?.n ?? 0))) {
        quiet = true;
        break;
      }
      await sleep(1_000);
    }
    const quietAt = Date.now();
    log(quiet ? `quiet after ${((quietAt - chaosEnd) / 1000).toFixed(1)} s` : 'no quiet before the limit');

    d.child.kill('SIGTERM');
    let stopTimer: NodeJS.Timeout | undefined;
    const daemonExit = await Promise.race([d.exited, new Promise<null>((resolve) => (stopTimer = setTimeout(() => resolve(null), 30_000)))]);
    clearTimeout(stopTimer);
    if (daemonExit === null) await d.kill();
    for (const t of timers) clearInterval(t);
    timers.length = 0;

    const report = await verifyWorld(world, { kind: 'postgres', url });
    let editsLost = 0;
    for (const [id, edit] of lastName) {
      const now = edit.side === 'sf' ? sf.get(id)?.Name : dyn.get(id)?.name;
      if (now !== edit.name) editsLost += 1;
    }
    const deadLetters = (
      await pgQuery(
        'SELECT connector, direction, code, count(*) AS n, min(reason) AS reason FROM dead_letters WHERE resolved_at IS NULL GROUP BY connector, direction, code ORDER BY connector, direction, code',
        [],
        url,
      )
    ).map((r) => ({ connector: String(r['connector']), direction: String(r['direction']), code: String(r['code']), count: Number(r['n']), reason: String(r['reason']).slice(0, 300) }));
    const callFailures: Record<string, number> = {};
    for (const line of d.logs) {
      if (line.event !== 'sync.push_call_failed') continue;
      const key = `${String(line['connector'])} ${String(line['code'])}`;
      callFailures[key] = (callFailures[key] ?? 0) + 1;
    }
    // A kept edit is also in the other CRM: verifyWorld compares both CRMs with the store.
    const passes: ChaosResult['passes'] = {};
    for (const r of runs) {
      const p = (passes[r.connector] ??= { runs: 0, byStatus: {} });
      p.runs += 1;
      p.byStatus[r.status] = (p.byStatus[r.status] ?? 0) + 1;
    }
    return {
      seed, records: n, faults: Object.fromEntries([...state.counts.entries()].sort()), terminated, edits, passes,
      secondsToQuiet: Math.round((quietAt - chaosEnd) / 100) / 10, secondsTotal: Math.round((quietAt - started) / 100) / 10, quiet,
      lost: { sf: report.lost.sf, dyn: report.lost.dyn, missingInSf: report.missing.sf, missingInDyn: report.missing.dyn, editsLost },
      duplicated: {
        sfByCosellId: report.duplicates.sf, dynByCosellId: report.duplicates.dyn, links: report.duplicates.links,
        straySf: report.strays.sf, strayDyn: report.strays.dyn,
        extraSfRecords: Math.max(0, report.sfRecords - 2 * n), extraDynRecords: Math.max(0, report.dynRecords - 2 * n),
      },
      report: { ...report, mismatches: report.mismatches.slice(0, 20) },
      callFailures,
      deadLetters,
      daemonExit, tail: d.text.slice(-30),
    };
  } finally {
    for (const t of timers) clearInterval(t);
    if (daemon) await daemon.kill();
    await sfProxy.close();
    await dynProxy.close();
    await sf.close();
    await dyn.close();
    rmSync(dir, { recursive: true, force: true });
    await pgQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/** Whether a result shows any loss or duplicate (or never got quiet). */
export function chaosFailures(result: ChaosResult): string[] {
  const out: string[] = [];
  if (!result.quiet) out.push('the daemon never got quiet');
  for (const [k, v] of Object.entries(result.lost)) if (v !== 0) out.push(`lost ${k}: ${v}`);
  for (const [k, v] of Object.entries(result.duplicated)) if (v !== 0) out.push(`duplicated ${k}: ${v}`);
  if (result.report.mismatches.length > 0) out.push(`values differ between the CRMs and the store: ${result.report.mismatches.length}`);
  return out;
}
