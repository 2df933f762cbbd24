/**
 * Partner Center as a connector instance of the daemon: one run is a pull (referrals changed since
 * the watermark) then a push (co-sell changes made elsewhere), under the instance's own lease, so
 * that one worker at a time works it, and recorded as a run like a CRM instance's (status,
 * metrics, /readyz). A stop ends the run at its next page or batch of events.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { coerceError } from '../errors';
import type { Logger } from '../log';
import type { ReferralApi } from '../ports/referral';
import type { StateStore } from '../store/types';
import { DEFAULT_REVIEW_LEASE_WAIT_MS, instanceLeaseName, underInstanceLease } from '../sync/review-lease';
import type { RunOptions, RunSummary, SyncEngine } from '../sync/types';
import { PARTNER_CENTER_CONNECTOR } from './inbound';
import { resolvePartnerCenterConflict } from './review';
import type { PartnerCenterSync, PullReport, PushReport } from './sync';

export interface PartnerCenterEngineDeps {
  sync: PartnerCenterSync;
  api: Pick<ReferralApi, 'apiUsage' | 'get'>;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** Called after every run (metrics, health). */
  onRun?: (summary: RunSummary) => void;
  /** Told of a failed run's error (an expired sign-in becomes an ops alert and a not-ready grant). */
  reportError?: (error: unknown) => Promise<void>;
  /** How long a review action waits for a running sync of the instance (reconciliation.reviewLeaseWaitMs). */
  reviewLeaseWaitMs?: number;
}

type Counters = Pick<RunSummary, 'pulled' | 'applied' | 'pushed' | 'conflicts' | 'deadLetters'>;

const PUSHED = ['created', 'found', 'patched', 'registered'] as const;

function countOf(pull: PullReport | null, push: PushReport | null): Counters {
  const o = pull?.outcomes ?? {};
  const p = push?.outcomes ?? {};
  return {
    pulled: pull?.read ?? 0,
    applied: (o.received ?? 0) + (o.updated ?? 0),
    pushed: PUSHED.reduce((n, k) => n + (p[k] ?? 0), 0),
    conflicts: o.conflict ?? 0,
    deadLetters: (o['dead-letter'] ?? 0) + (p.failed ?? 0),
  };
}

