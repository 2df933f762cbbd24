/**
 * Pushing co-sell changes to one CRM (architecture.md, sync protocol 4-6): the change feed fills
 * the outbox; due entries become one batch of idempotent writes (upsert by the co-sell id, updates
 * guarded by the version last read); each result settles its entry, its link or a dead letter.
 */
import { acceptsInbound } from './inbound-routing';
import type { CosellField } from '../core/fields';
import type { Opportunity, OpportunityId, Stage } from '../core/model';
import type { WriteOperation, WriteResult } from '../ports/connector';
import type { ConnectorError } from '../errors';
import type { Link, OutboxEntry, StateStore } from '../store/types';
import { plan, stopRequested, type RunContext, type Tx } from './context';
import { crmFacingValues } from './cosell-values';
import { mergeableFields } from './merge/plan';
import { applyDelete, applyRecord } from './pull';
import { isValueRefused, type ValueRefusedError } from '../mapping/refusal';
import { reads } from '../mapping/crm-names';
import { ID_KEY, linkStatus, REASON_KEY, statusWrites, STATUS_KEY, truncate } from './status';
import { equivalentInCrm, normalizeWantedStage } from './merge/stage';
import { requeueOnRuleChange } from './unrouted';
import { sameValue } from './values';
import { outboxRetryDelayMs } from '../retry';

const FEED_PAGE = 1000;
const MAX_STALE_ROUNDS = 2;

/** Moves the change feed (event log) into this connector's outbox, with the feed position, in one transaction. */
export async function drainFeed(store: StateStore, ctx: RunContext): Promise<void> {
  const key = `push:${ctx.instance.name}`;
  // A changed inbound rule routes the referrals it now takes at this pass (they made no new event).
  const requeued = await requeueOnRuleChange(store, ctx.instance, ctx.clock.now());
  if (requeued > 0) ctx.logger.info('inbound rule changed; referrals it now takes queued', { connector: ctx.instance.name, event: 'routing.requeued', count: requeued });
  for (;;) {
    const at = Number((await store.getCursor(key))?.cursor ?? '0');
    const events = await store.eventsSince(at, FEED_PAGE);
    const last = events[events.length - 1];
    if (!last) return;
    await store.pageTransaction({ connector: ctx.instance.name }, async (tx) => {
      for (const id of new Set(events.map((e) => e.opportunityId))) {
        await tx.enqueueOutbox({ connector: ctx.instance.name, opportunityId: id, reason: 'change' }, ctx.clock.now());
      }
      await tx.setCursor(key, String(last.seq), ctx.clock.now());
    });
  }
}

/** A dry run writes nothing, not even the outbox: it reads the feed as entries that would be queued. */
async function feedEntries(store: StateStore, ctx: RunContext): Promise<OutboxEntry[]> {
  const entries = new Map<string, OutboxEntry>();
  let at = Number((await store.getCursor(`push:${ctx.instance.name}`))?.cursor ?? '0');
  for (;;) {
    const events = await store.eventsSince(at, FEED_PAGE);
    const last = events[events.length - 1];
    if (!last) break;
    for (const e of events) {
      const now = ctx.clock.now().toISOString();
      entries.set(e.opportunityId, { id: -e.seq, connector: ctx.instance.name, opportunityId: e.opportunityId, reason: 'change', attempts: 0, nextAttemptAt: now, createdAt: now });
    }
    at = last.seq;
  }
  return [...entries.values()];
}

interface PlannedPush {
  entry: OutboxEntry;
  opp: Opportunity;
  link: Link | null;
  op: WriteOperation;
  /** Co-sell values written, for the link's new base. */
  values: Record<string, unknown>;
  status: Record<string, unknown>;
}

/** Pushes due outbox entries in batches until none is due. Dry runs plan and write nothing. */
export async function pushOutbox(store: StateStore, ctx: RunContext, dryRun: boolean): Promise<void> {
  // Records written in this push: the connector's read cursor forgets them once, at the end (a
  // Salesforce cursor can hold a large seen window: rewriting it per batch would cost more than the batch).
  const written: string[] = [];
  let failure: { error: unknown } | null = null;
  try {
    await pushBatches(store, ctx, dryRun, written);
  } catch (error) {
    failure = { error };
  }
  if (written.length > 0) {
    try {
      await store.transaction((tx) => forgetWritten(tx, ctx, written));
    } catch (error) {
      failure ??= { error }; // the push's own failure, if any, is the one to report
    }
  }
  if (failure !== null) throw failure.error;
}

