import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { Logger } from '../log';
import type { StoreOps, ChangeSource } from '../store/types';
import type { ConnectorInstance, ReconciliationPolicy } from './ports';
import type { PlannedWrite } from './types';
import { uuidFromName } from './values';

export interface RunCounters {
  pulled: number;
  applied: number;
  pushed: number;
  conflicts: number;
  deadLetters: number;
}

/** What one run of one connector instance carries through pull and push. */
export interface RunContext {
  instance: ConnectorInstance;
  policy: ReconciliationPolicy;
  clock: Clock;
  logger: Logger;
  runId: string;
  counters: RunCounters;
  /** Collected on dry runs; null otherwise. */
  planned: PlannedWrite[] | null;
  /** Aborts when the run's lease is lost: nothing more may be committed. */
  lease?: AbortSignal;
  /** Aborted when the daemon stops: pulls and pushes end at the next batch boundary. */
  signal?: AbortSignal;
}

/** True (and logged once per call site) when the run should stop before its next batch. */
export function stopRequested(ctx: RunContext, where: 'pull' | 'push'): boolean {
  if (ctx.signal?.aborted !== true) return false;
  ctx.logger.info(`stopping after the current ${where} batch`, { event: 'sync.aborted', phase: where });
  return true;
}

export const sha1 = (input: string): string => createHash('sha1').update(input).digest('hex');

/** The co-sell id of an opportunity first seen as a CRM record: the same record always maps to the same id. */
export function opportunityIdFor(connector: string, externalId: string): string {
  return uuidFromName(`${connector}:${externalId}`);
}

export function connectorSource(ctx: RunContext): ChangeSource {
  return { kind: 'connector', name: ctx.instance.name };
}

export function plan(ctx: RunContext, entry: Omit<PlannedWrite, 'connector'>): void {
  ctx.planned?.push({ connector: ctx.instance.name, ...entry });
}

export type Tx = StoreOps;

/** A log line says what a dry run would do, not what it did: (message, event) for done or planned. */
export function saying(ctx: RunContext, done: [string, string], would: [string, string]): { message: string; event: string } {
  const [message, event] = ctx.planned === null ? done : would;
  return { message, event };
}

export function newCounters(): RunCounters {
  return { pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 0 };
}
