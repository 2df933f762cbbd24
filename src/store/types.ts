/**
 * The store port: one interface over SQLite and PostgreSQL (architecture.md, Store).
 * Every method of StoreOps runs in its own transaction when called on the StateStore, or inside
 * the caller's when called on the `tx` given to `transaction()`.
 */
import type { Command } from '../core/commands';
import type { NotificationLog } from './notification-log';
import type { PageKeys } from './page-batch';
import type { StatementCounts } from './statement-cache';
import type { GrantStore } from '../ports/grant';
import type { Opportunity, OpportunityId, Stage, OpportunityType, Direction } from '../core/model';

export type SourceKind = 'connector' | 'user' | 'system';
/** Who made a change: a connector instance, a user (CLI/admin API) or the system (expiry sweep). */
export interface ChangeSource {
  kind: SourceKind;
  /** connector instance name, user name, or the system job (`expiry-sweep`). */
  name: string;
}

export interface StoredOpportunity {
  opportunity: Opportunity;
  /** Starts at 1, +1 on every write; a write naming another version is refused (StaleVersionError). */
  version: number;
  updatedAt: string;
}

export interface OpportunityEvent {
  seq: number;
  opportunityId: OpportunityId;
  /** Version the opportunity reached with this event. */
  version: number;
  /** Command kind or sync event (`created`, `accept`, `edit`, `expire`, `sync-pull` ...). */
  kind: string;
  source: ChangeSource;
  at: string;
  before: Opportunity | null;
  after: Opportunity;
  details: Record<string, unknown> | null;
}

export type OpportunityView = 'all' | 'inbound' | 'outbound' | 'favorites' | 'archived' | 'active';