async function pushBatches(store: StateStore, ctx: RunContext, dryRun: boolean, written: string[]): Promise<void> {
  const staleRounds = new Map<number, number>();
  const seen = new Set<number>();
  for (;;) {
    // A stop ends the push between batches: every batch sent is settled in the store before the run ends.
    if (stopRequested(ctx, 'push')) return;
    const waiting = dryRun && seen.size === 0 ? await feedEntries(store, ctx) : [];
    const due = [...waiting, ...(await store.dueOutbox(ctx.instance.name, ctx.clock.now(), ctx.instance.pushBatchSize))].filter((e) => !seen.has(e.id));
    if (due.length === 0) return;
    const pushes: PlannedPush[] = [];
    const nothing: number[] = [];
    const refused: RefusedPush[] = [];
    // The batch's opportunities, links and pending conflicts read in a few statements; planning writes nothing.
    const deletes = await deletesOf(store, ctx.instance.name, due);
    await store.pageTransaction({ connector: ctx.instance.name, opportunityIds: due.map((e) => e.opportunityId) }, async (tx) => {
      for (const entry of due) {
        if (dryRun) seen.add(entry.id);
        try {
          const push = await planPush(tx, ctx, { entry, deleted: deletes.get(entry.opportunityId) ?? null });
          if (push) pushes.push(push);
          else nothing.push(entry.id);
        } catch (error) {
          if (!isValueRefused(error)) throw error;
          refused.push({ entry, error, externalId: (await tx.getLinkByOpportunity(ctx.instance.name, entry.opportunityId))?.externalId ?? null });
        }
      }
    });
    if (dryRun) {
      for (const p of pushes) plan(ctx, { target: 'crm', action: p.op.kind, opportunityId: p.opp.id, externalId: p.link?.externalId ?? null, changes: p.op.fields, reason: `co-sell ${p.entry.reason}` });
      for (const r of refused) plan(ctx, { target: 'crm', action: 'dead-letter', opportunityId: r.entry.opportunityId, externalId: r.externalId, changes: {}, reason: r.error.message });
      continue;
    }
    await store.completeOutbox(nothing);
    await refuse(store, ctx, refused);
    if (pushes.length === 0) continue;
    const results = await ctx.instance.connector.writeBatch(pushes.map((p) => p.op));
    await settle(store, ctx, pushes, results, staleRounds, written);
  }
}

function shouldPublish(ctx: RunContext, opp: Opportunity): boolean {
  const { publish } = ctx.instance;
  if (opp.direction === 'inbound' && ctx.instance.inbound && !acceptsInbound(ctx.instance.inbound, opp)) return false;
  return publish === 'all' || (publish === 'inbound' && opp.direction === 'inbound');
}

