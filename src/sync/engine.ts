/**
 * The sync engine: per connector instance, pull -> map -> merge -> apply through the core ->
 * record, one transaction per page; then the change feed -> outbox -> push.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { StaleVersionError, coerceError } from '../errors';
import type { Logger } from '../log';
import type { StateStore } from '../store/types';
import { newCounters, sha1, type RunContext } from './context';
import type { ConnectorInstance, ReconciliationPolicy } from './ports';
import { applyDelete, applyPage } from './pull';
import { drainFeed, pushDeadLetterStatus, pushOutbox } from './push';
import { resolveConflict, retryDeadLetter } from './review';
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
  const context = (inst: ConnectorInstance, dryRun: boolean): RunContext => {
    const runId = randomUUID();
    return {
      instance: inst, policy: deps.policy, clock: deps.clock, runId, counters: newCounters(),
      logger: deps.logger.child({ connector: inst.name, runId }), planned: dryRun ? [] : null,
    };
  };
  return {
    connectorNames: () => [...byName.keys()],
    runOnce(options: RunOptions): Promise<RunSummary> {
      const inst = instance(options.connector);
      const current = running.get(inst.name);
      if (current) return current.then((s) => ({ ...s, error: 'skipped: a run of this instance was already going' }));
      const run = runLeased(deps, context(inst, options.dryRun === true), options).finally(() => running.delete(inst.name));
      running.set(inst.name, run);
      return run;
    },
    retryDeadLetter: (id) => retryDeadLetter({ ...deps, context: (name) => context(instance(name), false) }, id),
    resolveConflict: (id, keep) => resolveConflict({ ...deps, context: (name) => context(instance(name), false) }, id, keep),
    resyncRecord: (params) => resyncRecord({ store: deps.store, context: (name, dryRun) => context(instance(name), dryRun) }, params),
  };
}

async function runLeased(deps: SyncEngineDeps, ctx: RunContext, options: RunOptions): Promise<RunSummary> {
  const result = await deps.store.withLease(`connector:${ctx.instance.name}`, () => runInstance(deps, ctx, options));
  return result ?? summary(ctx, Date.now(), options.dryRun === true, 'skipped: another worker holds this instance');
}

async function runInstance(deps: SyncEngineDeps, ctx: RunContext, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  const callsBefore = ctx.instance.connector.apiUsage().calls;
  if (!dryRun) await deps.store.startRun({ runId: ctx.runId, connector: ctx.instance.name }, deps.clock.now());
  let error: string | null = null;
  try {
    await pull(deps, ctx, options);
    if (!options.signal?.aborted) {
      if (!dryRun) await drainFeed(deps.store, ctx);
      await pushOutbox(deps.store, ctx, dryRun);
      await pushDeadLetterStatus(deps.store, ctx, dryRun);
    }
  } catch (e) {
    const err = coerceError(e);
    error = err.message;
    ctx.logger.error('sync run failed', { event: 'sync.failed', err });
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
  for await (const page of connector.readChanges({ cursor, fields: mapping.crmFields, ...(options.signal ? { signal: options.signal } : {}) })) {
    if (page.fullResync && full === null) {
      const reason = resuming ? 'resuming a full pass' : cursor === null ? 'first load' : 'the CRM no longer honours the cursor';
      ctx.logger.warn('full reconciliation pass', { event: 'sync.full_resync', reason });
      if (!dryRun && !resuming) await deps.store.setCursor(marker, 'running', deps.clock.now());
      full = new Set();
    }
    if (page.fullResync) for (const record of page.records) full?.add(record.id);
    else fullOnly = false;
    await applyPageWithRetry(deps, ctx, page, dryRun);
    if (options.signal?.aborted) {
      ctx.logger.info('stopping after the current page', { event: 'sync.aborted' });
      return;
    }
  }
  if (dryRun) return;
  if (full !== null && fullOnly && !resuming) await unlinkMissing(deps, ctx, full);
  if (full !== null || resuming) await deps.store.setCursor(marker, null, deps.clock.now());
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
  const missing = (await deps.store.listLinks({ connector: ctx.instance.name })).filter((l) => !seen.has(l.externalId));
  if (missing.length === 0) return;
  ctx.logger.warn('linked records missing from a full pass', { event: 'sync.missing', count: missing.length });
  await deps.store.transaction(async (tx) => {
    for (const link of missing) await applyDelete(tx, ctx, link.externalId);
  });
}

/** One transaction per page; a concurrent co-sell write (stale version) replays the page. */
async function applyPageWithRetry(deps: SyncEngineDeps, ctx: RunContext, page: Parameters<typeof applyPage>[2], dryRun: boolean): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const counters = { ...ctx.counters };
    const planned = ctx.planned ? [...ctx.planned] : null;
    try {
      await deps.store.transaction(async (tx) => {
        await applyPage(tx, ctx, page);
        if (dryRun) throw new DryRunRollback();
      });
      return;
    } catch (e) {
      if (e instanceof DryRunRollback) return;
      ctx.counters = counters;
      ctx.planned = planned;
      if (!(e instanceof StaleVersionError) || attempt >= PAGE_ATTEMPTS) throw e;
      ctx.logger.debug('page replayed after a concurrent change', { event: 'sync.page_retry', attempt });
    }
  }
}

function summary(ctx: RunContext, started: number, dryRun: boolean, error: string | null, apiCalls = 0): RunSummary {
  return {
    runId: ctx.runId, connector: ctx.instance.name, dryRun, ...ctx.counters, apiCalls,
    durationMs: Date.now() - started, planned: ctx.planned ?? [], error,
  };
}
