/**
 * Scale-out (architecture.md, Scale): three `cosell-sync start` processes on one PostgreSQL, two
 * connector instances against the simulators. One process is killed with SIGKILL while it holds a
 * lease, and the lease session of another instance is terminated on the server. Then:
 * - each instance was worked by one process at a time: the runs recorded in sync_runs never
 *   overlap per instance (a run whose lease was lost is left out: its page rolled back, nothing of
 *   it was committed after the loss);
 * - the killed process's instance is taken over by another process within TAKEOVER_BOUND_MS
 *   (schedules tick every 2 s; a killed session's advisory lock ends with its socket);
 * - every seeded record is linked once and exists once in the other CRM: nothing lost or duplicated.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process';
import { pgQuery, TEST_PG_URL } from '../helpers/postgres-schema';
import { crashDynRow, crashSfRecord, DYN, ROOT, SF } from '../helpers/sim-world';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../connectors/dynamics/simulator';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../connectors/salesforce/simulator';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const SF_RECORDS = 40;
const DYN_ROWS = 15;
const TAKEOVER_BOUND_MS = 20_000;
const SETTLE_LIMIT_MS = 45_000;
jest.setTimeout(240_000);

function configYaml(params: { url: string; sf: SalesforceSimulator; dyn: DynamicsSimulator }): string {
  const mapping = (kind: string): string => JSON.stringify(path.join(ROOT, 'config', 'mappings', `${kind}.yaml`));
  const { dyn } = params;
  return `version: 1
store: { driver: postgres, url: ${JSON.stringify(params.url)}, poolSize: 3 }
connectors:
  - name: ${SF}
    kind: salesforce
    loginUrl: ${params.sf.url}
    auth: { flow: client_credentials, clientId: mp-client, clientSecret: '\${COSELL_MP_SF_SECRET}' }
    participation: [{ field: CoSell_Sync__c, op: eq, value: true }]
    schedule: '*/2 * * * * *'
    mapping: ${mapping('salesforce')}
    options: { pageSize: 2000, batchSize: 200, publish: all }
  - name: ${DYN}
    kind: dynamics
    url: ${dyn.url}
    auth: { tenantId: ${dyn.tenantId}, clientId: ${dyn.clientId}, clientSecret: '\${COSELL_MP_DYN_SECRET}', authority: ${dyn.authority} }
    participation: [{ field: cosell_sync, op: eq, value: true }]
    schedule: '1-59/2 * * * * *'
    mapping: ${mapping('dynamics')}
    options: { pageSize: 5000, batchSize: 500, publish: all }
