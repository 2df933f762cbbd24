/** The benchmark's side of the simulator process: fork it, send requests, await replies. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SimCounts, SimReply, SimStarted, SimStatsReply, SteadyFigures } from './sim-protocol';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export interface SimClient {
  readonly started: SimStarted;
  seed(side: 'salesforce' | 'dynamics', count: number, offset: number): Promise<void>;
  counts(): Promise<SimCounts>;
  stats(): Promise<SimStatsReply>;
  ids(side: 'salesforce' | 'dynamics', count: number): Promise<string[]>;
  steady(edits: number, spreadMs: number, timeoutMs: number): Promise<SteadyFigures>;
  close(): Promise<void>;
}

export async function startSimProcess(latencyMs: number): Promise<SimClient> {
  const child: ChildProcess = fork(path.join(__dirname, 'sim-process.js'), ['--latency', String(latencyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, Pending>();
  let next = 1;
  const started = await new Promise<SimStarted>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator process exited (${String(code)}) before it started`)));
    child.on('message', (m: SimReply) => {
      if (m.id === 0 && m.ok) {
        resolve(m.value as SimStarted);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`simulator process: ${m.error}`));
    });
  });
  const ask = <T>(req: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  return {
    started,
    seed: (side, count, offset) => ask<void>({ op: 'seed', side, count, offset }),
    counts: () => ask<SimCounts>({ op: 'counts' }),
    stats: () => ask<SimStatsReply>({ op: 'stats' }),
    ids: (side, count) => ask<string[]>({ op: 'ids', side, count }),
    steady: (edits, spreadMs, timeoutMs) => ask<SteadyFigures>({ op: 'steady', edits, spreadMs, timeoutMs }),
    close: async () => {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ op: 'close', id: next++ });
      await Promise.race([gone, new Promise<void>((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
