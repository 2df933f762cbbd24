/**
 * Applying one page of pulled CRM changes (architecture.md, sync protocol 1-4). The engine runs
 * `applyPage` inside one store transaction with the cursor write, so a crash loses nothing.
 */
import { asOpportunityId, type Opportunity } from '../core/model';
import { isRuleViolation } from '../core/rules';
import type { ChangePage, CrmRecord } from '../ports/connector';
import type { Link, StoredOpportunity } from '../store/types';
import { connectorSource, opportunityIdFor, plan, saying, type RunContext, type Tx } from './context';
import { cosellValues, describeViolations, outboundInputFrom } from './cosell-values';
import { mergeLinked, runCommand } from './merge/apply-plan';
import { mergeableFields, type Mapped } from './merge/plan';
import { ID_KEY, readStatus, REASON_KEY, STATUS_KEY } from './status';
import { normalizeWantedStage } from './merge/stage';
import { recordConflict } from './record-conflict';
import { coerceError } from '../errors';
import { isValueRefusedByStore } from '../store/data-errors';
import { unholdableField } from './holdable';
import { pullRegistration } from './registration';
import type { RegistrationRead } from '../mapping/registration';
import { sameValue } from './values';

/**
 * `isolate`: each record under its own savepoint, so that a value the database refuses makes a dead
 * letter of that record alone (the engine replays a page this way when the plain pass was refused).
 */
export async function applyPage(tx: Tx, ctx: RunContext, page: ChangePage, options: { isolate?: boolean } = {}): Promise<void> {
  for (const record of page.records) {
    if (options.isolate === true) await applyIsolated(tx, ctx, record);
    else await applyRecord(tx, ctx, record);
  }
  for (const id of page.deletedIds) await applyDelete(tx, ctx, id);
  await tx.setCursor(ctx.instance.name, page.cursor, ctx.clock.now());
}

async function applyIsolated(tx: Tx, ctx: RunContext, record: CrmRecord): Promise<void> {
  const counters = { ...ctx.counters };
  const planned = ctx.planned ? [...ctx.planned] : null;
  try {
    await tx.savepoint((inner) => applyRecord(inner, ctx, record));
  } catch (error) {
    if (!isValueRefusedByStore(error)) throw error;
    ctx.counters = { ...counters, pulled: counters.pulled + 1 };
    ctx.planned = planned;
    const reason = `the store refused a value of this record: ${coerceError(error).message}`;
    await deadLetter(tx, ctx, record, null, 'store-refused', reason);
  }
}

export async function applyRecord(tx: Tx, ctx: RunContext, record: CrmRecord): Promise<void> {
  const { mapping, name } = ctx.instance;
  ctx.counters.pulled += 1;
  const unholdable = unholdableField(record.fields, mapping.crmFields);
  if (unholdable !== null) {
    await deadLetter(tx, ctx, record, null, 'unholdable-value', `${unholdable}, which the store cannot keep as it is`);
    return;
  }
  const crmStatus = readStatus(mapping, record.fields);
  const mapped = mapping.toCosell(record.fields);
  if (mapped.errors.length > 0) {
    await deadLetter(tx, ctx, record, crmStatus, 'mapping', mapped.errors.map((e) => e.message).join('; '));
    return;
  }
  const registration = mapping.toRegistration?.(record.fields);
  if (registration !== undefined && !registration.ok) {
    await deadLetter(tx, ctx, record, crmStatus, 'mapping', `${registration.crmField}: ${registration.message}`);
    return;
  }
  const link = await tx.getLink(name, record.id);
  if (link) {
    const echoed = echoesAsBase(ctx, link.base, mapped);
    if (await readsAsBase(tx, ctx, link, echoed, crmStatus, registration)) {
      // Our own write read back (or a change outside the mapped fields): nothing to merge or write
      // but the version the next guarded update names.
      if (record.version !== link.crmVersion) await tx.setLinkVersion({ connector: name, externalId: record.id, crmVersion: record.version, syncedAt: ctx.clock.now().toISOString() });
      await tx.resolveDeadLettersFor({ connector: name, externalId: record.id, direction: 'pull' }, ctx.clock.now());
      return;
    }
    await mergeLinked(tx, ctx, record, link, echoed, crmStatus);
    await tx.resolveDeadLettersFor({ connector: name, externalId: record.id, direction: 'pull' }, ctx.clock.now());
    await pullRegistration(tx, ctx, link.opportunityId, registration);
    return;
  }
  const externalKey = mapped.values.id ?? record.fields[mapping.externalIdField];
  if (typeof externalKey === 'string' && externalKey !== '') await relink(tx, ctx, record, externalKey, mapped, crmStatus);
  else await createFromCrm(tx, ctx, { record, mapped, crmStatus, registration });
}

