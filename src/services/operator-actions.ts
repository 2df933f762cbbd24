/**
 * What an operator does to a running daemon, shared by the CLI, the admin API and the console:
 * pause and resume a connector instance (persisted, so every worker honours it), start a full
 * resync, and resync one CRM record with a dry-run preview first. Each action is written to the
 * operator action log with who did it.
 */
import { InputError, NotFoundError } from '../cli/operations/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../log';
import type { OperatorAction, RunControl, StateStore } from '../store/types';
import type { RecordResync, RunSummary, SyncEngine } from '../sync/types';

export interface OperatorActionsDeps {
  store: StateStore;
  engine: SyncEngine;
  clock: Clock;
  logger: Logger;
  /** Starts one run now (the daemon routes it through its scheduler); absent, the next scheduled run does it. */
  startRun?: (connector: string) => Promise<RunSummary | null>;
}

export interface InstanceControl {
  connector: string;
  paused: boolean;
  changedBy: string | null;
  changedAt: string | null;
  reason: string | null;
}

export interface ActionOutcome {
  ok: boolean;
  message: string;
}

const MAX_ID_LENGTH = 255;
const MAX_REASON_LENGTH = 500;

/** A CRM record id as typed by a person: trimmed, non-empty, printable. */
export function checkExternalId(raw: unknown): string {
  const id = typeof raw === 'string' ? raw.trim() : '';
  const problem =
    id === '' ? 'a CRM record id is required'
      : id.length > MAX_ID_LENGTH ? `at most ${MAX_ID_LENGTH} characters`
        : [...id].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ? 'control characters are not allowed' : null;
  if (problem !== null) throw new InputError('record id', [{ path: 'externalId', message: problem }]);
  return id;
}

function checkReason(raw: string | null | undefined): string | null {
  const reason = raw?.trim() ?? '';
  if (reason.length > MAX_REASON_LENGTH) throw new InputError('pause reason', [{ path: 'reason', message: `at most ${MAX_REASON_LENGTH} characters` }]);
  return reason === '' ? null : reason;
}

export class OperatorActions {
  constructor(private readonly deps: OperatorActionsDeps) {}

  /** Every configured instance with its run control (instances never paused show as running). */
  async runControl(): Promise<InstanceControl[]> {
    const rows = new Map((await this.deps.store.listRunControl()).map((r) => [r.connector, r]));
    return this.deps.engine.connectorNames().map((connector) => {
      const row = rows.get(connector);
      return { connector, paused: row?.paused ?? false, changedBy: row?.changedBy ?? null, changedAt: row?.changedAt ?? null, reason: row?.reason ?? null };
    });
  }

  async isPaused(connector: string): Promise<boolean> {
    return (await this.deps.store.getRunControl(connector))?.paused === true;
  }

  async pause(params: { connector: string; actor: string; reason?: string | null }): Promise<RunControl> {
    const connector = this.known(params.connector);
    const reason = checkReason(params.reason);
    const control = await this.deps.store.transaction(async (tx) => {
      const set = await tx.setRunControl({ connector, paused: true, actor: params.actor, reason }, this.deps.clock.now());
      await tx.addOperatorAction({ connector, action: 'pause', actor: params.actor, details: reason === null ? null : { reason } }, this.deps.clock.now());
      return set;
    });
    this.log('pause', connector, params.actor);
    return control;
  }

  async resume(params: { connector: string; actor: string }): Promise<RunControl> {
    const connector = this.known(params.connector);
    const control = await this.deps.store.transaction(async (tx) => {
      const set = await tx.setRunControl({ connector, paused: false, actor: params.actor, reason: null }, this.deps.clock.now());
      await tx.addOperatorAction({ connector, action: 'resume', actor: params.actor, details: null }, this.deps.clock.now());
      return set;
    });
    this.log('resume', connector, params.actor);
    return control;
  }

  /**
   * Forgets the instance's cursor, so its next run reads every record (a full pass that also
   * unlinks records the CRM no longer returns), and starts that run unless the instance is paused.
   */
  async fullResync(params: { connector: string; actor: string }): Promise<ActionOutcome> {
    const connector = this.known(params.connector);
    const reset = await this.deps.store.withLease(`connector:${connector}`, () =>
      this.deps.store.transaction(async (tx) => {
        await tx.setCursor(connector, null, this.deps.clock.now());
        await tx.addOperatorAction({ connector, action: 'full-resync', actor: params.actor, details: null }, this.deps.clock.now());
      }),
    );
    if (reset === null) return { ok: false, message: `a run of ${connector} is going; start the full resync when it ends` };
    this.log('full-resync', connector, params.actor);
    if (await this.isPaused(connector)) return { ok: true, message: `${connector} is paused: its next run, once resumed, is a full pass` };
    if (this.deps.startRun === undefined) return { ok: true, message: `the next run of ${connector} is a full pass` };
    void this.deps.startRun(connector).catch((error: unknown) => this.deps.logger.error('full resync run failed', { event: 'operator.full_resync', connector, err: error }));
    return { ok: true, message: `full resync of ${connector} started` };
  }

  /** Dry run: what would be written where and why, nothing written. Otherwise syncs the record now. */
  async resyncRecord(params: { connector: string; externalId: unknown; dryRun: boolean; actor: string }): Promise<RecordResync> {
    const connector = this.known(params.connector);
    const externalId = checkExternalId(params.externalId);
    if (!params.dryRun && (await this.isPaused(connector))) {
      return { ok: false, dryRun: false, message: `${connector} is paused: resume it to resync a record (a preview is still possible)`, planned: [] };
    }
    const result = await this.deps.engine.resyncRecord({ connector, externalId, dryRun: params.dryRun });
    const action = params.dryRun ? 'record-preview' : 'record-resync';
    await this.deps.store.addOperatorAction(
      { connector, action, actor: params.actor, details: { externalId, ok: result.ok, planned: result.planned.length, message: result.message } },
      this.deps.clock.now(),
    );
    this.log(action, connector, params.actor);
    return result;
  }

  recent(filter: { connector?: string; limit?: number } = {}): Promise<OperatorAction[]> {
    return this.deps.store.listOperatorActions(filter);
  }

  private known(connector: string): string {
    if (!this.deps.engine.connectorNames().includes(connector)) throw new NotFoundError('connector instance', connector);
    return connector;
  }

  private log(action: string, connector: string, actor: string): void {
    this.deps.logger.info('operator action', { event: 'operator.action', action, connector, actor });
  }
}
