/**
 * The crash run (architecture.md, sync protocol 4): `sync --once` in a child process, killed with
 * SIGKILL at random points and restarted, `kills` times; then run to completion and a few quiet
 * passes. The kill points are drawn uniformly over the sync's work (records pulled, records pushed
 * to each CRM) and aimed by the child's own log lines: a kill lands once the restarted run has
 * logged as many sync events as separate the committed state from its point (plus a random few
 * milliseconds, so some land mid-HTTP-call); about one in seven lands instead 0.1-6 s after spawn
 * (start-up, sign-in, reads).
 */
import { createStore } from '../../src/store';
import { phaseOf, progressOf, spawnDaemon, summariesOf, type DaemonProcess } from '../helpers/daemon-process';
import { DYN, SF, startWorld, type World, type WorldOptions } from '../helpers/sim-world';
import { changedRecords, verifyWorld, versionSnapshot, type WorldReport } from '../helpers/verify-world';

export interface KillRecord {
  n: number;
  /** How the kill was aimed: after the k-th sync event, or after a delay from spawn. */
  aim: string;
  /** ms from spawn to the kill. */
  atMs: number;
  /** Where the child was by its last log line (see phaseOf): `startup`, `<connector>:read|pull|push|done`. */
  landed: string;
  /** Records created from a pull and pushed, as logged by this child before it died. */
  created: number;
  pushed: number;
  /** The child had finished before the kill could land (not counted as a kill). */
  missed: boolean;
}

export interface CrashResult {
  seed: number;
  records: number;
  kills: KillRecord[];
  missedKills: number;
  /** Completion passes after the last kill until one pass pulled nothing new and pushed nothing. */
  passesToConverge: number;
  convergeMs: number;
  quietPasses: Array<{ pushed: number; applied: number; changedRecords: number }>;
  report: WorldReport;
  expected: { opportunities: number; sfRecords: number; dynRecords: number };
  totalMs: number;
}

