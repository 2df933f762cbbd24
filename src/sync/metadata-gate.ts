/**
 * Connector isolation at start-up (architecture.md, sync protocol 7): each instance checks its
 * mapped fields against its own CRM's metadata before its first run, alone. A CRM that cannot
 * answer (503, reset, timeout) keeps only its own instance waiting, retried with the shared
 * backoff of src/retry.ts at its next ticks; a mapping the CRM cannot honour refuses that
 * instance, naming the field, and the other instances sync all the same.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { coerceError, isSyncError } from '../errors';
import type { Logger } from '../log';
import { decideRetry, type RetryPolicy } from '../retry';
import type { StateStore } from '../store/types';
import type { RunOptions, RunSummary, SyncEngine } from './types';

/** Problems that no retry can fix (a mapped field the CRM does not have), one line each; empty when fine. Throws when the CRM could not answer. */
export type MetadataCheck = (connector: string) => Promise<readonly string[]>;

export type GateState = 'pending' | 'ready' | 'waiting' | 'refused';

export interface GateStatus {
  connector: string;
  state: GateState;
  /** Why the instance does not sync (null when ready or not checked yet). */
  reason: string | null;
  /** Failed metadata attempts in a row. */
  attempts: number;
  /** When a waiting instance tries its metadata again. */
  nextAttemptAt: string | null;
}

interface Gate {
  state: GateState;
  reason: string | null;
  attempts: number;
  nextAttemptAt: number;
  /** One check at a time per instance. */
  checking: Promise<void> | null;
}

export interface GatedEngineDeps {
  engine: SyncEngine;
  check: MetadataCheck;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** The backoff between metadata attempts; its maxAttempts is ignored (a waiting instance never gives up). */
  policy: RetryPolicy;
  /** Called with the summary of a run the gate held back (metrics, health). */
  onRun?: (summary: RunSummary) => void;
  random?: () => number;
}

export interface GatedEngine extends SyncEngine {
  gates(): GateStatus[];
}

const describeError = (error: unknown): string => coerceError(error).message;

/** Wraps an engine so that no instance runs before its CRM's metadata has been checked. */
export function gateEngine(deps: GatedEngineDeps): GatedEngine {
  const gates = new Map<string, Gate>(
    deps.engine.connectorNames().map((name) => [name, { state: 'pending', reason: null, attempts: 0, nextAttemptAt: 0, checking: null }]),
  );
  const gateOf = (name: string): Gate | undefined => gates.get(name);

  const attempt = async (name: string, gate: Gate): Promise<void> => {
    const log = deps.logger.child({ connector: name });
    try {
      const problems = await deps.check(name);
      if (problems.length > 0) {
        gate.state = 'refused';
        gate.reason = `refused: the mapping does not match the CRM's fields: ${problems.join('; ')}`;
        log.error('connector instance refused: mapping does not match the CRM', { event: 'connector.refused', problems });
        return;
      }
      if (gate.attempts > 0) log.info('CRM metadata checked after waiting', { event: 'connector.ready', attempts: gate.attempts + 1 });
      gate.state = 'ready';
      gate.reason = null;
      gate.attempts = 0;
    } catch (error) {
      gate.attempts += 1;
      const retryable = isSyncError(error) ? error.retryable : true;
      // A non-retryable answer (bad credentials) may be fixed outside the daemon: keep trying, at the longest wait.
      const decision = decideRetry(error, gate.attempts, { ...deps.policy, maxAttempts: Number.MAX_SAFE_INTEGER }, deps.random);
      const waitMs = retryable && decision.retry ? decision.waitMs : deps.policy.maxDelayMs;
      gate.state = 'waiting';
      gate.nextAttemptAt = deps.clock.now().getTime() + waitMs;
      gate.reason = `waiting for the CRM's field metadata (attempt ${gate.attempts}, next in ${Math.ceil(waitMs / 1000)} s): ${describeError(error)}`;
      log.warn('CRM metadata unavailable; this instance waits, the others sync', {
        event: 'connector.waiting', attempt: gate.attempts, waitMs, err: error,
      });
    }
  };

  const ensure = async (name: string): Promise<Gate | undefined> => {
    const gate = gateOf(name);
    if (gate === undefined || gate.state === 'ready' || gate.state === 'refused') return gate;
    if (gate.state === 'waiting' && deps.clock.now().getTime() < gate.nextAttemptAt) return gate;
    gate.checking ??= attempt(name, gate).finally(() => {
      gate.checking = null;
    });
    await gate.checking;
    return gate;
  };

  const heldBack = async (options: RunOptions, reason: string): Promise<RunSummary> => {
    const runId = randomUUID();
    const result: RunSummary = {
      runId, connector: options.connector, dryRun: options.dryRun === true, pulled: 0, applied: 0, pushed: 0, conflicts: 0,
      deadLetters: 0, apiCalls: 0, durationMs: 0, planned: [], error: reason,
    };
    if (options.dryRun !== true) {
      // Recorded as a run so that `status` (another process) shows why the instance does not sync.
      await deps.store.startRun({ runId, connector: options.connector }, deps.clock.now());
      await deps.store.finishRun({ runId, connector: options.connector, status: 'failed', pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 0, apiCalls: 0, error: reason }, deps.clock.now());
    }
    deps.onRun?.(result);
    return result;
  };

  return {
    connectorNames: () => deps.engine.connectorNames(),
    async runOnce(options) {
      const gate = await ensure(options.connector);
      if (gate !== undefined && gate.state !== 'ready') return heldBack(options, gate.reason ?? 'CRM metadata not checked yet');
      return deps.engine.runOnce(options);
    },
    retryDeadLetter: (id) => deps.engine.retryDeadLetter(id),
    resolveConflict: (id, keep) => deps.engine.resolveConflict(id, keep),
    async resyncRecord(params) {
      // A record is read and written with the instance's mapping only once its CRM's fields checked out.
      const gate = await ensure(params.connector);
      if (gate !== undefined && gate.state !== 'ready') {
        return { ok: false, dryRun: params.dryRun, message: `${params.connector} is not ready: ${gate.reason ?? 'CRM metadata not checked yet'}`, planned: [] };
      }
      return deps.engine.resyncRecord(params);
    },
    gates: () =>
      [...gates.entries()].map(([connector, g]) => ({
        connector, state: g.state, reason: g.reason, attempts: g.attempts,
        nextAttemptAt: g.state === 'waiting' ? new Date(g.nextAttemptAt).toISOString() : null,
      })),
  };
}