/**
 * A CRM value that is what writing the base leaves in the CRM (an amount rounded to the field's
 * scale or converted to the org's one currency, a text cut to maxLength) is our own write read
 * back: it is read as the base itself, so the merge sees no CRM edit.
 */
export function echoesAsBase(ctx: RunContext, base: Record<string, unknown>, mapped: Mapped): Mapped {
  const values = { ...mapped.values };
  for (const [name, value] of Object.entries(values)) {
    const field = name as keyof typeof values;
    if (!(field in base) || sameValue(value, base[field])) continue;
    if (ctx.instance.mapping.sameInCrm?.(field, base[field], value) === true) values[field] = base[field];
  }
  return { ...mapped, values };
}

/**
 * The echo check: the record reads exactly as the link's base (every mapped value, the stage, the
 * decline reason and the sync status), co-sell has not changed the opportunity since that base was
 * agreed, and nothing is held or pending. The merge would then decide nothing, so it is not run:
 * the opportunity is not rebuilt and nothing is written.
 */
async function readsAsBase(tx: Tx, ctx: RunContext, link: Link, mapped: Mapped, crmStatus: unknown, registration: RegistrationRead | undefined): Promise<boolean> {
  const { base } = link;
  if (Object.keys(link.held).length > 0) return false;
  if (registration !== undefined && (!registration.ok || registration.value !== null)) return false;
  if (!sameValue(crmStatus, base[STATUS_KEY]) || !sameValue(mapped.declineReason, base[REASON_KEY] ?? null)) return false;
  for (const [field, value] of Object.entries(mapped.values)) if (!(field in base) || !sameValue(value, base[field])) return false;
  const stored = await tx.getOpportunity(link.opportunityId);
  if (!stored || stored.version !== link.opportunityVersion) return false;
  if (!sameValue(wantedStageOf(mapped, stored), base.stage)) return false;
  const pending = await tx.listConflicts({ opportunityId: link.opportunityId, connector: ctx.instance.name, status: 'pending' });
  return pending.length === 0;
}

/** The co-sell stage the record wants; only a wanted `received` depends on the direction, so only it parses the opportunity. */
function wantedStageOf(mapped: Mapped, stored: StoredOpportunity): unknown {
  return mapped.wantedStage === 'received' ? normalizeWantedStage(mapped.wantedStage, stored.opportunity.direction) : mapped.wantedStage;
}

/** The base of a new link: what the CRM holds now, as co-sell values. */
function baseOf(ctx: RunContext, opp: Opportunity, mapped: Mapped, crmStatus: unknown, externalKey: string | null): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const field of mergeableFields(ctx.instance.mapping.fields).keys()) {
    base[field] = field in mapped.values ? mapped.values[field] : cosellValues(opp, [field])[field];
  }
  base.stage = normalizeWantedStage(mapped.wantedStage, opp.direction);
  base[STATUS_KEY] = crmStatus;
  base[ID_KEY] = externalKey;
  base[REASON_KEY] = mapped.declineReason;
  return base;
}

/** A CRM record that carries a co-sell id but has no link (written by us before a crash, or linked elsewhere). */
async function relink(tx: Tx, ctx: RunContext, record: CrmRecord, key: string, mapped: Mapped, crmStatus: unknown): Promise<void> {
  const { name } = ctx.instance;
  const stored = await tx.getOpportunity(asOpportunityId(key));
  if (!stored) {
    await deadLetter(tx, ctx, record, crmStatus, 'unknown-opportunity', `the record names co-sell opportunity ${key}, which this store does not hold`);
    return;
  }
  const other = await tx.getLinkByOpportunity(name, stored.opportunity.id);
  if (other && other.externalId !== record.id) {
    await deadLetter(tx, ctx, record, crmStatus, 'duplicate', `co-sell opportunity ${key} is already linked to CRM record ${other.externalId}`);
    return;
  }
  await tx.saveLink({
    connector: name, externalId: record.id, opportunityId: stored.opportunity.id,
    base: baseOf(ctx, stored.opportunity, mapped, crmStatus, key), held: {}, crmVersion: record.version,
    opportunityVersion: stored.version, syncedAt: ctx.clock.now().toISOString(),
  });
  await tx.enqueueOutbox({ connector: name, opportunityId: stored.opportunity.id, reason: 'relinked' }, ctx.clock.now());
  await tx.resolveDeadLettersFor({ connector: name, externalId: record.id, direction: 'pull' }, ctx.clock.now());
}