async function planPush(store: Tx, ctx: RunContext, params: { entry: OutboxEntry; deleted: Deletion }): Promise<PlannedPush | null> {
  const { entry, deleted } = params;
  const { mapping, name } = ctx.instance;
  const stored = await store.getOpportunity(entry.opportunityId);
  if (!stored) return null;
  const opp = stored.opportunity;
  const link = await store.getLinkByOpportunity(name, opp.id);
  const writable: CosellField[] = [...mapping.fields].filter(([f, p]) => p.direction !== 'to-cosell' && f !== 'stage').map(([f]) => f);
  if (mapping.stage.direction !== 'to-cosell') writable.push('stage');
  if (!link) {
    if (deleted === 'pending' || deleted === 'accepted') return null;
    // A reviewer who kept the deal over the CRM's delete wants it back there, whatever the publish policy.
    if (deleted !== 'restore' && !shouldPublish(ctx, opp)) return null;
    const values = crmFacingValues(opp, writable);
    const status = mapping.statusFields(linkStatus(opp, {}));
    const fields = { ...mapping.toCrm(values, null), ...mapping.participationFields, ...status };
    return { entry, opp, link, op: { kind: 'create', externalKey: opp.id, fields }, values, status };
  }
  const values: Record<string, unknown> = {};
  for (const field of writable) {
    if (field in link.held) continue;
    if (field === 'stage') {
      if (stageDiffers(ctx, opp, link)) values.stage = opp.stage;
      continue;
    }
    const current = crmFacingValues(opp, [field])[field];
    if (!sameValue(current, link.base[field])) values[field] = current;
  }
  // A held stage (S1 flag) is not written through its decline reason either.
  if (!(REASON_KEY in link.held) && !('stage' in link.held) && opp.declineReason !== null && !sameValue(opp.declineReason, link.base[REASON_KEY])) values.stage = opp.stage;
  // A stage written without a decline reason clears the CRM's, so that it reads back as that stage;
  // a reason held for review (S1 flag) stays as the CRM user left it.
  if ('stage' in values && !(REASON_KEY in link.held)) values.declineReason = opp.declineReason;
  const wanted = linkStatus(opp, link.held);
  const status = statusWrites(mapping, link.base[STATUS_KEY], wanted);
  const fields = { ...(Object.keys(values).length > 0 ? mapping.toCrm(values as Partial<Record<CosellField, unknown>>, null) : {}), ...status };
  // A record created in the CRM gets the co-sell id in its external-id field (later creates upsert on it).
  if (link.base[ID_KEY] !== opp.id) fields[mapping.externalIdField] = opp.id;
  if (Object.keys(fields).length === 0) return null;
  // The version guard keeps a CRM user's edit since our read from being overwritten. A write of
  // fields the sync never reads back (the co-sell id, the sync status, to-crm fields such as the
  // co-sell type) overwrites no value the sync would have taken, so it goes unguarded: a Salesforce
  // write-back costs no check query. An edit made meanwhile is still read (the record's stamp
  // moved, and the read cursor forgets what we wrote) and merged against the base.
  const expectedVersion = Object.keys(values).some((field) => readFromCrm(mapping, field)) ? link.crmVersion : null;
  return { entry, opp, link, op: { kind: 'update', id: link.externalId, fields, expectedVersion }, values, status: mapping.statusFields(wanted) };
}

/** Whether the sync reads this co-sell field (or the stage and its decline reason) from the CRM. */
function readFromCrm(mapping: RunContext['instance']['mapping'], field: string): boolean {
  if (field === 'stage' || field === 'declineReason') return reads(mapping.stage.direction);
  const compiled = mapping.fields.get(field as CosellField);
  return compiled === undefined || reads(compiled.direction);
}

/**
 * The stage the CRM will report once it holds this opportunity's stage: a mapping may write two
 * co-sell stages the same way (expired and lost both as Closed Lost), and the echo must match.
 */
export function stageAsCrmReadsIt(ctx: RunContext, opp: Opportunity): Stage | null {
  const { mapping } = ctx.instance;
  const written = mapping.toCrm({ stage: opp.stage, declineReason: opp.declineReason }, null);
  return normalizeWantedStage(mapping.toCosell(written).wantedStage ?? opp.stage, opp.direction);
}

/** The decline reason the CRM will report once written (a reason its picklist lacks reads back as the mapping's fallback, say Other). */
function reasonAsCrmReadsIt(ctx: RunContext, opp: Opportunity): string | null {
  if (opp.declineReason === null) return null;
  const { mapping } = ctx.instance;
  return mapping.toCosell(mapping.toCrm({ stage: opp.stage, declineReason: opp.declineReason }, null)).declineReason;
}

/** Whether the CRM shows another stage than co-sell's (stages it writes alike do not count). */
function stageDiffers(ctx: RunContext, opp: Opportunity, link: Link): boolean {
  const base = link.base.stage;
  const current = normalizeWantedStage(opp.stage, opp.direction) ?? opp.stage;
  if (typeof base !== 'string') return true;
  return !equivalentInCrm((stage) => ctx.instance.mapping.toCrm({ stage }, null), base as Stage, current);
}

/** The outbox reason of a deal to create again in a CRM that deleted its record (review.ts). */
export const RESTORE_REASON = 'deleted-kept-cosell';

/**
 * What the CRM's last delete of a deal's record says about giving it the deal again: `pending`
 * (waiting for review: not yet), `accepted` (resolved keeping the CRM's side: never), `restore`
 * (resolved keeping co-sell's: created again), or null (never deleted there).
 */
type Deletion = 'pending' | 'accepted' | 'restore' | null;