export interface OpportunityFilter {
  view?: OpportunityView;
  stage?: Stage[];
  type?: OpportunityType[];
  direction?: Direction;
  /** Case-insensitive substring of deal or customer name. */
  search?: string;
  /** Opaque cursor from the previous page. */
  cursor?: string | null;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A linked pair: (connector instance, CRM record id) <-> co-sell opportunity, with the agreed base. */
/** A link's CRM version as last read, and when. */
export interface LinkVersion {
  connector: string;
  externalId: string;
  crmVersion: string | null;
  syncedAt: string;
}

export interface Link {
  connector: string;
  externalId: string;
  opportunityId: OpportunityId;
  /** Mapped co-sell field values both sides agreed on at the last sync (path -> JSON value). */
  base: Record<string, unknown>;
  /** The CRM record version (SystemModstamp / versionnumber) last seen or written. */
  crmVersion: string | null;
  /** The opportunity version that `base` reflects. */
  opportunityVersion: number;
  /**
   * Fields under a recorded conflict or a refused CRM change (co-sell path -> the CRM value seen then).
   * Held fields are neither merged nor pushed until the CRM value changes again or the conflict is resolved.
   */
  held: Record<string, unknown>;
  syncedAt: string;
}

export interface CursorState {
  connector: string;
  cursor: string | null;
  updatedAt: string;
}

export type ConflictKind = 'field' | 'terminal' | 'illegal-transition' | 'terminal-outcome' | 'refused' | 'deleted';
export type ConflictStatus = 'pending' | 'resolved';

export interface Conflict {
  id: number;
  opportunityId: OpportunityId;
  connector: string;
  externalId: string | null;
  kind: ConflictKind;
  /** Co-sell field path, or `stage`. */
  field: string;
  base: unknown;
  crmValue: unknown;
  cosellValue: unknown;
  /** Rule applied: owner name (`crm`, `cosell`, `latest`, `manual`), S1, S2, S3, policy. */
  rule: string;
  /** What was done: `kept-cosell`, `took-crm`, `pending`, `flagged`, `enforced`... */
  outcome: string;
  status: ConflictStatus;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

export type NewConflict = Omit<Conflict, 'id' | 'status' | 'createdAt' | 'resolvedAt' | 'resolution'> & {
  status?: ConflictStatus;
};

export interface ConflictFilter {
  status?: ConflictStatus;
  opportunityId?: OpportunityId;
  opportunityIds?: readonly OpportunityId[];
  kind?: ConflictKind;
  connector?: string;
  limit?: number;
}

export interface OutboxEntry {
  id: number;
  connector: string;
  opportunityId: OpportunityId;
  /** Why the push was queued (`created`, `edit`, `expire`, `conflict-flag` ...). */
  reason: string;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
}

export type DeadLetterDirection = 'pull' | 'push';
export interface DeadLetter {
  id: number;
  connector: string;
  direction: DeadLetterDirection;
  externalId: string | null;
  opportunityId: OpportunityId | null;
  /** The CRM's or the rule engine's own message. */
  reason: string;
  code: string | null;
  payload: unknown;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'attempts' | 'createdAt' | 'updatedAt' | 'resolvedAt'>;

export interface SyncRun {
  runId: string;
  connector: string;
  startedAt: string;
  finishedAt: string | null;
  /** `abandoned`: its worker stopped before reporting the end (found at the next run of the instance). */
  status: 'running' | 'ok' | 'failed' | 'abandoned';
  pulled: number;
  applied: number;
  pushed: number;
  conflicts: number;
  deadLetters: number;
  apiCalls: number;
  error: string | null;
}

/** Whether a connector instance may start runs; no row means it may. */
export interface RunControl {
  connector: string;
  paused: boolean;
  /** Who paused or resumed it last. */
  changedBy: string;
  changedAt: string;
  reason: string | null;
}

/** Partner Center's answer about a partner id (R8), cached until `expiresAt`. */
export interface PartnerLookup {
  partnerId: string;
  known: boolean;
  /** The partner's name when Partner Center gave one. */
  name: string | null;
  checkedAt: string;
  expiresAt: string;
}

/** One operator action (pause, resume, full resync, record resync) with who did it. */
export interface OperatorAction {
  id: number;
  connector: string;
  action: string;
  actor: string;
  at: string;
  details: Record<string, unknown> | null;
}

export type NewOperatorAction = Omit<OperatorAction, 'id' | 'at'>;

export interface StoreOps extends GrantStore {
  // opportunities
  getOpportunity(id: OpportunityId): Promise<StoredOpportunity | null>;
  getOpportunities(ids: readonly OpportunityId[]): Promise<StoredOpportunity[]>;
  /**
   * Loads the opportunity (none for create commands), runs the core `transition`, writes the result
   * with version + 1 (refusing a stale write) and appends one event per change. A refusal by the
   * core throws RuleViolation unchanged; nothing is written.
   */
  applyCommand(params: {
    id: OpportunityId;
    command: Command;
    source: ChangeSource;
    now: Date;
    expectedVersion?: number;
    details?: Record<string, unknown>;
  }): Promise<StoredOpportunity>;
  listOpportunities(filter: OpportunityFilter): Promise<Page<StoredOpportunity>>;
  listEvents(opportunityId: OpportunityId): Promise<OpportunityEvent[]>;
  /** The change feed: events after `afterSeq`, oldest first (the sync pushes from it). */
  eventsSince(afterSeq: number, limit: number): Promise<Array<{ seq: number; opportunityId: OpportunityId; source: ChangeSource }>>;
  /** Ids of received opportunities whose R13 window ended at `now`. */
  findExpiryDue(now: Date, limit?: number): Promise<OpportunityId[]>;

  // links
  getLink(connector: string, externalId: string): Promise<Link | null>;
  getLinkByOpportunity(connector: string, opportunityId: OpportunityId): Promise<Link | null>;
  listLinks(filter: { connector?: string; opportunityId?: OpportunityId }): Promise<Link[]>;
  /** The CRM record ids this connector has links for, in id order (no bases read). */
  listLinkedIds(connector: string): Promise<string[]>;
  saveLink(link: Link): Promise<void>;
  /** The CRM version (and sync time) of an existing link, its base untouched: a record read back as its base. No link: nothing. */
  setLinkVersion(version: LinkVersion): Promise<void>;
  deleteLink(connector: string, externalId: string): Promise<void>;

  // cursors
  getCursor(connector: string): Promise<CursorState | null>;
  setCursor(connector: string, cursor: string | null, now: Date): Promise<void>;

