/**
 * The sync engine: per connector instance, pull -> map -> merge -> apply through the core ->
 * record, one transaction per page; then the change feed -> outbox -> push.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { StaleVersionError, coerceError } from '../errors';
import type { Logger } from '../log';
import { isValueRefusedByStore } from '../store/data-errors';
import type { PageKeys } from '../store/page-batch';
import type { StateStore } from '../store/types';
import { newCounters, opportunityIdFor, sha1, stopRequested, type RunContext, type Tx } from './context';
import type { ConnectorInstance, ReconciliationPolicy } from './ports';
import { applyDelete, applyPage } from './pull';
import { drainFeed, pushDeadLetterStatus, pushOutbox } from './push';
import { PARTNER_CENTER_CONNECTOR } from '../partner-center/inbound';
import { resolvePartnerCenterConflict } from '../partner-center/review';
import { resolveConflict, retryDeadLetter } from './review';
import { instanceLeaseName } from './review-lease';
import { resyncRecord } from './resync-record';
import type { RunOptions, RunSummary, SyncEngine } from './types';

export interface SyncEngineDeps {
  store: StateStore;
  instances: readonly ConnectorInstance[];
  policy: ReconciliationPolicy;
  clock: Clock;
  logger: Logger;
  /** Called after every run (metrics). */
  onRun?: (summary: RunSummary) => void;
  /** Conflict resolution and dead-letter replay wait this long for a running sync's lease (default 10 s). */
  reviewLeaseWaitMs?: number;
}

const PAGE_ATTEMPTS = 3;

class DryRunRollback extends Error {}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const running = new Map<string, Promise<RunSummary>>();
  const byName = new Map(deps.instances.map((i) => [i.name, i]));
  const instance = (name: string): ConnectorInstance => {
    const found = byName.get(name);
    if (!found) throw new Error(`unknown connector instance "${name}" (configured: ${[...byName.keys()].join(', ')})`);
    return found;
  };
  const context = (inst: ConnectorInstance, dryRun: boolean, signal?: AbortSignal): RunContext => {
    const runId = randomUUID();
    return {
      instance: inst, policy: deps.policy, clock: deps.clock, runId, counters: newCounters(),
      logger: deps.logger.child({ connector: inst.name, runId }), planned: dryRun ? [] : null, ...(signal ? { signal } : {}),
    };
  };
  return {
    connectorNames: () => [...byName.keys()],
    runOnce(options: RunOptions): Promise<RunSummary> {
      const inst = instance(options.connector);
      const current = running.get(inst.name);
      if (current) return current.then((s) => ({ ...s, error: 'skipped: a run of this instance was already going' }));
      const run = runLeased(deps, context(inst, options.dryRun === true, options.signal), options).finally(() => running.delete(inst.name));
      running.set(inst.name, run);
      return run;
    },
    async retryDeadLetter(id) {
      const letter = await deps.store.getDeadLetter(id);
      // Partner Center's, with Partner Center not configured here: a push is queued for when it is.
      const offline = letter?.connector === PARTNER_CENTER_CONNECTOR && !byName.has(PARTNER_CENTER_CONNECTOR);
      return retryDeadLetter({ ...deps, offline, context: (name) => context(instance(name), false) }, id);
    },
    async resolveConflict(id, keep) {
      const conflict = await deps.store.getConflict(id);
      if (conflict?.connector === PARTNER_CENTER_CONNECTOR && !byName.has(PARTNER_CENTER_CONNECTOR)) {
        // Partner Center not configured here: what the store alone can settle (--keep cosell).
        return resolvePartnerCenterConflict({ store: deps.store, clock: deps.clock, logger: deps.logger, api: null }, id, keep);
      }
      return resolveConflict({ ...deps, context: (name) => context(instance(name), false) }, id, keep);
    },
    resyncRecord: (params) => resyncRecord({ store: deps.store, context: (name, dryRun) => context(instance(name), dryRun) }, params),
  };
}

async function runLeased(deps: SyncEngineDeps, ctx: RunContext, options: RunOptions): Promise<RunSummary> {
  const result = await deps.store.withLease(instanceLeaseName(ctx.instance.name), (lease) => {
    ctx.lease = lease;
    const signal = options.signal ? AbortSignal.any([options.signal, lease]) : lease;
    // A lost lease stops the run's pulls and pushes at their next batch, as a stop of the daemon does.
    ctx.signal = signal;
    return runInstance(deps, ctx, { ...options, signal });
  });
  return result ?? summary(ctx, Date.now(), options.dryRun === true, 'skipped: another worker holds this instance');
}

