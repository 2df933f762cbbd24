/**
 * The benchmark's simulator process: both CRM simulators in a process of their own, so that the
 * daemon's memory and CPU are measured apart from theirs. Every API request waits `--latency` ms
 * before it is served (token requests apart). Driven over IPC by bench/daemon-bench.ts; see
 * bench/sim-protocol.ts for the messages.
 *
 *   node dist/bench/sim-process.js --latency 20
 */
import { startDynamicsSimulator, type DynamicsSimulator } from '../connectors/dynamics/simulator';
import { startSalesforceSimulator, type SalesforceSimulator } from '../connectors/salesforce/simulator';
import { benchDynRow, benchSfRecord } from './records';
import type { SimReply, SimRequest, SteadyFigures } from './sim-protocol';

const CHUNK = 1000;

function latencyArg(argv: readonly string[]): number {
  const i = argv.indexOf('--latency');
  const v = i >= 0 ? Number(argv[i + 1]) : 20;
  if (!Number.isFinite(v) || v < 0) throw new Error('--latency must be a number of milliseconds >= 0');
  return v;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** Pairs of (Salesforce id, Dynamics id) that carry the same co-sell id: deals linked on both sides. */
function linkedPairs(sf: SalesforceSimulator, dyn: DynamicsSimulator): Array<{ sf: string; dyn: string }> {
  const bySellId = new Map<string, string>();
  for (const row of dyn.list()) {
    const key = row['cosell_cosellid'];
    if (typeof key === 'string' && key !== '') bySellId.set(key.toLowerCase(), String(row['opportunityid']));
  }
  const pairs: Array<{ sf: string; dyn: string }> = [];
  for (const rec of sf.all()) {
    const key = rec['CoSell_Id__c'];
    const dynId = typeof key === 'string' ? bySellId.get(key.toLowerCase()) : undefined;
    if (dynId !== undefined) pairs.push({ sf: String(rec['Id']), dyn: dynId });
  }
  return pairs;
}

/**
 * The steady phase: `edits` edits of a deal's name, spread over `spreadMs`, alternately in
 * Salesforce and in Dynamics, each on a different linked deal; for each, the time until the other
 * CRM shows the new name (polled in memory every 25 ms), up to `timeoutMs`.
 */
async function steady(sf: SalesforceSimulator, dyn: DynamicsSimulator, edits: number, spreadMs: number, timeoutMs: number): Promise<SteadyFigures> {
  const pairs = linkedPairs(sf, dyn);
  const n = Math.min(edits, pairs.length);
  const pending = new Map<number, { at: number; check: () => boolean }>();
  const delays: number[] = [];
  let timedOut = 0;
  let made = 0;
  const started = Date.now();
  const poll = setInterval(() => {
    const now = Date.now();
    for (const [k, p] of pending) {
      if (p.check()) {
        delays.push(now - p.at);
        pending.delete(k);
      } else if (now - p.at > timeoutMs) {
        timedOut += 1;
        pending.delete(k);
      }
    }
  }, 25);
  try {
    for (let k = 0; k < n; k += 1) {
      const due = started + (spreadMs * k) / n;
      if (due > Date.now()) await sleep(due - Date.now());
      const pair = pairs[(k * 7919) % pairs.length] as { sf: string; dyn: string };
      const name = `Steady edit ${k} ${Date.now()}`;
      if (k % 2 === 0) {
        sf.update(pair.sf, { Name: name });
        pending.set(k, { at: Date.now(), check: () => dyn.get(pair.dyn)?.['name'] === name });
      } else {
        dyn.update(pair.dyn, { name });
        pending.set(k, { at: Date.now(), check: () => sf.get(pair.sf)?.['Name'] === name });
      }
      made += 1;
    }
    while (pending.size > 0) await sleep(50);
  } finally {
    clearInterval(poll);
  }
  const sorted = [...delays].sort((a, b) => a - b);
  return { edits: made, propagated: delays.length, timedOut, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1] ?? null };
}

async function main(): Promise<void> {
  const latencyMs = latencyArg(process.argv.slice(2));
  const sf = await startSalesforceSimulator({ latencyMs, apiLimit: 10_000_000 });
  const dyn = await startDynamicsSimulator({ tokenLifetimeSeconds: 24 * 3600 });
  if (latencyMs > 0) dyn.injectFault({ kind: 'latency', times: Number.POSITIVE_INFINITY, latencyMs });
  const send = (reply: SimReply): void => {
    process.send?.(reply);
  };
  process.on('message', (raw: SimRequest) => {
    void (async (): Promise<void> => {
      try {
        switch (raw.op) {
          case 'seed': {
            for (let from = 0; from < raw.count; from += CHUNK) {
              const size = Math.min(CHUNK, raw.count - from);
              if (raw.side === 'salesforce') sf.seed(Array.from({ length: size }, (_, k) => benchSfRecord(raw.offset + from + k)));
              else dyn.seed(Array.from({ length: size }, (_, k) => benchDynRow(raw.offset + from + k, dyn.currencies)));
            }
            send({ id: raw.id, ok: true, value: null });
            break;
          }
          case 'counts': {
            const sfAll = sf.all();
            const sfLinked = sfAll.filter((r) => typeof r['CoSell_Id__c'] === 'string' && r['CoSell_Id__c'] !== '').length;
            const dynAll = dyn.list();
            const dynLinked = dynAll.filter((r) => typeof r['cosell_cosellid'] === 'string' && r['cosell_cosellid'] !== '').length;
            send({ id: raw.id, ok: true, value: { salesforce: sfAll.length, salesforceLinked: sfLinked, dynamics: dynAll.length, dynamicsLinked: dynLinked } });
            break;
          }
          case 'stats': {
            const cpu = process.cpuUsage();
            send({ id: raw.id, ok: true, value: { salesforceCalls: sf.stats().apiCalls, dynamicsCalls: dyn.stats().apiRequests, cpuMs: Math.round((cpu.user + cpu.system) / 1000) } });
            break;
          }
          case 'ids': {
            const rows = raw.side === 'salesforce' ? sf.all().map((r) => String(r['Id'])) : dyn.list().map((r) => String(r['opportunityid']));
            send({ id: raw.id, ok: true, value: rows.slice(0, raw.count) });
            break;
          }
          case 'steady':
            send({ id: raw.id, ok: true, value: await steady(sf, dyn, raw.edits, raw.spreadMs, raw.timeoutMs) });
            break;
          case 'close':
            await sf.close();
            await dyn.close();
            send({ id: raw.id, ok: true, value: null });
            process.exit(0);
        }
      } catch (error) {
        send({ id: raw.id, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  send({
    id: 0, ok: true,
    value: { salesforceUrl: sf.url, dynamics: { url: dyn.url, tenantId: dyn.tenantId, clientId: dyn.clientId, clientSecret: dyn.clientSecret, authority: dyn.authority }, latencyMs },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator process failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