/** The batch's deletes in one statement (conflicts come in id order: the last one per deal counts). */
async function deletesOf(store: StateStore, connector: string, due: readonly OutboxEntry[]): Promise<Map<OpportunityId, Deletion>> {
  const out = new Map<OpportunityId, Deletion>();
  for (const c of await store.listConflicts({ connector, kind: 'deleted', opportunityIds: due.map((e) => e.opportunityId), limit: 10_000 })) {
    out.set(c.opportunityId, c.status === 'pending' ? 'pending' : c.resolution?.startsWith('kept-cosell') === true ? 'restore' : 'accepted');
  }
  return out;
}

/** The base after a write: what the CRM now holds, in co-sell terms (the stage as the CRM will read it back). */
function baseAfter(ctx: RunContext, push: PlannedPush, id: string): Record<string, unknown> {
  const base: Record<string, unknown> = { ...(push.link?.base ?? {}) };
  for (const [field, value] of Object.entries(push.values)) if (field !== 'stage') base[field] = value;
  if ('stage' in push.values || !push.link) {
    base.stage = stageAsCrmReadsIt(ctx, push.opp);
    base[REASON_KEY] = reasonAsCrmReadsIt(ctx, push.opp);
  }
  if (!push.link) {
    Object.assign(base, idValues(ctx, id));
    for (const field of mergeableFields(ctx.instance.mapping.fields).keys()) if (!(field in base)) base[field] = null;
  }
  base[ID_KEY] = push.opp.id;
  base[STATUS_KEY] = { ...((push.link?.base[STATUS_KEY] as Record<string, unknown> | undefined) ?? {}), ...push.status };
  return base;
}

/**
 * The values of fields mapped from the record's own id (S4's crmId on the shipped mappings), as a
 * created record reads back: without them its first read back would look like a CRM edit of those
 * fields and be merged rather than recognised as our own write.
 */
function idValues(ctx: RunContext, id: string): Record<string, unknown> {
  const { connector, mapping } = ctx.instance;
  const idField = connector.idField;
  if (idField === undefined) return {};
  const out: Record<string, unknown> = {};
  const read = mapping.toCosell({ [idField]: id }).values;
  for (const [field, compiled] of mapping.fields) {
    if (compiled.crmFields.length === 1 && compiled.crmFields[0] === idField && field in read) out[field] = read[field];
  }
  return out;
}

/**
 * Settles each result: a success saves its link, a stale write is re-read, a failure the CRM may
 * not repeat (retryable) or a call that failed as a whole waits in the outbox for a later try; only
 * the CRM's own refusal of that record becomes a dead letter. A call that failed as a whole for a
 * reason retrying will not cure by itself (a session refused even after a fresh token) then fails
 * the run, once every result is settled, so that the connector's trouble shows as its run's error.
 */
async function settle(store: StateStore, ctx: RunContext, pushes: PlannedPush[], results: WriteResult[], staleRounds: Map<number, number>, written: string[]): Promise<void> {
  const stale: PlannedPush[] = [];
  const missing: Array<{ push: PlannedPush; error: ConnectorError }> = [];
  const failedStatus: WriteOperation[] = [];
  let callError: ConnectorError | null = null;
  let callFailures = 0;
  const keys = { connector: ctx.instance.name, opportunityIds: pushes.map((p) => p.opp.id), externalIds: pushes.flatMap((p) => (p.link ? [p.link.externalId] : [])) };
  await store.pageTransaction(keys, async (tx) => {
    for (const [i, push] of pushes.entries()) {
      const result = results[i];
      if (!result) continue;
      if (result.ok) {
        written.push(push.link?.externalId ?? result.id);
        await succeeded(tx, ctx, push, result.id, result.version);
      }
      else if (result.stale) stale.push(push);
      else if (result.error.code === 'not_found' && push.op.kind === 'update' && push.link) missing.push({ push, error: result.error });
      else if (result.error.retryable || result.callFailed === true) {
        if (result.callFailed === true) {
          callFailures += 1;
          if (!result.error.retryable) callError ??= result.error;
        }
        const wait = outboxRetryDelayMs(push.entry.attempts + 1, result.error.retryAfterMs);
        await tx.retryOutboxLater(push.entry.id, new Date(ctx.clock.now().getTime() + wait));
      } else {
        await failed(tx, ctx, push, result.error.crmCode ?? result.error.code, result.error.message);
        if (push.link) failedStatus.push({ kind: 'update', id: push.link.externalId, fields: ctx.instance.mapping.statusFields({ message: truncate(`Not synced: ${result.error.message}`), conflict: false }), expectedVersion: null });
      }
    }
  });
  if (callFailures > 0) {
    const first = results.find((r): r is Extract<WriteResult, { ok: false }> => !r.ok && r.callFailed === true);
    ctx.logger.warn('push call failed, its writes wait in the outbox', { event: 'sync.push_call_failed', writes: callFailures, code: first?.error.code, reason: first?.error.message });
  }
  if (failedStatus.length > 0) await ctx.instance.connector.writeBatch(failedStatus);
  if (stale.length > 0) await rereadStale(store, ctx, stale, staleRounds);
  if (missing.length > 0) await settleMissing(store, ctx, missing);
  if (callError !== null) throw callError;
}