async function runInstance(deps: SyncEngineDeps, ctx: RunContext, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  const callsBefore = ctx.instance.connector.apiUsage().calls;
  if (!dryRun) {
    const abandoned = await deps.store.abandonRunningRuns(ctx.instance.name, deps.clock.now());
    if (abandoned > 0) ctx.logger.warn('earlier runs never reported their end: marked abandoned', { event: 'sync.abandoned', count: abandoned });
    await deps.store.startRun({ runId: ctx.runId, connector: ctx.instance.name }, deps.clock.now());
  }
  let error: string | null = null;
  try {
    if (options.pushOnly !== true) await pull(deps, ctx, options);
    throwIfLeaseLost(ctx);
    if (!options.signal?.aborted) {
      if (!dryRun) await drainFeed(deps.store, ctx);
      await pushOutbox(deps.store, ctx, dryRun);
      if (!stopRequested(ctx, 'push')) await pushDeadLetterStatus(deps.store, ctx, dryRun);
    }
  } catch (e) {
    const err = coerceError(e);
    error = err.message;
    ctx.logger.error('sync run failed', { event: 'sync.failed', err });
  }
  // A lease lost after the last check (the run stopped at a batch boundary, or had just finished its
  // work) still ends the run as lease-lost: another worker may already hold the instance.
  if (error === null && ctx.lease?.aborted === true) {
    error = coerceError(ctx.lease.reason).message;
    ctx.logger.error('sync run lost its lease', { event: 'sync.failed', err: coerceError(ctx.lease.reason) });
  }
  const result = summary(ctx, started, dryRun, error, ctx.instance.connector.apiUsage().calls - callsBefore);
  if (!dryRun) {
    const { durationMs: _d, dryRun: _r, planned: _p, ...run } = result;
    await deps.store.finishRun({ ...run, status: error ? 'failed' : 'ok' }, deps.clock.now());
  }
  ctx.logger.debug('sync run finished', { event: 'sync.run.engine', ...result, planned: result.planned.length });
  deps.onRun?.(result);
  return result;
}

async function pull(deps: SyncEngineDeps, ctx: RunContext, options: RunOptions): Promise<void> {
  const { connector, mapping } = ctx.instance;
  const cursor = await cursorForMapping(deps, ctx);
  const dryRun = options.dryRun === true;
  const marker = `fullpass:${ctx.instance.name}`;
  // A full pass resumed after a stop saw only part of the CRM here: it cannot tell what is missing.
  const resuming = (await deps.store.getCursor(marker))?.cursor === 'running';
  let full: Set<string> | null = null;
  let fullOnly = true;
  for await (const page of readAhead(connector.readChanges({ cursor, fields: mapping.crmFields, ...(options.signal ? { signal: options.signal } : {}) }))) {
    if (page.fullResync && full === null) {
      const reason = resuming ? 'resuming a full pass' : cursor === null ? 'first load' : 'the CRM no longer honours the cursor';
      ctx.logger.warn('full reconciliation pass', { event: 'sync.full_resync', reason });
      if (!dryRun && !resuming) await deps.store.setCursor(marker, 'running', deps.clock.now());
      full = new Set();
    }
    if (page.fullResync) for (const record of page.records) full?.add(record.id);
    else fullOnly = false;
    await applyPageWithRetry(deps, ctx, page, dryRun);
    options.onProgress?.();
    if (stopRequested(ctx, 'pull')) return;
  }
  if (dryRun) return;
  if (full !== null && fullOnly && !resuming) await unlinkMissing(deps, ctx, full);
  if (full !== null || resuming) await deps.store.setCursor(marker, null, deps.clock.now());
}

/**
 * The pages of `pages`, the next one requested while the current one is applied: the CRM's answer
 * (and the simulator's or the network's time) overlaps the store's work. At most one page waits
 * ahead; its cursor is only stored once that page is applied, so a stop or a crash loses nothing.
 */
export async function* readAhead<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  let finished = false;
  // Each read is handled as soon as it is asked for, so that one failing while a page is applied
  // (or after a stop) is not an unhandled rejection; it is thrown when its page is awaited.
  const ask = (): Promise<IteratorResult<T>> => {
    const read = iterator.next();
    read.catch(() => undefined);
    return read;
  };
  try {
    let next = ask();
    for (;;) {
      const result = await next;
      if (result.done === true) {
        finished = true;
        return;
      }
      next = ask();
      yield result.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    // A stop between pages: the read ahead is dropped (its page was never applied) and the reader closed.
    if (!finished) await iterator.return?.(undefined);
  }
}