export interface CrashOptions extends WorldOptions {
  kills: number;
  seed?: number;
  quietPasses?: number;
  log?: (line: string) => void;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the child has logged `count` sync events (records created or pushed), or has exited. */
async function untilEvents(d: DaemonProcess, count: number): Promise<void> {
  let done = false;
  void d.exited.then(() => {
    done = true;
  });
  while (!done) {
    const p = progressOf(d.logs);
    if (p.created + p.pushed >= count) return;
    await sleep(2);
  }
}

/** Waits for the child's output to be read to the end after its death. */
async function drained(d: DaemonProcess): Promise<void> {
  await Promise.all([d.child.stdout, d.child.stderr].map((s) => (s && !s.readableEnded ? new Promise((resolve) => s.once('close', resolve)) : undefined)));
}

async function syncOnce(world: World): Promise<ReturnType<typeof summariesOf>> {
  const d = spawnDaemon(['sync', '--once', '--json', '--config', world.configPath], world.env);
  const exit = await d.exited;
  await drained(d);
  const summaries = summariesOf(d.text);
  if (exit.code !== 0 || summaries.some((s) => s.error !== null)) {
    throw new Error(`sync --once failed (exit ${String(exit.code)}): ${JSON.stringify(summaries.map((s) => s.error))}\n${d.text.slice(-20).join('\n')}`);
  }
  return summaries;
}

/**
 * How far the sync has got, in sync events (a record created from a pull, a record pushed) as one
 * uninterrupted run would log them in order: Salesforce records linked, records holding their
 * co-sell id in Salesforce, Dynamics rows linked, rows holding their co-sell id in Dynamics.
 * Read between kills (the child is dead: SQLite has one writer).
 */
async function committedPosition(world: World): Promise<number> {
  const store = await createStore({ kind: 'sqlite', path: world.storePath });
  try {
    const seededSf = new Set(world.seeded.sf);
    const seededDyn = new Set(world.seeded.dyn);
    const sfLinked = (await store.listLinks({ connector: SF })).filter((l) => seededSf.has(l.externalId)).length;
    const dynLinked = (await store.listLinks({ connector: DYN })).filter((l) => seededDyn.has(l.externalId)).length;
    const sfWithId = world.sf.all().filter((r) => typeof r.CoSell_Id__c === 'string').length;
    const dynWithId = world.dyn.list().filter((r) => typeof r.cosell_cosellid === 'string').length;
    return sfLinked + sfWithId + dynLinked + dynWithId;
  } finally {
    await store.close();
  }
}

export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const started = Date.now();
  const seed = options.seed ?? Date.now() % 1_000_000_007;
  const rnd = random(seed);
  const log = options.log ?? ((): void => undefined);
  const world = await startWorld(options);
  try {
    const referrals = options.referrals ?? 0;
    const dynamics = options.dynamics ?? 0;
    const opportunities = options.salesforce + dynamics + referrals;
    // Sync events of the whole sync (see committedPosition). The kill points are uniform over it,
    // so about a third land in each phase (Salesforce pull, pushes to Salesforce, pushes to
    // Dynamics). A point the committed state has already passed (a restart got further than the
    // points before) is drawn again over the next stretch of the work left.
    const total = options.salesforce + opportunities + dynamics + opportunities;
    const points = Array.from({ length: options.kills }, () => Math.floor(rnd() * total)).sort((a, b) => a - b);
    const kills: KillRecord[] = [];
    let missedKills = 0;
    let forceTime = false;
    while (kills.length < options.kills) {
      const position = await committedPosition(world);
      const left = options.kills - kills.length;
      const planned = points[kills.length] as number;
      const point = planned > position ? planned : position + Math.floor((rnd() * 2 * (total - position)) / left);
      const byTime = rnd() < 0.15 || forceTime;
      const target = Math.max(1, point - position);
      const extraMs = Math.floor(rnd() * 40);
      const delayMs = 100 + Math.floor(rnd() * 5900);
      const t0 = Date.now();
      const d = spawnDaemon(['sync', '--once', '--json', '--config', world.configPath], world.env);
      if (byTime) await Promise.race([sleep(delayMs), d.exited]);
      else {
        await untilEvents(d, target);
        await Promise.race([sleep(extraMs), d.exited]);
      }
      const finished = d.child.exitCode !== null;
      const atMs = Date.now() - t0;
      await d.kill();
      await drained(d);
      const p = progressOf(d.logs);
      const record: KillRecord = {
        n: kills.length + 1, aim: byTime ? `${delayMs} ms after spawn` : `point ${point}/${total}: sync event ${target} of this run + ${extraMs} ms`, atMs,
        landed: finished ? 'finished' : phaseOf(d.logs), created: p.created, pushed: p.pushed, missed: finished,
      };
      if (finished) {
        // The run finished before its kill point: the point was past the end of the work left.
        missedKills += 1;
        // No sync work left to land in: this kill is aimed by time after spawn (start-up, reads).
        forceTime = true;
        log(`kill missed (the run finished first): ${JSON.stringify(record)}`);
        if (missedKills > 3 * options.kills) throw new Error('the runs finish before the kills land');
        continue;
      }
      forceTime = false;
      kills.push(record);
      log(`kill ${record.n}/${options.kills}: ${record.landed} (${record.aim}, at ${atMs} ms; committed before: ${position}; logged ${p.created} created, ${p.pushed} pushed)`);
    }
    const convergeStart = Date.now();
    let passesToConverge = 0;
    for (;;) {
      passesToConverge += 1;
      const summaries = await syncOnce(world);
      log(`completion pass ${passesToConverge}: ${summaries.map((s) => `${s.connector} pulled ${s.pulled} applied ${s.applied} pushed ${s.pushed}`).join('; ')}`);
      if (summaries.every((s) => s.applied === 0 && s.pushed === 0)) break;
      if (passesToConverge >= 8) throw new Error('no convergence after 8 passes');
    }
    const convergeMs = Date.now() - convergeStart;
    const quietPasses: CrashResult['quietPasses'] = [];
    for (let i = 0; i < (options.quietPasses ?? 2); i += 1) {
      const before = versionSnapshot(world);
      const summaries = await syncOnce(world);
      const changed = changedRecords(before, versionSnapshot(world)).length;
      quietPasses.push({ pushed: summaries.reduce((a, s) => a + s.pushed, 0), applied: summaries.reduce((a, s) => a + s.applied, 0), changedRecords: changed });
    }
    const report = await verifyWorld(world);
    const expected = {
      opportunities,
      sfRecords: options.salesforce + (options.salesforceOut ?? 0) + dynamics + referrals,
      dynRecords: dynamics + options.salesforce + referrals,
    };
    return { seed, records: options.salesforce, kills, missedKills, passesToConverge, convergeMs, quietPasses, report, expected, totalMs: Date.now() - started };
  } finally {
    await world.close();
  }
}
