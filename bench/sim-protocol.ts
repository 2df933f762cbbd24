/** Messages between the benchmark and its simulator process (bench/sim-process.ts). */
export type SimRequest =
  | { id: number; op: 'seed'; side: 'salesforce' | 'dynamics'; count: number; offset: number }
  | { id: number; op: 'counts' }
  | { id: number; op: 'stats' }
  | { id: number; op: 'ids'; side: 'salesforce' | 'dynamics'; count: number }
  | { id: number; op: 'steady'; edits: number; spreadMs: number; timeoutMs: number }
  | { id: number; op: 'close' };

export type SimReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface SimStarted {
  salesforceUrl: string;
  dynamics: { url: string; tenantId: string; clientId: string; clientSecret: string; authority: string };
  latencyMs: number;
}

export interface SimCounts {
  salesforce: number;
  salesforceLinked: number;
  dynamics: number;
  dynamicsLinked: number;
}

export interface SimStatsReply {
  salesforceCalls: number;
  dynamicsCalls: number;
  /** CPU time the simulator process has used so far. */
  cpuMs: number;
}

export interface SteadyFigures {
  edits: number;
  propagated: number;
  timedOut: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}