/**
 * A cursor only covers the fields it was read with: when the mapping reads other CRM fields, the
 * changes before the cursor were never read for them, so the next pass is a full one.
 */
async function cursorForMapping(deps: SyncEngineDeps, ctx: RunContext): Promise<string | null> {
  const { name, mapping } = ctx.instance;
  const fingerprint = sha1([...mapping.crmFields].sort().join(','));
  const key = `fields:${name}`;
  const [cursor, seen] = await Promise.all([deps.store.getCursor(name), deps.store.getCursor(key)]);
  if (cursor?.cursor && seen?.cursor !== fingerprint) {
    ctx.logger.warn('the mapping reads other CRM fields than the cursor covers: full pass', { event: 'sync.mapping_changed' });
  }
  if (seen?.cursor !== fingerprint && ctx.planned === null) await deps.store.setCursor(key, fingerprint, deps.clock.now());
  return seen?.cursor === fingerprint || !cursor?.cursor ? (cursor?.cursor ?? null) : null;
}

/**
 * After a complete full pass, a linked record the CRM no longer returned was deleted (or left the
 * participation filter) while its deletion was outside what the CRM still reports.
 */
async function unlinkMissing(deps: SyncEngineDeps, ctx: RunContext, seen: ReadonlySet<string>): Promise<void> {
  // Ids only: a full pass of N records must not hold N link bases in memory.
  const missing = (await deps.store.listLinkedIds(ctx.instance.name)).filter((id) => !seen.has(id));
  if (missing.length === 0) return;
  ctx.logger.warn('linked records missing from a full pass', { event: 'sync.missing', count: missing.length });
  await deps.store.transaction(async (tx) => {
    for (const externalId of missing) await applyDelete(tx, ctx, externalId);
  });
}

/**
 * One transaction per page; a concurrent co-sell write (stale version) replays the page, and a value
 * the database refused replays it record by record so that only the bad record is dead-lettered.
 */
async function applyPageWithRetry(deps: SyncEngineDeps, ctx: RunContext, page: Parameters<typeof applyPage>[2], dryRun: boolean): Promise<void> {
  let isolate = false;
  for (let attempt = 1; ; attempt += 1) {
    const counters = { ...ctx.counters };
    const planned = ctx.planned ? [...ctx.planned] : null;
    try {
      // The plain pass reads and writes the page's rows in a few statements; the isolated replay goes record by record.
      const run = async (tx: Tx): Promise<void> => {
        await applyPage(tx, ctx, page, { isolate });
        // Another worker may hold the lease by now: this page rolls back rather than commit beside it.
        throwIfLeaseLost(ctx);
        if (dryRun) throw new DryRunRollback();
      };
      if (isolate) await deps.store.transaction(run);
      else await deps.store.pageTransaction(pageKeys(ctx, page), run);
      return;
    } catch (e) {
      if (e instanceof DryRunRollback) return;
      ctx.counters = counters;
      ctx.planned = planned;
      if (!isolate && isValueRefusedByStore(e)) {
        isolate = true;
        ctx.logger.warn('the store refused a value: page replayed record by record', { event: 'sync.page_isolate', code: (e as { code?: unknown }).code });
        continue;
      }
      if (!(e instanceof StaleVersionError) || attempt >= PAGE_ATTEMPTS) throw e;
      ctx.logger.debug('page replayed after a concurrent change', { event: 'sync.page_retry', attempt });
    }
  }
}

/** The rows a page may touch: its records' links and the opportunities they would create. */
function pageKeys(ctx: RunContext, page: Parameters<typeof applyPage>[2]): PageKeys {
  const { name } = ctx.instance;
  return {
    connector: name,
    externalIds: [...page.records.map((r) => r.id), ...page.deletedIds],
    opportunityIds: page.records.map((r) => opportunityIdFor(name, r.id)),
  };
}

function throwIfLeaseLost(ctx: RunContext): void {
  if (ctx.lease?.aborted === true) throw coerceError(ctx.lease.reason);
}

function summary(ctx: RunContext, started: number, dryRun: boolean, error: string | null, apiCalls = 0): RunSummary {
  return {
    runId: ctx.runId, connector: ctx.instance.name, dryRun, ...ctx.counters, apiCalls,
    durationMs: Date.now() - started, planned: ctx.planned ?? [], error,
  };
}