logging: { level: info, format: json }
http: { port: 0, host: 127.0.0.1 }
`;
}

interface RunRow {
  run_id: string;
  connector: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  error: string | null;
}

async function query<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function waitFor(what: string, limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Date.now() - start;
}

/** The process (child pid) holding each instance's lease, from the lease sessions' application_name. */
async function leaseHolders(): Promise<Map<string, { backend: number; pid: number }>> {
  const rows = await pgQuery("SELECT pid, application_name FROM pg_stat_activity WHERE application_name LIKE 'cosell-sync[%] lease connector:%'");
  const out = new Map<string, { backend: number; pid: number }>();
  for (const row of rows) {
    const match = /^cosell-sync\[(\d+)\] lease connector:(.+)$/.exec(String(row['application_name']));
    if (match) out.set(match[2]!, { backend: Number(row['pid']), pid: Number(match[1]) });
  }
  return out;
}

it('three workers, one killed -9 and one lease session terminated: one worker per instance at a time, takeover, nothing lost or duplicated', async () => {
  const database = `cosell_mp_${randomBytes(4).toString('hex')}`;
  await pgQuery(`CREATE DATABASE ${database}`);
  const url = TEST_PG_URL.replace(/\/[^/]*$/, `/${database}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-mp-'));
  const sf = await startSalesforceSimulator();
  const dyn = await startDynamicsSimulator();
  const children: DaemonProcess[] = [];
  try {
    const sfIds = sf.seed(Array.from({ length: SF_RECORDS }, (_, i) => crashSfRecord(i)));
    const dynIds = dyn.seed(Array.from({ length: DYN_ROWS }, (_, i) => crashDynRow(i, dyn.currencies)));
    // Slow answers keep runs long enough for the faults to land while a run holds its lease.
    sf.injectFault('latency', 100_000, { latencyMs: 150 }); // every run stays long enough to be caught mid-run
    dyn.injectFault({ kind: 'latency', times: 100_000, latencyMs: 150 }); // every Dynamics run stays long enough to be caught mid-run
    const configPath = path.join(dir, 'cosell-sync.yaml');
    writeFileSync(configPath, configYaml({ url, sf, dyn }));
    const env = { COSELL_MP_SF_SECRET: 'mp-secret', COSELL_MP_DYN_SECRET: dyn.clientSecret };
    for (let i = 0; i < 3; i += 1) children.push(spawnDaemon(['start', '--config', configPath], env));

    // 1. kill -9 the process holding the Salesforce instance's lease, mid-run: once its run is
    // recorded (a loaded runner may take a while between taking the lease and recording the run).
    let victim: DaemonProcess | undefined;
    // Start-up transpiles the sources in each child: slow on a loaded runner.
    await waitFor('a worker holds the Salesforce lease and has recorded its run', 120_000, async () => {
      const holder = (await leaseHolders()).get(SF);
      victim = children.find((c) => c.child.pid === holder?.pid);
      if (victim === undefined) return false;
      try {
        return (await query<RunRow>(url, "SELECT * FROM sync_runs WHERE connector = $1 AND status = 'running'", [SF])).length > 0;
      } catch {
        return false; // not migrated yet
      }
    });
    const killedAt = new Date();
    await victim!.kill();

    // 2. terminate the lease session of the Dynamics instance, wherever it is held.
    // Mid-run: a page transaction is under way (runs are short, so wait for a recorded running run).
    await waitFor('a worker holds the Dynamics lease with its run going', 60_000, async () => {
      const holder = (await leaseHolders()).get(DYN);
      if (holder === undefined) return false;
      if ((await query<RunRow>(url, "SELECT * FROM sync_runs WHERE connector = $1 AND status = 'running'", [DYN])).length === 0) return false;
      await pgQuery('SELECT pg_terminate_backend($1)', [holder.backend]);
      return true;
    });

    // 3. another worker takes the Salesforce instance over.
    const takeoverMs = await waitFor('another worker runs the Salesforce instance', TAKEOVER_BOUND_MS, async () => {
      const rows = await query<RunRow>(url, 'SELECT * FROM sync_runs WHERE connector = $1 AND started_at > $2', [SF, killedAt.toISOString()]);
      return rows.length > 0;
    });

    // 4. everything settles: every record linked, every deal in the other CRM.
    const settleMs = await waitFor('every record synced both ways', SETTLE_LIMIT_MS, async () => {
      const [links] = await query<{ sf: string; dyn: string }>(url, `SELECT
        (SELECT count(*) FROM links WHERE connector = '${SF}') AS sf, (SELECT count(*) FROM links WHERE connector = '${DYN}') AS dyn`);
      return Number(links?.sf) === SF_RECORDS + DYN_ROWS && Number(links?.dyn) === SF_RECORDS + DYN_ROWS;
    });
    for (const c of children) await c.kill();

    // Nothing lost: every seeded record is linked. Nothing duplicated: one CRM record per deal.
    const links = await query<{ connector: string; external_id: string; opportunity_id: string }>(url, 'SELECT connector, external_id, opportunity_id FROM links');
    const sfLinked = new Set(links.filter((l) => l.connector === SF).map((l) => l.external_id));
    const dynLinked = new Set(links.filter((l) => l.connector === DYN).map((l) => l.external_id));
    for (const id of sfIds) expect(sfLinked.has(id)).toBe(true);
    for (const id of dynIds) expect(dynLinked.has(id)).toBe(true);
    expect(sf.count()).toBe(SF_RECORDS + DYN_ROWS);
    expect(dyn.count()).toBe(SF_RECORDS + DYN_ROWS);
    const [opps] = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM opportunities');
    expect(Number(opps?.n)).toBe(SF_RECORDS + DYN_ROWS);
    const coSellIds = new Set(sf.all().map((r) => r['CoSell_Id__c']));
    expect(coSellIds.size).toBe(SF_RECORDS + DYN_ROWS);

    // One worker per instance at a time: recorded runs never overlap (lease-lost runs left out).
    const runs = await query<RunRow>(url, 'SELECT * FROM sync_runs ORDER BY connector, started_at');
    for (const connector of [SF, DYN]) {
      const mine = runs.filter((r) => r.connector === connector && !/lease .* lost/.test(r.error ?? ''));
      for (let i = 1; i < mine.length; i += 1) {
        const previousEnd = mine[i - 1]!.finished_at;
        if (previousEnd === null) continue; // the last run of a worker killed at the very end
        expect({ connector, run: mine[i]!.run_id, startedAfterPreviousEnd: mine[i]!.started_at >= previousEnd }).toEqual({ connector, run: mine[i]!.run_id, startedAfterPreviousEnd: true });
      }
    }
    expect(runs.some((r) => r.connector === SF && r.status === 'abandoned')).toBe(true);
    // The run whose lease session was terminated ended as lease-lost, or, when the next worker took the
    // instance before that run could report its end, was marked abandoned by that worker.
    expect(runs.some((r) => r.connector === DYN && (/lease .* lost/.test(r.error ?? '') || r.status === 'abandoned'))).toBe(true);
    // No worker crashed on the terminated session: only the killed one is gone by a signal.
    const crashed = children.filter((c) => c !== victim && c.logs.some((l) => l.level === 'error' && /Unhandled|uncaught/i.test(String(l.message))));
    expect(crashed).toHaveLength(0);
    // Figures for the record.
    process.stdout.write(`multi-process: takeover ${takeoverMs} ms after kill -9 (bound ${TAKEOVER_BOUND_MS} ms), settled ${settleMs} ms later, ${runs.length} runs\n`);
  } catch (error) {
    for (const c of children) process.stdout.write(`child ${c.child.pid}:\n${[...c.text, ...c.logs.map((l) => JSON.stringify(l))].slice(-15).join('\n')}\n`);
    throw error;
  } finally {
    for (const c of children) await c.kill();
    await sf.close();
    await dyn.close();
    rmSync(dir, { recursive: true, force: true });
    await pgQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
});