/** Records we wrote are no longer "already read" for the connector's next read (see CrmConnector.forgetRead). */
async function forgetWritten(tx: Tx, ctx: RunContext, ids: readonly string[]): Promise<void> {
  const { connector, name } = ctx.instance;
  if (ids.length === 0 || !connector.forgetRead) return;
  const cursor = (await tx.getCursor(name))?.cursor ?? null;
  if (cursor === null) return;
  const next = connector.forgetRead(cursor, ids);
  if (next !== cursor) await tx.setCursor(name, next, ctx.clock.now());
}

async function succeeded(tx: Tx, ctx: RunContext, push: PlannedPush, id: string, version: string | null): Promise<void> {
  const stored = await tx.getOpportunity(push.opp.id);
  await tx.saveLink({
    connector: ctx.instance.name, externalId: push.link?.externalId ?? id, opportunityId: push.opp.id,
    base: baseAfter(ctx, push, push.link?.externalId ?? id), held: push.link?.held ?? {}, crmVersion: version ?? push.link?.crmVersion ?? null,
    opportunityVersion: stored?.version ?? 0, syncedAt: ctx.clock.now().toISOString(),
  });
  await tx.completeOutbox([push.entry.id]);
  await tx.resolveDeadLettersFor({ connector: ctx.instance.name, opportunityId: push.opp.id }, ctx.clock.now());
  ctx.counters.pushed += 1;
  ctx.logger.debug('pushed', { event: 'sync.pushed', opportunityId: push.opp.id, externalId: push.link?.externalId ?? id, operation: push.op.kind });
}

interface RefusedPush {
  entry: OutboxEntry;
  error: ValueRefusedError;
  externalId: string | null;
}

/** A value the CRM cannot hold (too long, an unconvertible currency): that record waits as a dead letter; the batch goes on. */
async function refuse(store: StateStore, ctx: RunContext, refused: readonly RefusedPush[]): Promise<void> {
  if (refused.length === 0) return;
  await store.transaction(async (tx) => {
    for (const { entry, error, externalId } of refused) {
      await tx.addDeadLetter(
        { connector: ctx.instance.name, direction: 'push', externalId, opportunityId: entry.opportunityId, reason: error.message, code: 'mapping', payload: { field: error.field, crmField: error.crmField } },
        ctx.clock.now(),
      );
      await tx.completeOutbox([entry.id]);
      ctx.counters.deadLetters += 1;
      ctx.logger.warn('value refused for the CRM', { event: 'sync.dead_letter', opportunityId: entry.opportunityId, externalId, code: 'mapping', field: error.field, reason: error.message });
    }
  });
  const status = refused.flatMap((r) => (r.externalId === null ? [] : [{ kind: 'update' as const, id: r.externalId, fields: ctx.instance.mapping.statusFields({ message: truncate(`Not synced: ${r.error.message}`), conflict: false }), expectedVersion: null }]));
  const writable = status.filter((op) => Object.keys(op.fields).length > 0);
  if (writable.length > 0) await ctx.instance.connector.writeBatch(writable);
}

async function failed(tx: Tx, ctx: RunContext, push: PlannedPush, code: string, message: string): Promise<void> {
  await tx.addDeadLetter(
    { connector: ctx.instance.name, direction: 'push', externalId: push.link?.externalId ?? null, opportunityId: push.opp.id, reason: message, code, payload: { operation: push.op.kind } },
    ctx.clock.now(),
  );
  await tx.completeOutbox([push.entry.id]);
  ctx.counters.deadLetters += 1;
  ctx.logger.warn('push refused by the CRM', { event: 'sync.dead_letter', opportunityId: push.opp.id, externalId: push.link?.externalId ?? null, code, reason: message });
}