interface PulledRecord {
  record: CrmRecord;
  mapped: Mapped;
  crmStatus: unknown;
  registration: RegistrationRead | undefined;
}

/** Flow a: a CRM opportunity in the participation filter becomes an outbound co-sell opportunity (R6, R7, S4). */
async function createFromCrm(tx: Tx, ctx: RunContext, pulled: PulledRecord): Promise<void> {
  const { record, mapped, crmStatus, registration } = pulled;
  const { name } = ctx.instance;
  const { input, violations } = outboundInputFrom(mapped.values, record.id);
  if (!input) {
    await deadLetter(tx, ctx, record, crmStatus, violations[0]?.rule ?? 'rule', describeViolations(violations));
    return;
  }
  const id = asOpportunityId(opportunityIdFor(name, record.id));
  const state = {
    stored: await tx.applyCommand({ id, command: { kind: 'createOutbound', id, input }, source: connectorSource(ctx), now: ctx.clock.now(), details: { runId: ctx.runId } }),
  };
  ctx.counters.applied += 1;
  plan(ctx, { target: 'cosell', action: 'create', opportunityId: id, externalId: record.id, changes: { ...mapped.values }, reason: `new CRM opportunity in ${name}` });
  const base = baseOf(ctx, state.stored.opportunity, mapped, crmStatus, null);
  const wanted = base.stage;
  if (wanted === 'won' || wanted === 'lost') {
    try {
      await runCommand(tx, ctx, state, wanted === 'won' ? { kind: 'win', dealRegistration: null } : { kind: 'lose', notes: null });
    } catch (error) {
      if (!isRuleViolation(error)) throw error;
      await recordConflict(tx, ctx, {
        opportunityId: id, externalId: record.id, kind: 'illegal-transition', field: 'stage', base: null, crmValue: wanted,
        cosellValue: state.stored.opportunity.stage, rule: error.rule, outcome: 'refused', status: 'pending', message: error.message,
      });
    }
  }
  await tx.saveLink({
    connector: name, externalId: record.id, opportunityId: id, base, held: {}, crmVersion: record.version,
    opportunityVersion: state.stored.version, syncedAt: ctx.clock.now().toISOString(),
  });
  await tx.resolveDeadLettersFor({ connector: name, externalId: record.id, direction: 'pull' }, ctx.clock.now());
  await pullRegistration(tx, ctx, id, registration);
  const said = saying(ctx, ['outbound opportunity created from the CRM', 'sync.created'], ['dry run: would create an outbound opportunity from the CRM', 'sync.would_create']);
  ctx.logger.info(said.message, { event: said.event, opportunityId: id, externalId: record.id, type: state.stored.opportunity.type });
}

export async function applyDelete(tx: Tx, ctx: RunContext, externalId: string): Promise<void> {
  const { name } = ctx.instance;
  await tx.resolveDeadLettersFor({ connector: name, externalId }, ctx.clock.now());
  const link = await tx.getLink(name, externalId);
  if (!link) return;
  const stored = await tx.getOpportunity(link.opportunityId);
  await recordConflict(tx, ctx, {
    opportunityId: link.opportunityId, externalId, kind: 'deleted', field: 'record', base: null, crmValue: null,
    cosellValue: stored?.opportunity.stage ?? null, rule: 'deleted', outcome: 'unlinked', status: 'pending',
    message: 'the CRM record was deleted; the co-sell opportunity is kept and unlinked from it',
  });
  await tx.deleteLink(name, externalId);
}

/** A record that cannot sync is not dropped: it waits here, with the reason, until fixed in the CRM. */
async function deadLetter(tx: Tx, ctx: RunContext, record: CrmRecord, crmStatus: unknown, code: string, reason: string): Promise<void> {
  const letter = await tx.addDeadLetter(
    { connector: ctx.instance.name, direction: 'pull', externalId: record.id, opportunityId: null, reason, code, payload: { crmStatus, version: record.version } },
    ctx.clock.now(),
  );
  ctx.counters.deadLetters += 1;
  plan(ctx, { target: 'cosell', action: 'dead-letter', opportunityId: null, externalId: record.id, changes: {}, reason });
  // Said once at warn; the same record read again while it waits is only a debug line.
  const said = saying(ctx, ['record dead-lettered', 'sync.dead_letter'], ['dry run: would dead-letter the record', 'sync.would_dead_letter']);
  const meta = { event: said.event, externalId: record.id, code, reason, attempts: letter.attempts };
  if (letter.attempts > 1) ctx.logger.debug('record still dead-lettered', meta);
  else ctx.logger.warn(said.message, meta);
}