export function createPartnerCenterEngine(deps: PartnerCenterEngineDeps): SyncEngine {
  const name = PARTNER_CENTER_CONNECTOR;
  let running: Promise<RunSummary> | null = null;
  const waitMs = (): number => deps.reviewLeaseWaitMs ?? DEFAULT_REVIEW_LEASE_WAIT_MS;
  const own = (connector: string): void => {
    if (connector !== name) throw new Error(`unknown connector instance "${connector}" (this engine runs ${name})`);
  };
  const summary = (p: { runId: string; started: number; dryRun: boolean; counters: Counters; apiCalls: number; error: string | null }): RunSummary => ({
    runId: p.runId, connector: name, dryRun: p.dryRun, ...p.counters, apiCalls: p.apiCalls, durationMs: Date.now() - p.started, planned: [], error: p.error,
  });

  async function leasedRun(options: RunOptions): Promise<RunSummary> {
    const started = Date.now();
    const runId = randomUUID();
    const log = deps.logger.child({ connector: name, runId });
    const result = await deps.store.withLease(instanceLeaseName(name), async (lease) => {
      const signal = options.signal ? AbortSignal.any([options.signal, lease]) : lease;
      const callsBefore = deps.api.apiUsage().calls;
      const abandoned = await deps.store.abandonRunningRuns(name, deps.clock.now());
      if (abandoned > 0) log.warn('earlier runs never reported their end: marked abandoned', { event: 'sync.abandoned', count: abandoned });
      await deps.store.startRun({ runId, connector: name }, deps.clock.now());
      let pulled: PullReport | null = null;
      let pushed: PushReport | null = null;
      let error: string | null = null;
      try {
        if (options.pushOnly !== true) {
          pulled = await deps.sync.pull(signal);
          const rechecked = signal.aborted ? {} : await deps.sync.recheck(signal);
          if ((rechecked.updated ?? 0) > 0) {
            log.info('pending Partner Center decisions applied', { event: 'pc.decisions-applied', count: rechecked.updated });
            pulled.outcomes.updated = (pulled.outcomes.updated ?? 0) + (rechecked.updated ?? 0);
          }
        }
        options.onProgress?.();
        if (!signal.aborted) pushed = await deps.sync.push(signal);
        // R9: Microsoft sellers' answers to our invitations, read from their side of each engagement.
        if (!signal.aborted && options.pushOnly !== true) {
          const answers = await deps.sync.engagements();
          if (Object.keys(answers).length > 0) log.info('microsoft sellers answered invitations', { event: 'r9.answers', answers });
        }
        if (signal.aborted) log.info('stopping after the current batch', { event: 'sync.aborted' });
        options.onProgress?.();
      } catch (e) {
        const err = coerceError(e);
        if (options.signal?.aborted === true && !lease.aborted) {
          // Stopped while a read was in flight: every page before it is applied and its watermark stored.
          log.info('stopped during a Partner Center call', { event: 'sync.aborted' });
        } else {
          error = err.message;
          log.error('sync run failed', { event: 'sync.failed', err });
          await deps.reportError?.(e).catch((reportFailure: unknown) => log.warn('run failure not reported', { err: reportFailure }));
        }
      }
      const done = summary({ runId, started, dryRun: false, counters: countOf(pulled, pushed), apiCalls: deps.api.apiUsage().calls - callsBefore, error });
      const { durationMs: _d, dryRun: _r, planned: _p, ...run } = done;
      await deps.store.finishRun({ ...run, status: error === null ? 'ok' : 'failed' }, deps.clock.now());
      return done;
    });
    return result ?? summary({ runId, started, dryRun: false, counters: countOf(null, null), apiCalls: 0, error: 'skipped: another worker holds this instance' });
  }

  /** Partner Center's sync writes as it reads: a dry run reads and writes nothing, and says so. */
  function dryRun(): RunSummary {
    const reason = 'Partner Center has no dry run: nothing was read or written';
    return {
      ...summary({ runId: randomUUID(), started: Date.now(), dryRun: true, counters: countOf(null, null), apiCalls: 0, error: null }),
      planned: [{ connector: name, target: 'crm', action: 'skip', opportunityId: null, externalId: null, changes: {}, reason }],
    };
  }

  return {
    connectorNames: () => [name],
    runOnce(options: RunOptions): Promise<RunSummary> {
      own(options.connector);
      if (options.dryRun === true) return Promise.resolve(dryRun());
      if (running) return running.then((s) => ({ ...s, error: 'skipped: a run of this instance was already going' }));
      const run = leasedRun(options)
        .then((s) => {
          deps.onRun?.(s);
          return s;
        })
        .finally(() => {
          running = null;
        });
      running = run;
      return run;
    },
    async retryDeadLetter(id: number) {
      const letter = await deps.store.getDeadLetter(id);
      if (letter === null || letter.connector !== name) return { ok: false, message: `dead letter ${id} is not one of ${name}` };
      if (letter.resolvedAt !== null) return { ok: false, message: `dead letter ${id} is already resolved` };
      if (letter.direction === 'pull' && letter.externalId !== null) {
        const externalId = letter.externalId;
        // Read and applied under the instance's lease, as a run would.
        const leased = await underInstanceLease({ store: deps.store, connector: name, waitMs: waitMs() }, async () => {
          const outcome = await deps.sync.pullOne(externalId);
          if (outcome !== 'dead-letter') await deps.store.resolveDeadLetter(id, deps.clock.now());
          return outcome;
        });
        if (!leased.held) return { ok: false, message: `dead letter ${id} not replayed: a sync of ${name} kept the instance busy for ${waitMs()} ms; try again when it ends` };
        if (leased.value === 'dead-letter') return { ok: false, message: `referral ${externalId} still cannot be applied` };
        return { ok: true, message: `referral ${externalId} read again: ${leased.value}` };
      }
      if (letter.opportunityId === null) return { ok: false, message: `dead letter ${id} names no referral and no opportunity` };
      await deps.store.enqueueOutbox({ connector: name, opportunityId: letter.opportunityId, reason: `dead letter ${id} retried` }, deps.clock.now());
      return { ok: true, message: `opportunity ${letter.opportunityId} queued for the next ${name} run` };
    },
    resolveConflict: (id, keep) =>
      resolvePartnerCenterConflict({ store: deps.store, clock: deps.clock, logger: deps.logger, api: deps.api, leaseWaitMs: waitMs() }, id, keep),
    async resyncRecord(params) {
      own(params.connector);
      if (params.dryRun) return { ok: true, dryRun: true, message: 'Partner Center has no dry run: nothing was read', planned: [] };
      const outcome = await deps.sync.pullOne(params.externalId);
      return { ok: outcome !== 'missing' && outcome !== 'dead-letter', dryRun: false, message: `referral ${params.externalId}: ${outcome}`, planned: [] };
    },
  };
}