/**
 * An update the CRM answered "not found": when a re-read confirms the record is gone, it was deleted
 * in the CRM before this run read the delete, and it is settled as that delete (the deal is kept,
 * unlinked, with a pending conflict), not as a dead letter. A record still there (the refusal was
 * about something else, such as a lookup) is the CRM's refusal of that write.
 */
async function settleMissing(store: StateStore, ctx: RunContext, missing: ReadonlyArray<{ push: PlannedPush; error: ConnectorError }>): Promise<void> {
  const ids = missing.map(({ push }) => push.link!.externalId);
  const present = new Set((await ctx.instance.connector.readRecords(ids, ctx.instance.mapping.crmFields)).map((r) => r.id));
  await store.transaction(async (tx) => {
    for (const { push, error } of missing) {
      const externalId = push.link!.externalId;
      if (present.has(externalId)) {
        await failed(tx, ctx, push, error.crmCode ?? error.code, error.message);
        continue;
      }
      ctx.logger.info('CRM record deleted before the push reached it', { event: 'sync.deleted_on_push', opportunityId: push.opp.id, externalId });
      await applyDelete(tx, ctx, externalId);
      await tx.completeOutbox([push.entry.id]);
    }
  });
}

/** 412 / changed since read: re-read those records, merge them, and let the outbox try again. */
async function rereadStale(store: StateStore, ctx: RunContext, stale: PlannedPush[], rounds: Map<number, number>): Promise<void> {
  const ids = stale.flatMap((p) => (p.link ? [p.link.externalId] : []));
  const records = await ctx.instance.connector.readRecords(ids, ctx.instance.mapping.crmFields);
  await store.transaction(async (tx) => {
    for (const record of records) await applyRecord(tx, ctx, record);
    for (const push of stale) {
      const round = (rounds.get(push.entry.id) ?? 0) + 1;
      rounds.set(push.entry.id, round);
      const delay = round >= MAX_STALE_ROUNDS ? 30_000 : 0;
      await tx.retryOutboxLater(push.entry.id, new Date(ctx.clock.now().getTime() + delay));
    }
  });
}

/** Shows each waiting pull dead letter's reason on its CRM record (once: only when the CRM shows something else). */
export async function pushDeadLetterStatus(store: StateStore, ctx: RunContext, dryRun: boolean): Promise<void> {
  const { mapping, name, connector } = ctx.instance;
  const open = (await store.listDeadLetters({ connector: name, unresolvedOnly: true, limit: 1000 })).filter((d) => d.direction === 'pull' && d.externalId !== null);
  const ops: Array<{ letter: (typeof open)[number]; op: WriteOperation }> = [];
  for (const letter of open) {
    const payload = (letter.payload ?? {}) as { crmStatus?: unknown };
    const fields = statusWrites(mapping, payload.crmStatus, { message: truncate(`Not synced: ${letter.reason}`), conflict: false });
    if (Object.keys(fields).length > 0 && letter.externalId) ops.push({ letter, op: { kind: 'update', id: letter.externalId, fields, expectedVersion: null } });
  }
  if (ops.length === 0) return;
  if (dryRun) {
    for (const { letter, op } of ops) plan(ctx, { target: 'crm', action: 'update', opportunityId: null, externalId: letter.externalId, changes: op.fields, reason: 'sync status of a dead letter' });
    return;
  }
  const results = await connector.writeBatch(ops.map((o) => o.op));
  await store.transaction(async (tx) => {
    for (const [i, { letter, op }] of ops.entries()) {
      if (!results[i]?.ok) continue;
      const payload = (letter.payload ?? {}) as Record<string, unknown>;
      const crmStatus = { ...((payload.crmStatus as object | undefined) ?? {}), ...op.fields };
      await tx.addDeadLetter(
        { connector: letter.connector, direction: letter.direction, externalId: letter.externalId, opportunityId: letter.opportunityId, reason: letter.reason, code: letter.code, payload: { ...payload, crmStatus } },
        ctx.clock.now(),
      );
    }
  });
}