  // run control and the operator action log
  getRunControl(connector: string): Promise<RunControl | null>;
  listRunControl(): Promise<RunControl[]>;
  setRunControl(params: { connector: string; paused: boolean; actor: string; reason: string | null }, now: Date): Promise<RunControl>;
  addOperatorAction(entry: NewOperatorAction, now: Date): Promise<OperatorAction>;
  /** Newest first. */
  listOperatorActions(filter: { connector?: string; limit?: number }): Promise<OperatorAction[]>;

  // Partner Center's answers about invited partners (R8)
  getPartnerLookup(partnerId: string): Promise<PartnerLookup | null>;
  savePartnerLookup(entry: PartnerLookup): Promise<void>;

  // conflicts
  addConflict(conflict: NewConflict, now: Date): Promise<Conflict>;
  getConflict(id: number): Promise<Conflict | null>;
  /** `opportunityIds` and `kind` narrow it further (one statement for a batch of opportunities). */
  listConflicts(filter: ConflictFilter): Promise<Conflict[]>;
  resolveConflict(id: number, resolution: string, now: Date): Promise<Conflict>;

  // outbox: at most one pending entry per (connector, opportunity); enqueueing again coalesces
  enqueueOutbox(entry: { connector: string; opportunityId: OpportunityId; reason: string }, now: Date): Promise<void>;
  /** Entries due at `now`, oldest first. */
  dueOutbox(connector: string, now: Date, limit: number): Promise<OutboxEntry[]>;
  completeOutbox(ids: readonly number[]): Promise<void>;
  retryOutboxLater(id: number, nextAttemptAt: Date): Promise<void>;
  countOutbox(connector?: string): Promise<number>;

  // dead letters: at most one unresolved per (connector, direction, externalId or opportunityId); adding again updates it
  addDeadLetter(entry: NewDeadLetter, now: Date): Promise<DeadLetter>;
  getDeadLetter(id: number): Promise<DeadLetter | null>;
  listDeadLetters(filter: { connector?: string; unresolvedOnly?: boolean; limit?: number }): Promise<DeadLetter[]>;
  resolveDeadLetter(id: number, now: Date): Promise<void>;
  /** Resolve every open dead letter of this record (it synced fine after all). */
  resolveDeadLettersFor(params: { connector: string; externalId?: string; opportunityId?: OpportunityId; direction?: 'pull' | 'push' }, now: Date): Promise<number>;

  // runs
  startRun(run: { runId: string; connector: string }, now: Date): Promise<void>;
  finishRun(run: Omit<SyncRun, 'startedAt' | 'finishedAt'>, now: Date): Promise<void>;
  lastRuns(): Promise<SyncRun[]>;
  /** Marks the connector's `running` runs abandoned; only the holder of its lease may call it. Returns how many. */
  abandonRunningRuns(connector: string, now: Date): Promise<number>;

  /**
   * Runs `fn` so that its writes can be undone alone: inside a transaction, under a SAVEPOINT that
   * is rolled back when `fn` throws (the transaction goes on); on the store, in its own transaction.
   */
  savepoint<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
}

export interface StateStore extends StoreOps {
  readonly dialect: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /**
   * A transaction for one page of sync work on `keys.connector`: the links, opportunities, pending
   * conflicts and open dead letters of the named records and opportunities are read up front, and
   * new opportunities, events, links and outbox entries are written as multi-row statements at the
   * end. Reads inside see every write made before them, as in `transaction`.
   */
  pageTransaction<T>(keys: PageKeys, fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` only while this process holds the named lease (PostgreSQL advisory lock; on SQLite a
   * process-local mutex). Returns null without running when another holder has it. `fn` gets a
   * signal that aborts (reason: LeaseLostError) when the lease is lost while it runs.
   */
  withLease<T>(name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | null>;
  /** Statements compiled and run since the store opened: the figures behind the statement budget. */
  statementCounts(): StatementCounts;
  /** Sent-once notification records and the facts notifications are planned from. */
  notificationLog(): NotificationLog;
  close(): Promise<void>;
}
